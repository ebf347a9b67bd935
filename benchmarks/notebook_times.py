"""How long nbval takes over each notebook, per start method, against the course's budget.

The issues ask for under 30 s per notebook and under 90 s for the whole course (issue 15; nine chapters since issue 24)
per start method on 2 cores, so that CI can afford the start-method matrix.  This runs
what CI runs, ``pytest --nbval`` over ``notebooks/`` with the project's own settings,
once per start method, and reads each cell's time (setup, call and teardown: kernel start
and stop included) from pytest's JUnit XML report.  It prints the seconds per notebook,
the wall time of each whole run and the ratio to the budget.

Measured through nbval on purpose: nbval stops each kernel at once (``now=True``),
whereas a plain nbclient run shuts it down gracefully, and ipykernel then spends about
2.4 s on every kernel that started a process under spawn or forkserver, signalling
multiprocessing's resource tracker (which ignores SIGTERM) until it gives up.  A
benchmark that paid that wait would not measure the run CI makes.

Usage: python benchmarks/notebook_times.py [--methods fork spawn forkserver]
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from mpcourse.backend.context import START_METHOD_ENV
from mpcourse.kernel.environment import kernel_environment

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET = 30.0
COURSE_BUDGET = 90.0


def nbval_seconds(method: str) -> tuple[float, Counter[str]]:
    """Run nbval over every notebook under ``method``; return the wall time and the seconds per notebook."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        command = [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:randomly", f"--junitxml={report}"]
        start = time.perf_counter()
        finished = subprocess.run(
            command, cwd=ROOT, env={**kernel_environment(), START_METHOD_ENV: method}, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        if finished.returncode != 0:
            sys.exit(f"nbval failed under {method}:\n{finished.stdout[-3000:]}")
        per_notebook: Counter[str] = Counter()
        for case in ET.parse(report).iter("testcase"):
            notebook = case.get("classname", "").removeprefix("notebooks.").removesuffix(".ipynb")
            per_notebook[notebook] += float(case.get("time", 0))
    return wall, per_notebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=multiprocessing.get_all_start_methods())
    args = parser.parse_args()
    walls, tables = {}, {}
    for method in args.methods:
        walls[method], tables[method] = nbval_seconds(method)
    notebooks = sorted(set().union(*tables.values()))
    print(f"{'notebook':<40}" + "".join(f"{method:>12}" for method in args.methods))
    for notebook in notebooks:
        print(f"{notebook:<40}" + "".join(f"{tables[method][notebook]:>11.1f}s" for method in args.methods))
    print(f"{'whole course (pytest wall time)':<40}" + "".join(f"{walls[method]:>11.1f}s" for method in args.methods))
    worst = max(max(table.values()) for table in tables.values())
    print(f"slowest notebook / {NOTEBOOK_BUDGET:.0f} s budget: {worst / NOTEBOOK_BUDGET:.2f}")
    print(f"slowest course run / {COURSE_BUDGET:.0f} s budget: {max(walls.values()) / COURSE_BUDGET:.2f}")


if __name__ == "__main__":
    main()
