"""How long each notebook takes to run top to bottom, per start method, against the course's budget.

The issues ask for under 30 s per notebook and under 90 s for the whole course (eight chapters, issue 15)
per start method on 2 cores, so that CI can afford the start-method matrix.  This
executes every notebook in ``notebooks/`` in a fresh kernel (nbclient, as nbval does)
under each method and prints the seconds, the total and the ratio to the budget.

Usage: python benchmarks/notebook_times.py [--methods fork spawn forkserver]
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mpcourse.kernel.environment import kernel_environment

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK_BUDGET = 30.0
COURSE_BUDGET = 90.0


def run_seconds(path: Path, method: str) -> float:
    """Execute the notebook at ``path`` in a fresh kernel under ``method``; return the wall time."""
    notebook = nbformat.read(path, as_version=4)
    env = {**kernel_environment(), "MPCOURSE_START_METHOD": method}
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute(env=env, stdout=subprocess.DEVNULL)  # not the lines ipykernel echoes to its terminal
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=multiprocessing.get_all_start_methods())
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    print(f"{'notebook':<40}" + "".join(f"{method:>12}" for method in args.methods))
    totals = dict.fromkeys(args.methods, 0.0)
    worst = 0.0
    for path in paths:
        row = []
        for method in args.methods:
            seconds = run_seconds(path, method)
            totals[method] += seconds
            worst = max(worst, seconds)
            row.append(seconds)
        print(f"{path.stem:<40}" + "".join(f"{seconds:>11.1f}s" for seconds in row))
    print(f"{'whole course':<40}" + "".join(f"{totals[method]:>11.1f}s" for method in args.methods))
    print(f"slowest notebook / {NOTEBOOK_BUDGET:.0f} s budget: {worst / NOTEBOOK_BUDGET:.2f}")
    print(f"slowest course run / {COURSE_BUDGET:.0f} s budget: {max(totals.values()) / COURSE_BUDGET:.2f}")


if __name__ == "__main__":
    main()
