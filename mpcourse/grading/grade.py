"""Grade one notebook of one student, as named steps: read, merge, run, verdicts, score.

:func:`grade_notebook` composes them::

    merge_submission  the submission's copy of the master (or a near-named one), its
                      answer cells merged into the master, flags for the teacher -> or unscored
    (not attempted)   every check's answers still the stub, no cell of
                      the learner's own                                 -> 0 points, no run
    run_notebook      nbval in a sandbox, only when a check is scored
                      from the kernel's output (every course check is
                      judged, so the course's notebooks skip it)        -> RunResult
    verdicts          per-check Verdicts (judge_verdicts: graded checks judged outside the kernel,
                      on the learner's own code cells)
    score_checks      points per check, with the answers' fingerprints  -> NotebookGrade
                      (identical.answer_fingerprints)

A step that cannot go on raises :class:`Unscored`: the notebook then gets that status
and every check 0.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from .identical import answer_fingerprints
from .judge import KERNEL, all_judged, classify, judge_verdicts
from .merge import InvalidNotebook, Merged, SubmittedCell, merge, read_submission
from .notebook import Master
from .preflight import Preflight
from .results import CheckResult, NotebookGrade, Outcome, Status, Verdict
from .runner import RunResult, run_notebook
from .settings import DEFAULT_SETTINGS, RunSettings
from .submissions import Submission, TooLarge
from .verdicts import VerdictStep

__all__ = [
    "Unscored",
    "grade_notebook",
    "leftover_note",
    "merge_submission",
    "read_notebook",
    "score_checks",
    "unscored",
]


class Unscored(Exception):
    """A notebook that cannot be run: its status and why (every check scores 0)."""

    def __init__(self, status: Status, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def unscored(master: Master, status: Status, detail: str = "") -> NotebookGrade:
    """The grade of a notebook that could not be run: every check ``not graded``, 0 points."""
    checks = tuple(CheckResult(c.name, c.points, 0, Outcome.NOT_GRADED, hidden=c.hidden) for c in master.checks)
    return NotebookGrade(master.name, status, checks, detail)


def _read(submission: Submission, filename: str) -> bytes | None:
    """The bytes of ``filename`` in ``submission`` (``None`` if absent); :class:`Unscored` when it cannot be read."""
    try:
        return submission.read(filename)
    except TooLarge as exc:
        raise Unscored(Status.INVALID_NOTEBOOK, str(exc)) from None
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError) as exc:
        raise Unscored(Status.INVALID_NOTEBOOK, f"cannot read {filename}: {exc}") from None


def read_notebook(master: Master, submission: Submission) -> bytes:
    """The submission's file named like ``master``; :class:`Unscored` when there is none or it cannot be read."""
    if submission.problem:
        raise Unscored(Status.INVALID_SUBMISSION, submission.problem)
    data = _read(submission, master.path.name)
    if data is None:
        raise Unscored(Status.MISSING, f"no file named {master.path.name}")
    return data


def _answered(merged: Merged) -> int:
    return sum(merged.attempted.values())


def merge_submission(master: Master, submission: Submission) -> Merged:
    """The submission's notebook merged into ``master``: the file named like it, or a near-named one with more answers.

    A near-named notebook (``… (1).ipynb``, ``Copy of …``, ``…-Copy1``, other
    case) beside or instead of the expected one is read too; the one holding the
    most answers is graded (the expected one on a tie), and the flags say so.
    Raises :class:`Unscored` or :class:`InvalidNotebook` when none can be graded.
    """
    filename = master.path.name
    near = [] if submission.problem else _near(submission, filename)
    if not near:
        return merge(master, read_submission(read_notebook(master, submission)))
    found: dict[str, Merged] = {}
    problems: dict[str, Exception] = {}
    for name in [filename, *near]:
        try:
            data = _read(submission, name)
            if data is not None:
                found[name] = merge(master, read_submission(data))
        except (Unscored, InvalidNotebook) as exc:
            problems[name] = exc if name == filename else Unscored(Status.INVALID_NOTEBOOK, f"{name!r}: {exc}")
    if not found:
        missing = Unscored(Status.MISSING, f"no file named {filename}")
        raise problems.get(filename) or next(iter(problems.values()), missing)
    graded = max(found, key=lambda name: (_answered(found[name]), name == filename))
    flags = []
    if graded != filename:
        beside = f"{filename!r} holds {_answered(found[filename])}" if filename in found else f"no file {filename!r}"
        flags.append(f"graded {graded!r}, which holds {_answered(found[graded])} answer(s), instead: {beside}")
    for name in sorted(set(found) - {graded}):
        if _answered(found[name]):
            flags.append(f"{name!r} holds {_answered(found[name])} answer(s) too, not graded: look at it")
    flags += [f"{name!r} is not graded: {exc}" for name, exc in problems.items()]
    return replace(found[graded], flags=(*flags, *found[graded].flags))


