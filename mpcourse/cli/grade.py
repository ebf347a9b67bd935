"""``mpcourse grade``: grade a folder of submissions into a gradebook and per-student feedback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .adjustments import add_adjustment_options, read_adjustments, remembered_adjustments
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, MASTER_HELP, error, load_masters

__all__ = ["add_command"]

_GRADE_EPILOG = """\
SUBMISSIONS holds one folder or one .zip per student (the student's name is the
folder name, or the zip's name without .zip) with their notebooks inside, at any
depth.  Each check of the course is judged outside the learner's kernel: the
learner's own code cells (those the answer needs, in their order) run in a sandbox
(bubblewrap: no network, nothing of this machine but the system and Python:
docs/teachers/sandbox.md) under a tracer, on inputs drawn now (docs/teachers/judge.md).
A check of your own is scored by nbval on the master with the student's answer
cells put in.  Points: the check cell's metadata ("mpcourse": {"points": N}).
An answer cell still holding the release stub is "not attempted" (0 points).
Each row records what was graded (a content hash of the notebooks) and when: a
re-run grades new students, and again those whose submission changed (status
error too); --student NAME grades or regrades just those, --force everyone.
The teacher's adjustments (--overrides, --extensions, --due, --late-penalty)
are applied to every student at each run, without running anything again; a
run without them uses the last run's (--forget-adjustments drops them).

outputs:
  the gradebook CSV (one row per student: a column per notebook, total, max,
  status, details; late, penalty, adjusted when used; graded, hash), one
  Markdown feedback file per student listing every check with pass/fail and
  its hint (full results in feedback/.results/, for `gradebook export`, `report`)
  and GRADEBOOK-identical-answers.csv (who handed in the same answer).  Status
  is the worst of: ok, review (graded; the details say what to look at: a
  renamed or copied notebook, a copied answer cell, %solution used), missing,
  timeout, invalid notebook, error (the run failed, or their feedback could not
  be written), invalid submission (a zip rejected: path traversal, zip bomb).
  Names and texts from submissions are shown as inert text: no control
  character, formula, Markdown or HTML, nor a path of this machine.  Alice/
  beside alice/ is not graded (one file on macOS, Windows): rename one.

exit status:
  0 when the batch completed (whatever the students scored), 1 when grading
  itself could not run (no kernel could start, or --sandbox auto/bwrap and
  bubblewrap cannot run: install it, or pass --sandbox none), 2 for bad arguments or a
  bad master, 130 when interrupted (what was graded is kept).

examples:
  python -m mpcourse grade submissions/ --out gradebook.csv
  python -m mpcourse grade submissions/ --out gradebook.csv --jobs 2 --timeout 60
  python -m mpcourse grade submissions/ --master teacher/notebooks --memory-mb 4096
  python -m mpcourse grade submissions/ --sandbox none   # no bubblewrap (macOS): only for code you trust
  python -m mpcourse grade submissions/ --student alice --student bob   # just these two, again
  python -m mpcourse grade submissions/ --due 2026-12-01T23:59 --late-penalty 10 \\
      --overrides overrides.csv --extensions extensions.csv
  python -m mpcourse grade m1/submissions/ --out m1/gradebook.csv --shard 1/2   # on machine 1
  python -m mpcourse grade m2/submissions/ --out m2/gradebook.csv --shard 2/2   # on machine 2
  python -m mpcourse gradebook merge m1/gradebook.csv m2/gradebook.csv --out gradebook.csv
  python -m mpcourse grade submissions/ --scheduler tcp://10.0.0.5:8786   # on a dask cluster
  python -m mpcourse grade submissions/ --local-cluster 2   # a dask LocalCluster of 2 workers, here
"""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _memory(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a number of megabytes, not {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N such as 1/2, not {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"need 1 <= K <= N in K/N, not {text!r}")
    return index, count


def add_command(commands: Any) -> None:
    """Add ``grade`` to the subcommands ``commands``; its defaults are those of ``RunSettings`` and ``Limits``."""
    from ..grading.sandbox import MODES
    from ..grading.settings import DEFAULT_SETTINGS as defaults  # light: no nbformat, so --help stays quick

    grade = commands.add_parser(
        "grade",
        help="grade a folder of submissions into a gradebook and feedback",
        description="Grade every student's notebooks against the masters: judged checks, nbval for the rest.",
        epilog=_GRADE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("submissions", metavar="SUBMISSIONS", type=Path, help="one folder or .zip per student")
    grade.add_argument(
        "--out", metavar="FILE", type=Path, default=Path("gradebook.csv"),
        help="gradebook CSV to write (default: gradebook.csv); its students are graded again if their work changed",
    )  # fmt: skip
    grade.add_argument(
        "--feedback", metavar="DIR", type=Path,
        help="folder for the per-student feedback files (default: feedback/ next to the gradebook)",
    )  # fmt: skip
    grade.add_argument("--master", metavar="DIR", type=Path, help=MASTER_HELP)
    grade.add_argument(
        "--jobs", metavar="N", type=_positive_int, default=defaults.jobs,
        help="notebooks graded at the same time (default: %(default)s; about one per core)",
    )  # fmt: skip
    grade.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds, default=defaults.limits.timeout,
        help="wall-clock limit of each sandboxed run: a notebook's nbval run (kernel start included), "
        "or one judged exercise, which also stops at 30 s; then every process of the run is killed "
        "and the notebook gets status timeout (default: %(default)g)",
    )  # fmt: skip
    grade.add_argument(
        "--memory-mb", metavar="MB", type=_memory, default=defaults.limits.memory_mb,
        help="memory limit in megabytes of each process of a notebook run (RLIMIT_AS) and, when grading as root, "
        "of the whole run (cgroup); 0 for none (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--processes", metavar="N", type=_memory, default=defaults.limits.processes,
        help="most processes a notebook run may have at once; 0 for no limit (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--disk-mb", metavar="MB", type=_memory, default=defaults.limits.disk_mb,
        help="megabytes a notebook run may write (its folder, HOME and /tmp); 0 for no limit (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--sandbox", choices=MODES, default=defaults.sandbox,
        help="where learner code runs: bwrap (bubblewrap: no network, sees only its own run), auto (bwrap, "
        "and refuse to grade when it cannot run), none (no sandbox: only for code you trust) (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--shard", metavar="K/N", type=_shard,
        help="grade only shard K of N: every N-th student by sorted name, starting with the K-th",
    )  # fmt: skip
    where = grade.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="grade on the workers of this dask scheduler (e.g. tcp://10.0.0.5:8786), each notebook a task; "
        "every worker is checked first (see docs/teachers/cluster.md)",
    )  # fmt: skip
    where.add_argument(
        "--local-cluster", metavar="N", type=_positive_int,
        help="grade on a dask LocalCluster of N worker processes started here (to try the cluster path)",
    )  # fmt: skip
    grade.add_argument(
        "--student", metavar="NAME", action="append",
        help="grade (or grade again) only this student, as named in the gradebook; repeat for several",
    )  # fmt: skip
    add_adjustment_options(grade)
    grade.add_argument("--force", action="store_true", help="grade again every student, changed or not")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(run=grade_command)


def _settings(args: argparse.Namespace) -> Any:
    """The :class:`~mpcourse.grading.settings.RunSettings` the options ask for."""
    from ..grading.limits import Limits
    from ..grading.settings import RunSettings

    limits = Limits(timeout=args.timeout, memory_mb=args.memory_mb, processes=args.processes, disk_mb=args.disk_mb)
    return RunSettings(limits=limits, sandbox=args.sandbox, jobs=args.jobs)


def _one_student_hint(folder: Path, masters: list[Any]) -> str | None:
    """What to say when ``folder`` holds notebooks of the masters itself: it is one student's submission."""
    names = sorted(master.path.name for master in masters if (folder / master.path.name).is_file())
    if not names:
        return None
    parent = folder.resolve().parent
    return (
        f"{folder} holds {', '.join(names)} itself: it looks like one student's submission, not a folder of them. "
        f"Grade the folder that holds it: python -m mpcourse grade {parent} --student {folder.resolve().name}"
    )


def _chosen(submissions: list[Any], names: list[str]) -> tuple[list[Any], list[str]]:
    """The submissions named (exactly, else ignoring case), and the names that match none."""
    by_name = {submission.name: submission for submission in submissions}
    folded = {submission.name.casefold(): submission for submission in submissions}
    chosen, unknown = [], []
    for name in names:
        submission = by_name.get(name) or folded.get(name.casefold())
        if submission is None:
            unknown.append(name)
        elif submission not in chosen:
            chosen.append(submission)
    return chosen, unknown


def _grade(
    args: argparse.Namespace, masters: list, submissions: list, feedback: Path, grade_class: Any, **options: Any
) -> Any:
    """Grade with ``--jobs`` threads here, or on a dask cluster (``--scheduler``, ``--local-cluster``)."""
    settings = _settings(args)
    if not (args.scheduler or args.local_cluster):
        return grade_class(masters, submissions, args.out, feedback, settings=settings, **options)
    from dataclasses import replace

    from ..grading.cluster import ClusterExecutor, cluster_client

    with cluster_client(args.scheduler, args.local_cluster or 0) as client:
        executor = ClusterExecutor.start(client, masters, settings)
        return grade_class(
            masters, submissions, args.out, feedback,
            settings=replace(settings, sandbox=executor.sandbox), executor=executor, **options,
        )  # fmt: skip


def grade_command(args: argparse.Namespace) -> int:
    """Grade the submissions, print the summary; exit 0 when the batch completed (see the epilog)."""
    if os.name != "posix":
        return error("grade", "grading needs Linux or macOS (it limits and kills process groups)", EXIT_FAILED)
    from ..grading.batch import grade_class
    from ..grading.collect import attach_times
    from ..grading.gradebook import GradebookError
    from ..grading.identical import identical_answers, identical_path, write_identical
    from ..grading.neutralise import for_terminal
    from ..grading.overrides import AdjustmentsError, exercise_name
    from ..grading.preflight import GradingUnavailable
    from ..grading.submissions import shard, survey
    from ..grading.summary import format_summary

    if not args.submissions.is_dir():
        return error("grade", f"{args.submissions} is not a folder")
    masters, code = load_masters(args.master, "grade")
    if masters is None:
        return code
    masters = [master for master in masters if master.checks]
    if not masters:
        return error("grade", "no master notebook has a check cell")
    feedback = args.feedback or args.out.parent / "feedback"
    try:
        remembered = remembered_adjustments(args, feedback)
        adjustments = read_adjustments(args)
    except AdjustmentsError as exc:
        return error("grade", str(exc))
    except OSError as exc:
        return error("grade", f"cannot write beside the feedback ({exc}); name another --feedback")
    if remembered:
        print(f"adjustments of the last run: {' '.join(remembered)} (--forget-adjustments drops them)")
    exercises = [(master.name, check.name) for master in masters for check in master.checks]
    unknown = adjustments.unknown_exercises(exercises)
    if unknown:
        names = "; ".join(exercise_name(notebook, check) for notebook, check in exercises)
        return error(
            "grade", f"the overrides name exercises no master has: {', '.join(unknown)} (the exercises: {names})"
        )
    submissions, unread = survey(args.submissions)
    submissions = [s for s in submissions if s.path.resolve() != feedback.resolve()]
    submissions, unread = attach_times(args.submissions, submissions, unread)
    if not submissions:
        hint = _one_student_hint(args.submissions, masters)
        if hint:
            return error("grade", hint)
    if args.student:
        submissions, unknown = _chosen(submissions, args.student)
        if unknown:
            shown = ", ".join(for_terminal(name) for name in unknown)
            return error("grade", f"no submission named {shown} in {args.submissions} (names as in the gradebook)")
    if args.shard:
        submissions = shard(submissions, *args.shard)
    try:
        result = _grade(
            args, masters, submissions, feedback, grade_class, adjustments=adjustments,
            force=args.force or bool(args.student), progress=not args.no_progress,
        )  # fmt: skip
    except GradebookError as exc:
        return error("grade", f"{exc}; move it away or name another --out")
    except GradingUnavailable as exc:
        return error("grade", f"grading cannot run: {exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the students graded so far are in {args.out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(format_summary(masters, result, unread))
    unknown = adjustments.unknown_students(result.rows)
    if unknown:
        names = ", ".join(for_terminal(name) for name in unknown)
        print(f"warning: the overrides or extensions name students not in the gradebook: {names}", file=sys.stderr)
    same = write_identical(identical_path(args.out), groups := identical_answers(result.class_grades))
    print(f"\ngradebook: {args.out}\nfeedback:  {feedback}/\nsame answers: {same} ({len(groups)} group(s))")
    return EXIT_OK
