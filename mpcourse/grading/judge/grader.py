"""Verdicts no learner code can forge: each graded check judged outside the learner's kernel.

For each check cell of a master the judge finds the exercise the cell calls
(``check_run_all(...)`` → exercise ``run_all``, from the registry of
:mod:`mpcourse.checks.exercise`) and its gatherer here (:mod:`.exercise`).  The
gatherer runs the learner's own code cells (those the answer depends on, picked
inside the sandbox) with a probe, in a fresh traced sandbox, and the exercise's one
verdict function decides, the same function the learner's kernel called.  A
function answer is judged under the platform's start method and under spawn (what
macOS and Windows use): it must pass both.

Checks of the kernel's own measurement (:data:`mpcourse.checks.SELF_CHECKS`, cells
tagged ``self-check``) are shown, not graded.  A check with no exercise (a teacher's
own check function) is scored from the kernel's output (:data:`KERNEL`).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from ...checks import SELF_CHECKS
from ...checks.exercise import Exercise, find, verdict_line
from ...course_format import SELF_CHECK, called_check, cell_tags, source_text
from ..notebook import Master, MasterError
from ..results import Verdict
from ..settings import DEFAULT_SETTINGS, RunSettings
from ..verdicts import kernel_verdicts
from .exercise import Context, find_gatherer

__all__ = [
    "KERNEL",
    "SPAWN_FIX",
    "all_judged",
    "classify",
    "judge_check",
    "judge_notebook",
    "judge_verdicts",
    "learner_cells",
]

#: How a check without a judge is scored: from the kernel's output.
KERNEL = "kernel"

#: What a learner does about an answer that fails under one start method only.
SPAWN_FIX = (
    "define functions that run in a child in a %%worker cell (or a module), at the top level, never in a "
    'plain notebook cell; in a script, start processes under if __name__ == "__main__":'
)


def classify(master: Master) -> dict[str, Any]:
    """For each check cell id: its :class:`~mpcourse.checks.exercise.Exercise` (judged) or :data:`KERNEL`.

    A check cell calling a self-check raises :class:`~..notebook.MasterError`: tag it ``self-check``.
    A check function the master defines itself is the teacher's: scored from the kernel.
    """
    defined = "\n".join(source_text(cell.source) for cell in master.notebook.cells if cell.cell_type == "code")
    kinds: dict[str, Any] = {}
    for check in master.checks:
        name = called_check(source_text(master.notebook.cells[check.index].source)) or ""
        if name in SELF_CHECKS:
            raise MasterError(
                f"{master.path.name}, check cell {check.cell_id}: {name} judges the learner's own measurement, "
                f"which learner code can bend; tag the cell {SELF_CHECK!r} instead of 'check' (shown, not graded)"
            )
        exercise = find(name)
        own = f"def {name}(" in defined
        judged = exercise is not None and not own and find_gatherer(exercise.name) is not None
        kinds[check.cell_id] = exercise if judged else KERNEL
    return kinds


def all_judged(master: Master) -> bool:
    """Is every check of ``master`` judged (so the learner's kernel decides nothing, and need not run)?"""
    return all(isinstance(kind, Exercise) for kind in classify(master).values())


def learner_cells(notebook: Any) -> list[dict[str, Any]]:
    """A notebook's code cells as the judge's child takes them (source, tags, id), in the notebook's order."""
    return [
        {"source": source_text(cell.get("source", "")), "tags": cell_tags(cell), "id": cell.get("id")}
        for cell in notebook.cells
        if cell.get("cell_type") == "code"
    ]


def _methods(exercise: Exercise) -> list[str | None]:
    """The start methods an answer is judged under: the platform's (``None``), and spawn if that is fork.

    Under forkserver (Python 3.14's default) a child inherits nothing of the parent's state,
    as under spawn, so the answer is judged once.
    """
    if exercise.children and multiprocessing.get_context().get_start_method() == "fork":
        return [None, "spawn"]
    return [None]


def judge_check(cells: list[dict[str, Any]], exercise: Exercise, settings: RunSettings = DEFAULT_SETTINGS) -> Verdict:
    """Judge one exercise on the learner's code cells: its verdict under every start method it is judged under."""
    gatherer = find_gatherer(exercise.name)
    assert gatherer is not None, exercise.name
    outcomes = []
    for method in _methods(exercise):
        data = gatherer(Context(cells, settings, start_method=method))
        if data.get("grading_failed"):  # the sandbox failed (a busy machine): once more before it counts
            data = gatherer(Context(cells, settings, start_method=method))
        passed, hint = exercise.judge(data)
        outcomes.append((method, passed, hint, bool(data.get("grading_failed")), bool(data.get("timed_out"))))
        if not passed:
            break
    method, passed, hint, failed_here, timed_out = outcomes[-1]
    if not passed and method is not None and not failed_here:
        hint = (
            f"it works under this machine's start method but not under {method} (macOS, Windows): {hint}. {SPAWN_FIX}"
        )
    return Verdict(passed, verdict_line(exercise.title, passed, hint), timed_out=not passed and timed_out)


def judge_notebook(
    master: Master,
    learner: Any,
    settings: RunSettings = DEFAULT_SETTINGS,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Verdict]:
    """The judge's verdict on every judged check of ``master`` except those in ``skip``.

    ``learner`` is the learner's notebook (its code cells are what is judged), or its cells as
    :func:`learner_cells` gives them.
    """
    cells = learner if isinstance(learner, list) else learner_cells(learner)
    kinds = classify(master)
    verdicts = {}
    for check in master.checks:
        exercise = kinds[check.cell_id]
        if isinstance(exercise, Exercise) and check.cell_id not in skip:
            verdicts[check.cell_id] = judge_check(cells, exercise, settings)
    return verdicts


def judge_verdicts(
    master: Master, merged: Any, run: Any, settings: RunSettings, learner: Any = None
) -> dict[str, Verdict]:
    """The grading step that turns a run into verdicts (a :data:`~..verdicts.VerdictStep`), with the judge.

    Judged checks get the judge's verdict on the learner's own cells (``learner``; by
    default the merged notebook's); checks without a judge keep the kernel's.  A check
    whose answers still hold the stub is not judged, unless the learner wrote cells of
    their own (the answer may be there).
    """
    verdicts = dict(kernel_verdicts(master, merged, run, settings))
    cells = learner if learner is not None else learner_cells(merged.notebook)
    ids = {cell.get("id") for cell in master.notebook.cells}
    own = any(cell.get("source", "").strip() and cell.get("id") not in ids for cell in cells)
    skip = frozenset() if own else frozenset(merged.checks_not_attempted(master))
    verdicts.update(judge_notebook(master, cells, settings, skip))
    return verdicts
