"""The sandbox's cost per graded notebook: bubblewrap (with its seccomp filter) against ``--sandbox none``.

Grades one small notebook (a setup cell, an answer, a check) ``--students``
times under each sandbox, in pairs whose order alternates (so drifting load on
a shared machine falls on both alike), one run at a time.  Prints seconds per
graded notebook for each, the cost (target: at most 1.15x) as the ratio of the
totals and as the median of the pairs' ratios, and the fixed cost of starting a
sandboxed command (``python -c pass``) for each.  One to two minutes.

    python benchmarks/sandbox_cost.py [--students 12]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from grading_throughput import _class, _master

from mpcourse import available_cpus
from mpcourse.grading.bwrap import PYTHON
from mpcourse.grading.driver import SandboxRun
from mpcourse.grading.grade import grade_notebook
from mpcourse.grading.limits import Limits, is_root
from mpcourse.grading.notebook import load_master
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import discover
from mpcourse.grading.summary import format_table

MODES = ("none", "bwrap")


def _start_cost(mode: str, times: int) -> float:
    """Median seconds to run ``python -c pass`` in a fresh sandbox of ``mode``."""
    seconds = []
    for _ in range(times):
        with SandboxRun(mode, Limits(timeout=60)) as run:
            seconds.append(run.run([PYTHON, "-c", "pass"]).seconds)
    return statistics.median(seconds)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=12)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-sandbox-") as tmp:
        root = Path(tmp)
        master_path = _master(root / "masters")
        _class(master_path, root / "submissions", args.students)
        master = load_master(master_path)
        submissions = discover(root / "submissions")
        settings = {mode: RunSettings(sandbox=mode) for mode in MODES}
        for mode in MODES:  # warm-up, not timed: the first run pays for cold caches
            grade_notebook(master, submissions[0], settings[mode])
        seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
        for number, submission in enumerate(submissions):
            for mode in MODES if number % 2 == 0 else reversed(MODES):
                started = time.perf_counter()
                grade = grade_notebook(master, submission, settings[mode])
                seconds[mode].append(time.perf_counter() - started)
                assert grade.score == (1 if number % 2 == 0 else 0), (mode, grade)
        starts = {mode: _start_cost(mode, 10) for mode in MODES}
    user = "root" if is_root() else "a normal user"
    print(f"grading {args.students} submissions of one small notebook, one at a time, as {user}")
    print(f"available cpus: {available_cpus()}; Python {sys.version.split()[0]}")
    rows = [
        [f"--sandbox {mode}", f"{statistics.mean(seconds[mode]):.2f} s", f"{starts[mode] * 1000:.0f} ms"]
        for mode in MODES
    ]
    print(format_table(["run", "per graded notebook", "start of a command (python -c pass)"], rows))
    total = sum(seconds["bwrap"]) / sum(seconds["none"])
    paired = statistics.median(b / n for b, n in zip(seconds["bwrap"], seconds["none"], strict=True))
    print(f"sandbox cost, bwrap vs none: {total:.3f}x of the totals, {paired:.3f}x median of pairs (target <= 1.15x)")


if __name__ == "__main__":
    main()
