"""Grading throughput: a generated class of 20 submissions graded with ``--jobs 1`` and ``--jobs 2``.

Prints submissions per minute for each and the ratio (target: at least 1.7x on
2 cores).  The master is one small notebook, so each grading costs about one
kernel start plus nbval (2-3 s); the whole benchmark takes a minute or two.

    python benchmarks/grading_throughput.py [--students 20] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mpcourse import available_cpus
from mpcourse.grading.grade import grade_class
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.submissions import discover
from mpcourse.grading.summary import format_table

_SETUP = (
    "from mpcourse.checks import report\n\n\n"
    "def check_answer(value):\n"
    '    return report(value == 42, "the answer is 42", f"multiply six by seven (you gave {value!r})")\n'
)


def _master(folder: Path) -> Path:
    """One small master notebook: a setup cell, an answer, a 1-point check."""
    setup = new_code_cell(_SETUP, id="setup", execution_count=1)
    answer = new_code_cell("answer = 6 * 7", id="answer", execution_count=2, metadata={"tags": ["answer"]})
    check = new_code_cell("check_answer(answer)", id="check", execution_count=3, metadata={"tags": ["check"]})
    check.outputs = [
        new_output("stream", name="stdout", text="PASS: the answer is 42\n"),
        new_output("execute_result", data={"text/plain": "True"}, execution_count=3),
    ]
    title = new_markdown_cell("# Benchmark", id="title")
    folder.mkdir(parents=True)
    path = folder / "01_bench.ipynb"
    nbformat.write(new_notebook(cells=[title, setup, answer, check]), path)
    return path


def _class(master: Path, folder: Path, students: int) -> None:
    """``students`` submissions, every other one right."""
    copy = student_copy(load_master(master))
    for number in range(students):
        submission = nbformat.from_dict(copy)
        for cell in submission.cells:
            if cell.get("id") == "answer":
                cell.source = "answer = 6 * 7" if number % 2 == 0 else "answer = 41"
        (folder / f"student{number:02d}").mkdir(parents=True)
        nbformat.write(submission, folder / f"student{number:02d}" / master.name)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-") as tmp:
        root = Path(tmp)
        master_path = _master(root / "masters")
        _class(master_path, root / "submissions", args.students)
        masters = [load_master(master_path)]
        submissions = discover(root / "submissions")
        rows, rates = [], {}
        for jobs in args.jobs:
            started = time.perf_counter()
            result = grade_class(
                masters, submissions, root / f"gradebook-{jobs}.csv", root / f"feedback-{jobs}",
                jobs=jobs, progress=False, preflight=False,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            scores = sorted(row["total"] for row in result.rows.values())
            assert scores.count("1") == (args.students + 1) // 2, scores  # every right answer got its point
            rates[jobs] = args.students / seconds * 60
            rows.append([f"--jobs {jobs}", f"{seconds:.1f} s", f"{rates[jobs]:.1f}"])
    print(f"grading {args.students} submissions of one small notebook; available cpus: {available_cpus()}")
    print(format_table(["run", "wall time", "submissions/minute"], rows))
    if 1 in rates and len(rates) > 1:
        best = max(jobs for jobs in rates if jobs != 1)
        print(f"speedup --jobs {best} vs --jobs 1: {rates[best] / rates[1]:.2f}x (target >= 1.7x on 2 cores)")


if __name__ == "__main__":
    main()
