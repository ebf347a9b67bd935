"""Grade a class: every submission against every master, in parallel and resumably, as named steps.

:func:`grade_class` composes them::

    prepare          resolve the sandbox, remove run folders of a killed grader
    (refused)        names that would share a file on macOS or Windows (collisions.refused)
    to_grade         students whose submission is unchanged since it was graded are skipped
                     (unless forced or ``error``); those whose content hash changed are graded again
    grade_students   every notebook of every student, ``settings.jobs`` at a time (grade.grade_notebook)
    Records.add      after each student: the teacher's adjustments applied, the gradebook rewritten
                     atomically, their feedback and result written (a write that fails is their status)
    Records.readjust every student not graded now: adjustments applied again (no run), rows updated
    Records.finals   the whole class's final grades, for the summary
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from tqdm.auto import tqdm

from .collisions import refused
from .driver import cancelled_by, stop_all_runs
from .feedback import write_feedback
from .grade import grade_notebook, unscored
from .gradebook import read_gradebook, write_gradebook
from .neutralise import for_terminal
from .notebook import Master
from .overrides import Adjustments
from .preflight import GradingUnavailable, Preflight
from .results import DETAILS, HASH, STATUS, BatchResult, NotebookGrade, Status, StudentGrade, by_name
from .runfolders import clean_stale_runs
from .sandbox import SandboxUnavailable, resolve
from .settings import DEFAULT_SETTINGS, RunSettings
from .store import ResultStore
from .submissions import Submission

__all__ = ["Plan", "Records", "grade_class", "grade_students", "prepare", "to_grade"]


def prepare(settings: RunSettings) -> RunSettings:
    """``settings`` for a batch: the sandbox resolved (:class:`GradingUnavailable` if it cannot run).

    Also removes the run folders and control groups a killed grader left.
    """
    try:
        mode = resolve(settings.sandbox)
    except SandboxUnavailable as exc:
        raise GradingUnavailable(str(exc)) from None
    clean_stale_runs()
    return replace(settings, sandbox=mode, jobs=max(1, settings.jobs))


@dataclass
class Plan:
    """What a batch grades: the submissions to grade, the names skipped (unchanged), those graded again because
    their submission changed, and each submission's content hash."""

    todo: list[Submission] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)


def to_grade(
    submissions: Sequence[Submission],
    rows: Mapping[str, Mapping[str, str]],
    force: bool = False,
    filenames: Sequence[str] = (),
) -> Plan:
    """Which submissions to grade: new ones, changed ones (their hash of ``filenames`` differs from their row's),
    those whose grading failed (status ``error``), and all with ``force``; the others are skipped."""
    plan = Plan()
    for submission in submissions:
        digest = plan.digests[submission.name] = submission.digest(filenames)
        previous = rows.get(submission.name)
        if previous is None or force or previous.get(STATUS) == Status.ERROR:
            plan.todo.append(submission)
        elif previous.get(HASH, digest) != digest:
            plan.todo.append(submission)
            plan.changed.append(submission.name)
        else:
            plan.skipped.append(submission.name)
    return plan


