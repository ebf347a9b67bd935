"""The speedup check on a machine another program keeps busy, measured.

With K CPU hogs running (programs outside this process tree, as on a learner's
laptop), measure 12 busy-wait tasks with 1 and 2 workers ``--runs`` times and
print, per run, the cores the 2-worker measurement had free, the speedup it got,
the speedup the check asked for and whether :func:`mpcourse.checks.q1.check_speedup`
passed.  The unit tests feed the check measured rows (``tests/test_checks_q1.py``);
this is the wall-clock side, kept out of them because shared machines are noisy.

Usage: python benchmarks/busy_speedup.py [--runs 10] [--hogs 1]
Exit status: 0 when every run passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

import psutil

from mpcourse import workers
from mpcourse.backend.timing import measure_speedup
from mpcourse.checks import busy
from mpcourse.checks.q1 import MIN_TWO_WORKER_SPEEDUP, check_speedup

_LAUNCHER = (
    "import subprocess, sys; "
    "hog = subprocess.Popen([sys.executable, '-c', 'while True: pass'], start_new_session=True, "
    "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(hog.pid)"
)


def outside_hog() -> psutil.Process:
    """A CPU hog that is not this process's descendant (a child would count as the measurement's own CPU)."""
    pid = int(subprocess.run([sys.executable, "-c", _LAUNCHER], capture_output=True, text=True, check=True).stdout)
    return psutil.Process(pid)


def main(argv: list[str] | None = None) -> int:
    """Print one line per run and the pass count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hogs", type=int, default=1)
    args = parser.parse_args(argv)
    hogs = [outside_hog() for _ in range(args.hogs)]
    passed = 0
    try:
        print(f"{args.hogs} CPU hog(s); 12 x 0.05 s busy-wait tasks, 1 and 2 workers")
        print("run  free cores  speedup  asked   verdict")
        for run in range(1, args.runs + 1):
            rows = measure_speedup(workers.busy_wait, [0.05] * 12, [1, 2])
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                ok = check_speedup(rows, cpus=2)
            free = rows[1].free_cpus
            asked = busy.scaled_threshold(MIN_TWO_WORKER_SPEEDUP, free) if free is not None else MIN_TWO_WORKER_SPEEDUP
            passed += ok
            shown = "-" if asked is None else f"{asked:.2f}x"
            free_shown = "?" if free is None else f"{free:.2f}"
            print(f"{run:>3}  {free_shown:>10}  {rows[1].speedup:6.2f}x  {shown:>6}  {'PASS' if ok else 'NOT YET'}")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)
    print(f"passed {passed} of {args.runs}")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    raise SystemExit(main())
