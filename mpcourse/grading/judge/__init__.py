"""Verdicts no learner code can forge: graded checks judged outside the learner's kernel.

The judge never runs learner code itself and imports no learner module.  For
each check cell of a master it finds the judge-side :class:`~.exercise.Exercise`
standing in for the check the cell calls (``check_squares`` imported from
``mpcourse.checks.q6`` → :mod:`.q6`).  That exercise reads the submission's
answer cells as text: literals with :func:`ast.literal_eval`; code only in a
fresh sandboxed child per check, traced from outside (:mod:`._trace`), on inputs
drawn for this run, which sends back plain JSON.  What the learner's kernel
printed under the check decides nothing for these checks.

Checks that judge the kernel's own measurement (:data:`mpcourse.checks.SELF_CHECKS`,
in cells tagged ``self-check``, not ``check``) are shown but not graded.  A check with no
judge (a teacher's own check function) is still scored from the kernel's output,
and said so (:data:`KERNEL`).
"""

from __future__ import annotations

import ast
from typing import Any

from ...checks import SELF_CHECKS
from ..notebook import SELF_CHECK, Check, Master, MasterError
from ..results import Verdict
from ..settings import DEFAULT_SETTINGS, RunSettings
from ..stubs import source_text
from ..verdicts import kernel_verdicts
from . import q1, q2, q3, q4, q5, q6, q7, q8, q9
from .answers import answer_cells
from .exercise import Context, Exercise, verdict_line

__all__ = ["EXERCISES", "KERNEL", "classify", "judge_check", "judge_notebook", "judge_verdicts"]

#: Every judged exercise, by (check module, check function).
_CHAPTERS = (q1, q2, q3, q4, q5, q6, q7, q8, q9)
EXERCISES: dict[tuple[str, str], Exercise] = {
    (exercise.module, exercise.check): exercise for chapter in _CHAPTERS for exercise in chapter.EXERCISES
}
#: How a check without a judge is scored: from the kernel's output, as before the judge.
KERNEL = "kernel"


def _imported_checks(master: Master) -> dict[str, str]:
    """Names the master imports from ``mpcourse.checks.*`` (name -> module)."""
    names: dict[str, str] = {}
    for cell in master.notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse("\n".join(line for line in source_text(cell.source).splitlines()
                                       if not line.lstrip().startswith(("%", "!"))))  # fmt: skip
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mpcourse.checks"):
                names.update({alias.asname or alias.name: str(node.module) for alias in node.names})
    return names


def _called(source: str) -> str | None:
    """The function a check cell calls (``check_x(...)``), or ``None``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    if len(calls) == 1 and isinstance(calls[0].value.func, ast.Name):
        return calls[0].value.func.id
    return None


def classify(master: Master) -> dict[str, Any]:
    """For each check cell id: its :class:`Exercise` (judged) or :data:`KERNEL` (scored from the kernel's output).

    A check cell calling a self-check raises :class:`~..notebook.MasterError`: tag it ``self-check``.
    """
    imported = _imported_checks(master)
    kinds: dict[str, Any] = {}
    for check in master.checks:
        cell = master.notebook.cells[check.index]
        name = _called(source_text(cell.source))
        exercise = EXERCISES.get((imported.get(name or ""), name or ""))
        if name in SELF_CHECKS and name in imported:
            raise MasterError(
                f"{master.path.name}, check cell {check.cell_id}: {name} judges the learner's own measurement, "
                f"which learner code can bend; tag the cell {SELF_CHECK!r} instead of 'check' (shown, not graded)"
            )
        if exercise is not None:
            kinds[check.cell_id] = exercise
        else:
            kinds[check.cell_id] = KERNEL
    return kinds


def judge_check(master: Master, notebook: Any, check: Check, exercise: Exercise, settings: RunSettings) -> Verdict:
    """Judge one check of ``notebook`` (the master with a submission's answers merged in)."""
    context = Context(answer_cells(master, notebook, check.index), settings)
    passed, hint = exercise.judge(context)
    return Verdict(bool(passed), verdict_line(exercise.title, bool(passed), hint))


def judge_notebook(
    master: Master, notebook: Any, settings: RunSettings = DEFAULT_SETTINGS, skip: frozenset[str] = frozenset()
) -> dict[str, Verdict]:
    """The judge's verdict on every judged check of ``master`` (by cell id) except those in ``skip``."""
    kinds = classify(master)
    verdicts = {}
    for check in master.checks:
        exercise = kinds[check.cell_id]
        if isinstance(exercise, Exercise) and check.cell_id not in skip:
            verdicts[check.cell_id] = judge_check(master, notebook, check, exercise, settings)
    return verdicts


def judge_verdicts(master: Master, merged: Any, run: Any, settings: RunSettings) -> dict[str, Verdict]:
    """The grading step that turns a run into verdicts (a :data:`~..verdicts.VerdictStep`), with the judge.

    Judged checks get the judge's verdict, whatever the kernel printed; checks
    without a judge keep the kernel's (:func:`~..verdicts.kernel_verdicts`).
    Checks not attempted are not judged (they score 0 anyway).
    """
    verdicts = dict(kernel_verdicts(master, merged, run, settings))
    verdicts.update(judge_notebook(master, merged.notebook, settings, frozenset(merged.checks_not_attempted(master))))
    return verdicts
