"""Grading on a dask cluster: its cost against the local grader, and the client's own cost per task.

Part ``class``: the same generated class (one small notebook per student) graded
locally with ``--jobs 2``, on a ``LocalCluster`` of 2 worker processes (one
thread each) and on one of 1 worker process with 2 threads, in turn (the order
turning each round), ``--rounds`` times.  Prints the wall time of each (the
cluster's start and worker checks shown apart: a teacher pays them once per batch)
and the ratio (target: the cluster at most 1.1x the local time).  One to three minutes.

Part ``client``: ``--students`` x ``--notebooks`` tasks through the whole client path
(``grade_class``: submissions read, tasks sent, grades gathered, gradebook and feedback
written) on a ``LocalCluster`` of 2 workers, with a stub grading function that
returns at once: what is left is the client's (and scheduler's) own cost per task.
Prints it, then the estimate for a class of 300 students x 8 notebooks on 50 workers
from it and from the time a notebook takes to grade (``--notebook-seconds``: the
local grader's 44 s per eight-notebook student at ``--jobs 2`` on 2 cores is 11 s of
one grading slot per notebook).

    python benchmarks/cluster_grading.py [--students 3000/8] [--class-students 16] [--parts class client]
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mpcourse import available_cpus
from mpcourse.grading import batch
from mpcourse.grading.batch import grade_class
from mpcourse.grading.cluster import ClusterExecutor, cluster_client
from mpcourse.grading.grade import unscored
from mpcourse.grading.notebook import load_master
from mpcourse.grading.results import Status
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import discover
from mpcourse.grading.summary import format_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading_throughput import _class, _master  # the same generated class as the local benchmark


def class_part(students: int, rounds: int) -> None:
    """Grade one class locally (--jobs 2) and on LocalClusters of 2 threads in all, in turn; print each, the ratios."""
    layouts = {"LocalCluster of 2 workers x 1 thread": (2, 1), "LocalCluster of 1 worker x 2 threads": (1, 2)}
    seconds: dict[str, list[float]] = {"local --jobs 2": [], **{label: [] for label in layouts}}
    startup: list[float] = []
    scores: dict[str, dict[str, tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-cluster-") as tmp:
        root = Path(tmp)
        master_path = _master(root / "masters")
        _class(master_path, root / "submissions", students)
        masters = [load_master(master_path)]
        submissions = discover(root / "submissions")
        settings = RunSettings(sandbox="bwrap", jobs=2)

        def grade(label: str, number: int, executor: ClusterExecutor | None = None) -> None:
            out = root / f"{label.replace(' ', '-')}-{number}"
            started = time.perf_counter()
            result = grade_class(
                masters, submissions, out / "gradebook.csv", out / "feedback",
                settings=settings if executor is None else RunSettings(sandbox="bwrap"),
                progress=False, preflight=False, executor=executor,
            )  # fmt: skip
            seconds[label].append(time.perf_counter() - started)
            scores[label] = {name: (row["total"], row["status"]) for name, row in result.rows.items()}

        def on_cluster(label: str, number: int) -> None:
            started = time.perf_counter()
            workers, threads = layouts[label]
            with cluster_client(local_workers=workers, threads=threads) as client:
                executor = ClusterExecutor.start(client, masters, RunSettings(sandbox="bwrap"))
                startup.append(time.perf_counter() - started)
                grade(label, number, executor)

        grade_class(masters, submissions[:2], root / "warm.csv", root / "warm", settings=settings, progress=False)
        labels = list(seconds)
        for number in range(rounds):  # the order turns each round: the machine's load drifts
            for label in labels[number % len(labels) :] + labels[: number % len(labels)]:
                if label in layouts:
                    on_cluster(label, number)
                else:
                    grade(label, number)
    assert all(grades == scores["local --jobs 2"] for grades in scores.values()), scores  # the same grades
    cpus = available_cpus()
    print(f"grading {students} submissions of one small notebook, {rounds} round(s); available cpus: {cpus}")
    local = sum(seconds["local --jobs 2"])
    rows = [[label, " ".join(f"{s:.1f}" for s in values), f"{sum(values) / len(values) / students:.2f} s",
             f"{sum(values) / local:.2f}x"] for label, values in seconds.items()]  # fmt: skip
    print(format_table(["run", "wall time per round (s)", "per notebook", "vs local"], rows))
    print(f"cluster start and worker checks (once per batch): {sum(startup) / len(startup):.1f} s")
    print("target: the cluster at most 1.1x the local time")


def stub_grade(master, submission, settings, preflight, cancel):
    """A grading function that grades nothing: it returns every check unscored at once."""
    return unscored(master, Status.OK)


def client_part(students: int, notebooks: int, notebook_seconds: float) -> None:
    """The whole client path for ``students`` x ``notebooks`` tasks with a stub grading function; the estimate."""
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-client-") as tmp:
        root = Path(tmp)
        first = _master(root / "masters")
        for number in range(2, notebooks + 1):
            shutil.copyfile(first, root / "masters" / f"{number:02d}_bench.ipynb")
        masters = [load_master(path) for path in sorted((root / "masters").glob("*.ipynb"))]
        _class(first, root / "submissions", students)
        for folder in (root / "submissions").iterdir():
            for master in masters[1:]:
                shutil.copyfile(folder / first.name, folder / master.path.name)
        submissions = discover(root / "submissions")
        real = batch._grade_safely
        batch._grade_safely = stub_grade  # the workers run the stub; everything on the client is the real path
        try:
            with cluster_client(local_workers=2) as client:
                executor = ClusterExecutor.start(client, masters, RunSettings(sandbox="bwrap"))
                started, cpu = time.perf_counter(), time.process_time()
                grade_class(
                    masters, submissions, root / "gradebook.csv", root / "feedback",
                    settings=RunSettings(sandbox="bwrap"), progress=False, executor=executor,
                )  # fmt: skip
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            batch._grade_safely = real
    tasks = students * len(masters)
    per_task = wall / tasks
    print(f"\n{tasks} tasks ({students} students x {len(masters)} notebooks), stub grading, LocalCluster of 2")
    print(format_table(["", "total", "per task"], [
        ["wall time", f"{wall:.1f} s", f"{per_task * 1000:.1f} ms"],
        ["client process CPU (scheduler included)", f"{cpu:.1f} s", f"{cpu / tasks * 1000:.1f} ms"],
    ]))  # fmt: skip
    class_tasks, workers = 300 * 8, 50
    grading = class_tasks * notebook_seconds / workers
    client_bound = class_tasks * per_task
    estimate = max(grading, client_bound) + notebook_seconds
    print(
        f"estimate, 300 students x 8 notebooks on {workers} one-slot workers: {class_tasks} tasks x "
        f"{notebook_seconds:g} s / {workers} = {grading / 60:.1f} min of grading; the client sends and records "
        f"them in {client_bound:.0f} s (one task every {per_task * 1000:.1f} ms, at most "
        f"{math.floor(notebook_seconds / per_task)} workers kept busy); about {estimate / 60:.0f} min in all "
        f"(plus the worker checks, and the last notebook's tail), against "
        f"{class_tasks * notebook_seconds / 2 / 3600:.1f} h on a 2-core machine with --jobs 2"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-students", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--students", type=int, default=375, help="students of the client part (x --notebooks)")
    parser.add_argument("--notebooks", type=int, default=8)
    parser.add_argument("--notebook-seconds", type=float, default=11.0)
    parser.add_argument("--parts", nargs="+", choices=["class", "client"], default=["class", "client"])
    args = parser.parse_args(argv)
    if "class" in args.parts:
        class_part(args.class_students, args.rounds)
    if "client" in args.parts:
        client_part(args.students, args.notebooks, args.notebook_seconds)


if __name__ == "__main__":
    main()