def _near(submission: Submission, filename: str) -> list[str]:
    """The near-named notebooks of ``submission`` (an unreadable submission has none here: reading says why)."""
    try:
        return submission.near_named(filename)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return []


def score_checks(
    master: Master, not_attempted: Collection[str], verdicts: Mapping[str, Verdict]
) -> tuple[CheckResult, ...]:
    """Each check's points: all for a passing verdict, 0 for a failing one, a missing one or an unattempted check."""
    results = []
    for check in master.checks:
        verdict = verdicts.get(check.cell_id)
        if check.cell_id in not_attempted:
            outcome, output = Outcome.NOT_ATTEMPTED, ""
        elif verdict is None:
            outcome, output = Outcome.NOT_RUN, ""
        else:
            outcome, output = (Outcome.PASS if verdict.passed else Outcome.FAIL), verdict.output
        earned = check.points if outcome == Outcome.PASS else 0
        results.append(CheckResult(check.name, check.points, earned, outcome, output, check.hidden))
    return tuple(results)


def leftover_note(run: RunResult) -> str:
    """Advice when a run that finished still had processes of the notebook's running."""
    if run.status != Status.OK or not run.leftovers:
        return ""
    count = "1 process" if run.leftovers == 1 else f"{run.leftovers} processes"
    return (
        f"{count} your notebook started {'was' if run.leftovers == 1 else 'were'} still running at the end "
        "and had to be stopped: close and join every pool and process (with-blocks, join())."
    )


def grade_notebook(
    master: Master,
    submission: Submission,
    settings: RunSettings = DEFAULT_SETTINGS,
    preflight: Preflight | None = None,
    *,
    verdicts: VerdictStep = judge_verdicts,
    kernel_run: bool | None = None,
) -> NotebookGrade:
    """Grade ``submission``'s copy of ``master``: merge its answers, run it, score the checks by ``verdicts``.

    ``kernel_run``: run the notebook with nbval (``True``), never (``False``), or only when a
    check is scored from the kernel's output (``None``, the default).
    """
    try:
        merged = merge_submission(master, submission)
    except InvalidNotebook as exc:
        return unscored(master, Status.INVALID_NOTEBOOK, str(exc))
    except Unscored as stop:
        return unscored(master, stop.status, stop.detail)
    not_attempted = merged.checks_not_attempted(master)
    fingerprints = answer_fingerprints(master, merged)
    learner = [{"source": cell.source, "tags": list(cell.tags), "id": cell.cell_id} for cell in merged.submitted]
    if _own_cells(master, merged.submitted):  # the answer may be in a cell of the learner's own: the judge looks
        judged = {cell_id for cell_id, kind in classify(master).items() if kind != KERNEL}
        not_attempted -= judged
    if all(check.cell_id in not_attempted for check in master.checks):
        checks = score_checks(master, not_attempted, {})
        return NotebookGrade(master.name, Status.OK, checks, flags=merged.flags, answers=fingerprints)
    if preflight is not None:
        preflight.ensure()
    if kernel_run is False or (kernel_run is None and all_judged(master)):
        run = RunResult(Status.OK)
    else:
        run = run_notebook(merged.notebook, master.path.name, settings)
    judged = verdicts(master, merged, run, settings, learner)
    checks = score_checks(master, not_attempted, judged)
    status, detail = run.status, run.detail
    if status == Status.OK and any(verdict.timed_out for verdict in judged.values()):
        status, detail = Status.TIMEOUT, "a judged exercise did not finish in time (its hint says which)"
    return NotebookGrade(master.name, status, checks, detail, leftover_note(run), merged.flags, fingerprints)


def _own_cells(master: Master, submitted: Sequence[SubmittedCell]) -> bool:
    """Did the learner add code cells of their own (ids the master does not have), where an answer may be?"""
    ids = {cell.get("id") for cell in master.notebook.cells}
    return any(cell.source.strip() and cell.cell_id not in ids for cell in submitted)
