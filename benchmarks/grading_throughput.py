"""Grading throughput: the sandbox's cost, ``--jobs``, and the judge's cost on the whole course.

Part ``sandbox``: a generated class of one small notebook graded with and without
the sandbox, and with ``--jobs``.  Prints seconds per graded notebook for each run,
the cost of the sandbox (bubblewrap against ``--sandbox none``, both ``--jobs 1``;
target: at most 1.15x) and the speedup of ``--jobs 2`` against ``--jobs 1`` in the
sandbox (target: at least 1.7x on 2 cores).  Each grading costs about one kernel
start plus nbval (2-3 s); two to four minutes.

Part ``judge``: ``--course-students`` copies of the whole course (the masters'
answers: every check attempted) graded in the sandbox as the landed pipeline did
(nbval in the learner's kernel, then the judge) and with the judge alone (every
course check is judged, so nbval is skipped), in turn, ``--jobs 2``.  Prints seconds
per student for each (target: at most 22 s) and where the judge's time goes (its
sandboxed runs per notebook).  Four to eight minutes.

    python benchmarks/grading_throughput.py [--students 20] [--jobs 1 2] [--course-students 2] [--parts sandbox judge]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from mpcourse import available_cpus
from mpcourse.grading import judge
from mpcourse.grading.batch import grade_class
from mpcourse.grading.grade import grade_notebook
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import discover
from mpcourse.grading.summary import format_table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test helpers
import nbbuild

_SETUP = (
    "from mpcourse.checks import report\n\n\n"
    "def check_answer(value):\n"
    '    return report(value == 42, "the answer is 42", f"multiply six by seven (you gave {value!r})")\n'
)


def _master(folder: Path) -> Path:
    """One small master notebook: a setup cell, an answer, a 1-point check."""
    setup = nbbuild.code_cell(_SETUP, id="setup", count=1)
    answer = nbbuild.code_cell("answer = 6 * 7", id="answer", count=2, tags=["answer"])
    check = nbbuild.code_cell(
        "check_answer(answer)", id="check", count=3, stdout="PASS: the answer is 42\n", tags=["check"]
    )
    folder.mkdir(parents=True)
    return nbbuild.write(
        folder / "01_bench.ipynb", [nbbuild.markdown_cell("# Benchmark", id="title"), setup, answer, check]
    )


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


_COURSE = Path(__file__).resolve().parent.parent / "notebooks"


class _TimedJudge:
    """The judge's verdict step, timed: seconds per notebook."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()

    def __call__(self, master, merged, run, settings, learner=None):
        started = time.perf_counter()
        verdicts = judge.judge_verdicts(master, merged, run, settings, learner)
        with self.lock:
            self.seconds[master.name] += time.perf_counter() - started
        return verdicts


def judge_part(students: int, jobs: int) -> None:
    """Grade ``students`` copies of the whole course with nbval and the judge, and with the judge alone; print both."""
    masters = [load_master(path) for path in sorted(_COURSE.glob("0*.ipynb"))]
    settings = RunSettings(sandbox="bwrap", jobs=jobs)
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-judge-") as tmp:
        for number in range(students):
            folder = Path(tmp) / f"student{number:02d}"
            folder.mkdir()
            for master in masters:
                shutil.copyfile(master.path, folder / master.path.name)
        submissions = discover(tmp)
        steps = {"nbval + judge (the landed pipeline)": True, "judge alone (nbval only for kernel-scored checks)": None}
        timers = {label: _TimedJudge() for label in steps}
        seconds = dict.fromkeys(steps, 0.0)
        points = dict.fromkeys(steps, 0.0)
        for number, submission in enumerate(submissions):  # one student at a time, in turn: load drifts
            for label in sorted(steps, reverse=number % 2 == 1):
                started = time.perf_counter()
                with ThreadPoolExecutor(jobs) as pool:
                    runs = [
                        pool.submit(grade_notebook, m, submission, settings, verdicts=timers[label],
                                    kernel_run=steps[label])
                        for m in masters
                    ]  # fmt: skip
                    grades = [run.result() for run in runs]
                seconds[label] += (time.perf_counter() - started) / students
                points[label] += sum(grade.score for grade in grades)
    print(f"\ngrading {students} copies of the whole course ({len(masters)} notebooks), --jobs {jobs}, bwrap")
    most = students * sum(m.max_points for m in masters)
    table = [[label, f"{value:.1f} s", f"{points[label]:g} / {most:g}"] for label, value in seconds.items()]
    print(format_table(["grading", "per student", "points (the masters' answers)"], table))
    landed, new = seconds.values()
    print(f"judge alone against nbval + judge: {new / landed:.2f}x (target: at most 22 s per student)")
    timed = timers[next(iter(steps))]
    rows = [[name, f"{value / students:.2f} s"] for name, value in sorted(timed.seconds.items())]
    rows.append(["all", f"{sum(timed.seconds.values()) / students:.2f} s"])
    print(format_table(["notebook", "the judge's sandboxed runs, per student (summed over runs at once)"], rows))


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--course-students", type=int, default=2)
    parser.add_argument("--parts", nargs="+", choices=["sandbox", "judge"], default=["sandbox", "judge"])
    args = parser.parse_args(argv)
    if "sandbox" in args.parts:
        sandbox_part(args)
    if "judge" in args.parts:
        judge_part(args.course_students, max(args.jobs))


def sandbox_part(args: argparse.Namespace) -> None:
    """Grade one small notebook with and without the sandbox, and with ``--jobs``; print the table."""
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-") as tmp:
        root = Path(tmp)
        master_path = _master(root / "masters")
        _class(master_path, root / "submissions", args.students)
        masters = [load_master(master_path)]
        submissions = discover(root / "submissions")
        runs = [("none", 1)] + [("bwrap", jobs) for jobs in args.jobs]
        rows, seconds_per = [], {}
        for sandbox in ("none", "bwrap"):  # warm-up, not timed: the first run pays for cold caches
            grade_class(masters, submissions[:2], root / f"warm-{sandbox}.csv", root / f"warm-{sandbox}",
                        settings=RunSettings(sandbox=sandbox), progress=False, preflight=False)  # fmt: skip
        for sandbox, jobs in runs:
            started = time.perf_counter()
            result = grade_class(
                masters, submissions, root / f"gradebook-{sandbox}-{jobs}.csv", root / f"feedback-{sandbox}-{jobs}",
                settings=RunSettings(sandbox=sandbox, jobs=jobs), progress=False, preflight=False,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            scores = sorted(row["total"] for row in result.rows.values())
            assert scores.count("1") == (args.students + 1) // 2, scores  # every right answer got its point
            seconds_per[sandbox, jobs] = seconds / args.students
            rows.append([f"--sandbox {sandbox} --jobs {jobs}", f"{seconds:.1f} s", f"{seconds / args.students:.2f} s"])
    print(f"grading {args.students} submissions of one small notebook; available cpus: {available_cpus()}")
    print(format_table(["run", "wall time", "per notebook"], rows))
    if ("bwrap", 1) in seconds_per:
        cost = seconds_per["bwrap", 1] / seconds_per["none", 1]
        print(f"sandbox cost, bwrap vs none (--jobs 1): {cost:.2f}x (target <= 1.15x)")
        best = max(jobs for _, jobs in seconds_per)
        if best > 1:
            speedup = seconds_per["bwrap", 1] / seconds_per["bwrap", best]
            print(f"speedup --jobs {best} vs --jobs 1 (bwrap): {speedup:.2f}x (target >= 1.7x on 2 cores)")


if __name__ == "__main__":
    main()
