"""Grade a class: every submission against every master, in parallel and resumably, as named steps.

:func:`grade_class` composes them::

    prepare          resolve the sandbox, remove run folders of a killed grader, a cancel event
    to_grade         students already in the gradebook are skipped (unless forced or ``error``)
    grade_students   every notebook of every student, ``settings.jobs`` at a time (grade.grade_notebook)
    Records.add      after each student: the gradebook rewritten atomically, their feedback written
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from tqdm.auto import tqdm

from .feedback import write_feedback
from .grade import grade_notebook, unscored
from .gradebook import read_gradebook, write_gradebook
from .notebook import Master
from .preflight import GradingUnavailable, Preflight
from .results import STATUS, BatchResult, NotebookGrade, Status, StudentGrade
from .runner import stop_all_runs
from .sandbox import SandboxUnavailable, clean_stale_runs, resolve
from .settings import DEFAULT_SETTINGS, RunSettings
from .submissions import Submission

__all__ = ["Records", "grade_class", "grade_students", "prepare", "to_grade"]


def prepare(settings: RunSettings) -> RunSettings:
    """``settings`` for a batch: the sandbox resolved (:class:`GradingUnavailable` if it cannot run), a cancel event.

    Also removes the run folders and control groups a killed grader left.
    """
    try:
        mode = resolve(settings.sandbox)
    except SandboxUnavailable as exc:
        raise GradingUnavailable(str(exc)) from None
    clean_stale_runs()
    return replace(settings, sandbox=mode, jobs=max(1, settings.jobs), cancel=threading.Event())


def to_grade(
    submissions: Sequence[Submission], rows: Mapping[str, Mapping[str, str]], force: bool = False
) -> tuple[list[Submission], list[str]]:
    """The submissions to grade, and the names of those skipped: already in ``rows`` (unless ``force``),
    except those whose grading failed (status ``error``)."""
    todo, skipped = [], []
    for submission in submissions:
        previous = rows.get(submission.name)
        if previous is not None and not force and previous.get(STATUS) != Status.ERROR:
            skipped.append(submission.name)
        else:
            todo.append(submission)
    return todo, skipped


def _grade_safely(
    master: Master, submission: Submission, settings: RunSettings, preflight: Preflight | None
) -> NotebookGrade:
    """:func:`~.grade.grade_notebook`, turning a grader bug on one submission into an ``error`` grade for it."""
    try:
        return grade_notebook(master, submission, settings, preflight)
    except (GradingUnavailable, SandboxUnavailable, KeyboardInterrupt):
        raise
    except Exception as exc:
        return unscored(master, Status.ERROR, f"grader error: {type(exc).__name__}: {exc}")


def grade_students(
    masters: Sequence[Master],
    submissions: Sequence[Submission],
    settings: RunSettings,
    preflight: Preflight | None = None,
    executor: Executor | None = None,
) -> Iterator[StudentGrade]:
    """Grade every notebook of every submission, ``settings.jobs`` at a time; yield each student when done.

    ``settings`` comes from :func:`prepare`.  ``executor`` is where the notebooks are
    graded: by default ``settings.jobs`` threads here, or a dask cluster's
    (:class:`.cluster.ClusterExecutor`); either runs the same ``_grade_safely``.
    On an exception (Ctrl-C, grading unavailable) every run in progress is stopped
    before it propagates.
    """
    grades: dict[str, list[NotebookGrade | None]] = {s.name: [None] * len(masters) for s in submissions}
    executor = executor or ThreadPoolExecutor(max_workers=settings.jobs, thread_name_prefix="grade")
    futures: dict[Future[NotebookGrade], tuple[str, int]] = {}
    try:
        for submission in submissions:
            for index, master in enumerate(masters):
                future = executor.submit(_grade_safely, master, submission, settings, preflight)
                futures[future] = (submission.name, index)
        for future in as_completed(futures):
            name, index = futures[future]
            grades[name][index] = future.result()
            if all(grade is not None for grade in grades[name]):
                yield StudentGrade(name, tuple(grades.pop(name)))
    except BaseException:
        if settings.cancel is not None:
            settings.cancel.set()
        for future in futures:
            future.cancel()
        stop_all_runs()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


class Records:
    """The gradebook and the feedback folder of a batch; :meth:`add` records one student in both, at once."""

    def __init__(self, gradebook: str | Path, feedback_dir: str | Path, masters: Sequence[Master], unsandboxed: bool):
        self.gradebook, self.feedback_dir = Path(gradebook), Path(feedback_dir)
        self.rows = read_gradebook(self.gradebook) if self.gradebook.exists() else {}
        self._notebooks = [master.name for master in masters]
        self._unsandboxed = unsandboxed

    def add(self, student: StudentGrade) -> None:
        """Put ``student``'s row in the gradebook (rewritten atomically) and write their feedback file."""
        self.rows[student.name] = student.row()
        write_gradebook(self.gradebook, self.rows, self._notebooks)
        write_feedback(self.feedback_dir, student, unsandboxed=self._unsandboxed)


def grade_class(
    masters: Sequence[Master],
    submissions: Sequence[Submission],
    gradebook: str | Path,
    feedback_dir: str | Path,
    *,
    settings: RunSettings = DEFAULT_SETTINGS,
    force: bool = False,
    progress: bool = True,
    preflight: bool = True,
    on_student: Callable[[StudentGrade], None] | None = None,
    executor: Executor | None = None,
) -> BatchResult:
    """Grade every submission against every master, ``settings.jobs`` notebooks at a time.

    After each student the gradebook is rewritten atomically and their feedback
    file written, so an interrupted batch loses nothing already graded.  Students
    already in the gradebook are skipped (unless ``force``), except those whose
    grading failed (status ``error``).  Raises :class:`GradingUnavailable` when the
    sandbox asked for (``settings.sandbox``) cannot run, or a trivial notebook cannot
    be graded (with ``preflight``).  Run folders left by a killed grader are removed.
    With an ``executor`` (a dask cluster's, see :mod:`.cluster`) the notebooks are
    graded there, whose workers have resolved and checked the sandbox instead.
    """
    if not masters:
        raise ValueError("no master notebook with check cells to grade against")
    settings = prepare(settings) if executor is None else replace(settings, cancel=threading.Event())
    records = Records(gradebook, feedback_dir, masters, unsandboxed=settings.sandbox == "none")
    todo, skipped = to_grade(submissions, records.rows, force)
    result = BatchResult(skipped=skipped, rows=records.rows, sandbox=settings.sandbox)
    first_run = Preflight(settings) if preflight else None
    bar = tqdm(total=len(todo), unit="student", desc="grading", disable=not progress, file=sys.stderr)
    students = grade_students(masters, todo, settings, first_run, executor)
    with bar, contextlib.closing(students):  # closing: an exception here stops the runs in progress too
        for student in students:
            records.add(student)
            result.graded.append(student)
            bar.set_postfix_str(student.name, refresh=False)
            bar.update(1)
            if on_student is not None:
                on_student(student)
    return result
