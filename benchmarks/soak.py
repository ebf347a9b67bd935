"""Soak run: the notebooks (or the whole test command) N times under each start method.

Each run is ``python -m pytest`` in its own process group with a timeout, under
``MPCOURSE_START_METHOD``; its JUnit XML says which items failed.  The summary counts
failures per item (a notebook cell, or a test) and per start method, so a flaky cell
shows up as "2/10" where a broken one shows "10/10".  ``--hogs K`` keeps K busy-looping
processes running the whole time, as another program on a learner's laptop would.

Usage:
  python benchmarks/soak.py                          # notebooks, 10 runs per start method
  python benchmarks/soak.py --runs 5 --hogs 1        # with one CPU hog
  python benchmarks/soak.py --suite --runs 3 --hogs 1   # the README's whole test command
  python benchmarks/soak.py --runs 1 --methods fork,spawn notebooks/05_creating_a_pool.ipynb

Exit status: 0 when every run passed, 1 when any item failed or a run broke.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from mpcourse.backend.context import START_METHOD_ENV, valid_start_methods
from mpcourse.backend.cpus import cpu_snapshot
from mpcourse.grading import proctree

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HOG = "while True: pass"


#: Every process this script started and has not reaped yet: stopped on the way out, however it ends.
_RUNNING: list[subprocess.Popen[bytes]] = []


def start_hogs(count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` CPU hogs, each in its own process group."""
    hogs = [subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True) for _ in range(count)]
    _RUNNING.extend(hogs)
    return hogs


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and its process group; reap it."""
    proctree.kill_tree(process.pid)
    process.wait()
    if process in _RUNNING:
        _RUNNING.remove(process)


def failed_items(junit: Path) -> tuple[list[str], list[str]]:
    """``(every item, the failed or errored ones)`` from a JUnit XML report, as ``file::name``."""
    every, failed = [], []
    for case in ET.parse(junit).getroot().iter("testcase"):
        item = f"{case.get('classname', '')}::{case.get('name', '')}"
        every.append(item)
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(item)
    return every, failed


def run_once(targets: list[str], method: str, timeout: float, junit: Path) -> tuple[str, list[str], list[str], float]:
    """One pytest run; return ``(status, items, failed items, idle cores meanwhile)``."""
    env = {**os.environ, START_METHOD_ENV: method}
    env.pop("PYTEST_CURRENT_TEST", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *targets]
    before = cpu_snapshot()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    _RUNNING.append(process)
    try:
        output, _ = process.communicate(timeout=timeout)
        status = "ok" if process.returncode == 0 else f"exit {process.returncode}"
    except subprocess.TimeoutExpired:
        output, status = b"", f"timeout after {timeout:.0f} s"
    stop(process)  # the whole group: a kernel or worker left behind by the run goes too
    after = cpu_snapshot()
    idle = (after.idle - before.idle) / (after.wall - before.wall) if before and after else float("nan")
    if not junit.exists():
        tail = output.decode(errors="replace")[-2000:]
        return f"{status}, no report:\n{tail}", [], [], idle
    items, failed = failed_items(junit)
    if process.returncode not in (0, 1) and not failed:
        status += " (pytest itself failed)"
    return status, items, failed, idle


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print failures per item and per start method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="notebooks or tests to run (default: every notebook)")
    parser.add_argument("--runs", type=int, default=10, help="runs per start method (default 10)")
    parser.add_argument("--hogs", type=int, default=0, help="CPU hogs running meanwhile (default 0)")
    parser.add_argument(
        "--methods",
        default=",".join(valid_start_methods()),
        help=f"start methods, comma-separated (default: {','.join(valid_start_methods())})",
    )
    parser.add_argument("--suite", action="store_true", help="run the whole test command (pytest's testpaths)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run before it is killed")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.hogs < 0:
        parser.error("--runs must be at least 1 and --hogs at least 0")
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in args.methods if m not in valid_start_methods()]
    if unknown or not args.methods:
        parser.error(f"--methods: {', '.join(unknown) or 'none given'}; choose from {', '.join(valid_start_methods())}")
    if args.suite and args.targets:
        parser.error("--suite runs everything: give no targets with it")
    targets = [] if args.suite else (args.targets or [str(p.relative_to(ROOT)) for p in NOTEBOOKS])
    what = "the whole test command" if args.suite else f"{len(targets)} notebook(s)/test file(s)"
    print(f"soak: {what}, {args.runs} run(s) x {', '.join(args.methods)}, {args.hogs} CPU hog(s)", flush=True)

    failures: dict[str, collections.Counter[str]] = {m: collections.Counter() for m in args.methods}
    broken: list[str] = []
    items_seen: set[str] = set()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally below still runs
    start_hogs(args.hogs)
    try:
        with tempfile.TemporaryDirectory(prefix="mpcourse-soak-") as folder:
            for run in range(1, args.runs + 1):
                for method in args.methods:
                    junit = Path(folder) / f"{method}-{run}.xml"
                    start = time.monotonic()
                    status, items, failed, idle = run_once(targets, method, args.timeout, junit)
                    items_seen.update(items)
                    failures[method].update(failed)
                    if not items:
                        broken.append(f"run {run} {method}: {status}")
                    print(
                        f"run {run:>2} {method:<10} {time.monotonic() - start:6.0f} s  {len(items):>4} items  "
                        f"{len(failed):>3} failed  idle cores {idle:4.2f}  {status}",
                        flush=True,
                    )
                    for item in failed:
                        print(f"      failed: {item}", flush=True)
    finally:
        for process in list(_RUNNING):
            stop(process)

    print(f"\nfailures per item (out of {args.runs} runs per start method):")
    flaky = sorted({item for counter in failures.values() for item in counter})
    if not flaky:
        print("  none")
    width = max((len(item) for item in flaky), default=0)
    if flaky:
        print("  " + " " * width + "  " + "  ".join(f"{m:>10}" for m in args.methods))
    for item in flaky:
        counts = "  ".join(f"{failures[m][item]:>7}/{args.runs:<2}" for m in args.methods)
        print(f"  {item:<{width}}  {counts}")
    print("\nper start method:")
    for method in args.methods:
        total = sum(failures[method].values())
        print(f"  {method:<10} {total} failure(s) in {args.runs} run(s), {len(failures[method])} distinct item(s)")
    for line in broken:
        print(f"  broken: {line}")
    print(f"items seen: {len(items_seen)}")
    return 1 if broken or any(failures[m] for m in args.methods) else 0


if __name__ == "__main__":
    raise SystemExit(main())