def _grade_safely(
    master: Master, submission: Submission, settings: RunSettings, preflight: Preflight | None, cancel: threading.Event
) -> NotebookGrade:
    """:func:`~.grade.grade_notebook` (its runs do not start once ``cancel`` is set), turning a grader bug on one
    submission into an ``error`` grade for it."""
    try:
        with cancelled_by(cancel):
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
    On an exception (Ctrl-C, grading unavailable) no run starts any more and every
    run in progress is stopped before it propagates.
    """
    grades: dict[str, list[NotebookGrade | None]] = {s.name: [None] * len(masters) for s in submissions}
    executor = executor or ThreadPoolExecutor(max_workers=settings.jobs, thread_name_prefix="grade")
    futures: dict[Future[NotebookGrade], tuple[str, int]] = {}
    cancel = threading.Event()
    try:
        for submission in submissions:
            for index, master in enumerate(masters):
                future = executor.submit(_grade_safely, master, submission, settings, preflight, cancel)
                futures[future] = (submission.name, index)
        for future in as_completed(futures):
            name, index = futures[future]
            grades[name][index] = future.result()
            if all(grade is not None for grade in grades[name]):
                yield StudentGrade(name, tuple(grades.pop(name)))
    except BaseException:
        cancel.set()
        for future in futures:
            future.cancel()
        stop_all_runs()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


class Records:
    """The gradebook, the feedback folder and the stored results of a batch; :meth:`add` records one student in
    all of them, with the teacher's adjustments applied."""

    def __init__(
        self,
        gradebook: str | Path,
        feedback_dir: str | Path,
        masters: Sequence[Master],
        unsandboxed: bool,
        adjustments: Adjustments | None = None,
    ):
        self.gradebook, self.feedback_dir = Path(gradebook), Path(feedback_dir)
        self.rows = read_gradebook(self.gradebook) if self.gradebook.exists() else {}
        self.store = ResultStore(self.feedback_dir)
        self.adjustments = adjustments or Adjustments()
        self._notebooks = [master.name for master in masters]
        self._unsandboxed = unsandboxed

    def add(self, automatic: StudentGrade) -> StudentGrade:
        """Record a student's automatic grade with the adjustments applied: their gradebook row (rewritten
        atomically), feedback and result; return the final grade.  A failure to write their feedback or result
        (or a grader bug while rendering it) becomes their status, not the batch's end."""
        final = self.adjustments.apply(automatic)
        row = final.row()
        try:
            write_feedback(self.feedback_dir, final, unsandboxed=self._unsandboxed)
            self.store.save(automatic, final)
        except Exception as exc:  # the grader's own I/O for this student: their status
            row[STATUS] = str(Status.ERROR)
            row[DETAILS] = f"feedback not written ({type(exc).__name__}: {exc}); a re-run tries again"
        self.rows[automatic.name] = row
        write_gradebook(self.gradebook, self.rows, self._notebooks)
        return final

    def readjust(self, names: Sequence[str]) -> list[str]:
        """Apply the adjustments again to the students ``names`` from their stored results (nothing runs);
        return those whose adjustments changed since their row was written."""
        changed = []
        for name in names:
            stored = self.store.load(name)
            if stored is None or name not in self.rows:
                continue
            if self.adjustments.apply(stored.automatic).row() != stored.final.row():  # (a hand-edited row stays)
                self.add(stored.automatic)
                changed.append(name)
        return changed

    def finals(self) -> list[StudentGrade]:
        """The final grade of every student in the gradebook whose result is stored, sorted by name."""
        return self.store.finals(sorted(self.rows, key=by_name))


def _graded_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
    adjustments: Adjustments | None = None,
    on_student: Callable[[StudentGrade], None] | None = None,
    executor: Executor | None = None,
) -> BatchResult:
    """Grade every submission against every master, ``settings.jobs`` notebooks at a time.

    After each student the gradebook is rewritten atomically and their feedback
    and result written, so an interrupted batch loses nothing already graded.
    Students whose submission is unchanged since it was graded (same content
    hash) are skipped (unless ``force``), except those whose grading failed
    (status ``error``); the teacher's ``adjustments`` are applied to every
    student, graded now or not.  A submission whose name differs from another's
    only in case or accents is refused (see :mod:`.collisions`).  Raises :class:`GradingUnavailable` when the
    sandbox asked for (``settings.sandbox``) cannot run, or a trivial notebook cannot
    be graded (with ``preflight``).  Run folders left by a killed grader are removed.
    With an ``executor`` (a dask cluster's, see :mod:`.cluster`) the notebooks are
    graded there, whose workers have resolved and checked the sandbox instead.
    """
    if not masters:
        raise ValueError("no master notebook with check cells to grade against")
    settings = prepare(settings) if executor is None else settings
    records = Records(gradebook, feedback_dir, masters, settings.sandbox == "none", adjustments)
    refusals = refused([submission.name for submission in submissions], records.rows)
    submissions = [submission for submission in submissions if submission.name not in refusals]
    plan = to_grade(submissions, records.rows, force, [master.path.name for master in masters])
    by_student = {submission.name: submission for submission in plan.todo}
    result = BatchResult(skipped=plan.skipped, changed=plan.changed, rows=records.rows, sandbox=settings.sandbox)
    result.refused = sorted(refusals.items(), key=lambda item: by_name(item[0]))
    first_run = Preflight(settings) if preflight else None
    bar = tqdm(total=len(plan.todo), unit="student", desc="grading", disable=not progress, file=sys.stderr)
    students = grade_students(masters, plan.todo, settings, first_run, executor)
    with bar, contextlib.closing(students):  # closing: an exception here stops the runs in progress too
        for student in students:
            submission = by_student[student.name]
            student = replace(
                student, digest=plan.digests[student.name], graded=_graded_now(), submitted=submission.handed_in()
            )
            final = records.add(student)
            result.graded.append(final)
            bar.set_postfix_str(for_terminal(student.name)[:40], refresh=False)
            bar.update(1)
            if on_student is not None:
                on_student(final)
    result.adjusted = records.readjust([name for name in sorted(records.rows, key=by_name) if name not in by_student])
    result.class_grades = records.finals()
    return result
