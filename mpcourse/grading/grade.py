"""Grade submissions against masters: one notebook, or a whole class in parallel and resumably."""

from __future__ import annotations

import sys
import threading
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from tqdm.auto import tqdm

from ..checks import FAIL_MARK, PASS_MARK
from .feedback import write_feedback
from .gradebook import read_gradebook, write_gradebook
from .notebook import Check, InvalidNotebook, Master, merge, read_submission
from .results import STATUS, BatchResult, CheckResult, NotebookGrade, Outcome, Status, StudentGrade
from .runner import DEFAULT_SETTINGS, CellRun, RunSettings, check_runner, run_notebook, stop_all_runs
from .sandbox import SandboxUnavailable, clean_stale_runs, resolve
from .submissions import Submission, TooLarge

__all__ = [
    "BatchResult",
    "CheckResult",
    "GradingUnavailable",
    "NotebookGrade",
    "StudentGrade",
    "grade_class",
    "grade_notebook",
]


class GradingUnavailable(RuntimeError):
    """Grading cannot run on this machine as configured (not a student's fault)."""


def _unscored(master: Master, status: Status, detail: str = "") -> NotebookGrade:
    """A notebook that could not be run: every check scores 0."""
    checks = tuple(CheckResult(c.name, c.points, 0, Outcome.NOT_GRADED, hidden=c.hidden) for c in master.checks)
    return NotebookGrade(master.name, status, checks, detail)


class Preflight:
    """Check once, before the first real run, that a trivial notebook can be graded at all."""

    def __init__(self, settings: RunSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._done = False
        self._problem: str | None = None

    def ensure(self) -> None:
        """Raise :class:`GradingUnavailable` if grading cannot run here."""
        with self._lock:
            if not self._done:
                try:
                    self._problem = check_runner(self._settings)
                except Exception as exc:  # e.g. the run could not even start
                    self._problem = f"{type(exc).__name__}: {exc}"
                self._done = True
        if self._problem:
            raise GradingUnavailable(self._problem)


def _hint(output: str) -> str:
    """The check's own line(s) (``PASS: …`` / ``NOT YET: … Hint: …``) out of all a check cell showed.

    A check cell also shows the check's return value (``Out: False``); when no
    line is a check line (the cell raised), everything it showed is the hint.
    """
    lines = [line for line in output.splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith((PASS_MARK, FAIL_MARK))]
    return "\n".join(marked or lines)


def _check_result(check: Check, outcome: Outcome, cell: CellRun | None) -> CheckResult:
    output = ""
    if cell is not None:
        output = _hint(cell.output) or cell.reason
    earned = check.points if outcome == Outcome.PASS else 0
    return CheckResult(check.name, check.points, earned, outcome, output, check.hidden)


def grade_notebook(
    master: Master,
    submission: Submission,
    settings: RunSettings = DEFAULT_SETTINGS,
    preflight: Preflight | None = None,
) -> NotebookGrade:
    """Grade ``submission``'s copy of ``master``: merge its answers, run it, score the check cells."""
    if submission.problem:
        return _unscored(master, Status.INVALID_SUBMISSION, submission.problem)
    try:
        data = submission.read(master.path.name)
    except TooLarge as exc:
        return _unscored(master, Status.INVALID_NOTEBOOK, str(exc))
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError) as exc:
        return _unscored(master, Status.INVALID_NOTEBOOK, f"cannot read {master.path.name}: {exc}")
    if data is None:
        return _unscored(master, Status.MISSING, f"no file named {master.path.name}")
    try:
        merged = merge(master, read_submission(data))
    except InvalidNotebook as exc:
        return _unscored(master, Status.INVALID_NOTEBOOK, str(exc))
    not_attempted = merged.checks_not_attempted(master)
    if all(check.cell_id in not_attempted for check in master.checks):
        checks = tuple(_check_result(c, Outcome.NOT_ATTEMPTED, None) for c in master.checks)
        return NotebookGrade(master.name, Status.OK, checks)
    if preflight is not None:
        preflight.ensure()
    run = run_notebook(merged.notebook, master.path.name, settings)
    results = []
    for check in master.checks:
        cell = run.cells.get(check.code_index)
        if check.cell_id in not_attempted:
            results.append(_check_result(check, Outcome.NOT_ATTEMPTED, None))
        elif cell is None:
            results.append(_check_result(check, Outcome.NOT_RUN, None))
        else:
            results.append(_check_result(check, Outcome.PASS if cell.passed else Outcome.FAIL, cell))
    note = ""
    if run.status == Status.OK and run.leftovers:
        count = "1 process" if run.leftovers == 1 else f"{run.leftovers} processes"
        note = (
            f"{count} your notebook started {'was' if run.leftovers == 1 else 'were'} still running at the end "
            "and had to be stopped: close and join every pool and process (with-blocks, join())."
        )
    return NotebookGrade(master.name, run.status, tuple(results), run.detail, note)


def _grade_safely(master: Master, submission: Submission, *args) -> NotebookGrade:
    """:func:`grade_notebook`, turning a grader bug on one submission into an ``error`` grade for it."""
    try:
        return grade_notebook(master, submission, *args)
    except (GradingUnavailable, SandboxUnavailable, KeyboardInterrupt):
        raise
    except Exception as exc:
        return _unscored(master, Status.ERROR, f"grader error: {type(exc).__name__}: {exc}")


def grade_class(
    masters: Sequence[Master],
    submissions: Sequence[Submission],
    gradebook: str | Path,
    feedback_dir: str | Path,
    *,
    jobs: int = 1,
    settings: RunSettings = DEFAULT_SETTINGS,
    force: bool = False,
    progress: bool = True,
    preflight: bool = True,
    on_student: Callable[[StudentGrade], None] | None = None,
) -> BatchResult:
    """Grade every submission against every master, ``jobs`` notebooks at a time.

    After each student the gradebook is rewritten atomically and their feedback
    file written, so an interrupted batch loses nothing already graded.  Students
    already in the gradebook are skipped (unless ``force``), except those whose
    grading failed (status ``error``).  Raises :class:`GradingUnavailable` when the
    sandbox asked for (``settings.sandbox``) cannot run, or a trivial notebook cannot
    be graded (with ``preflight``).  Run folders left by a killed grader are removed.
    """
    if not masters:
        raise ValueError("no master notebook with check cells to grade against")
    try:
        mode = resolve(settings.sandbox)
    except SandboxUnavailable as exc:
        raise GradingUnavailable(str(exc)) from None
    clean_stale_runs()
    cancel = threading.Event()
    settings = replace(settings, sandbox=mode, jobs=max(1, jobs), cancel=cancel)
    gradebook, feedback_dir = Path(gradebook), Path(feedback_dir)
    names = [master.name for master in masters]
    result = BatchResult(rows=read_gradebook(gradebook) if gradebook.exists() else {}, sandbox=mode)
    todo = []
    for submission in submissions:
        previous = result.rows.get(submission.name)
        if previous is not None and not force and previous.get(STATUS) != Status.ERROR:
            result.skipped.append(submission.name)
        else:
            todo.append(submission)
    check = Preflight(settings) if preflight else None
    grades: dict[str, list[NotebookGrade | None]] = {s.name: [None] * len(masters) for s in todo}
    bar = tqdm(total=len(todo), unit="student", desc="grading", disable=not progress, file=sys.stderr)

    def finish(name: str) -> None:
        student = StudentGrade(name, tuple(grades.pop(name)))
        result.rows[name] = student.row()
        write_gradebook(gradebook, result.rows, names)
        write_feedback(feedback_dir, student, unsandboxed=mode == "none")
        result.graded.append(student)
        bar.set_postfix_str(name, refresh=False)
        bar.update(1)
        if on_student is not None:
            on_student(student)

    executor = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="grade")
    futures: dict[Future[NotebookGrade], tuple[str, int]] = {}
    try:
        for submission in todo:
            for index, master in enumerate(masters):
                future = executor.submit(_grade_safely, master, submission, settings, check)
                futures[future] = (submission.name, index)
        for future in as_completed(futures):
            name, index = futures[future]
            grades[name][index] = future.result()
            if all(grade is not None for grade in grades[name]):
                finish(name)
    except BaseException:
        cancel.set()
        for future in futures:
            future.cancel()
        stop_all_runs()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        bar.close()
    return result
