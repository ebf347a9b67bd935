"""The step that turns a run into per-check verdicts: the one place that decides which checks passed.

A verdict step is any function with the signature of :data:`VerdictStep`: it gets
the master, the merged notebook (the master with the learner's answers), the run of
that notebook, the run's settings and the learner's own code cells (``{"source",
"tags"}`` each, in the learner's order), and returns a :class:`~.results.Verdict` per
check, keyed by the check cell's id.  A check it leaves out is ``not run``; checks
whose answers were not attempted are scored 0 unless it passes them (the answer was
found in a cell of the learner's own).

:func:`kernel_verdicts` is the kernel's step: a check passes when nbval found that its
cell, run in the learner's kernel, showed the master's stored output.  A judge that
learner code cannot reach replaces it (see ``grade_notebook``'s ``verdicts``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..course_format import FAIL_MARK, PASS_MARK
from .merge import Merged
from .notebook import Master
from .results import Verdict
from .runner import RunResult
from .settings import RunSettings

__all__ = ["VerdictStep", "check_lines", "kernel_verdicts"]

#: ``(master, merged, run, settings, learner cells) -> {check cell id: Verdict}``.
VerdictStep = Callable[[Master, Merged, RunResult, RunSettings, list[dict[str, Any]]], Mapping[str, Verdict]]


def check_lines(output: str) -> str:
    """The check's own line(s) (``PASS: …`` / ``NOT YET: … Hint: …``) out of all a check cell showed.

    A check cell also shows the check's return value (``Out: False``); when no
    line is a check line (the cell raised), everything it showed is the hint.
    """
    lines = [line for line in output.splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith((PASS_MARK, FAIL_MARK))]
    return "\n".join(marked or lines)


def kernel_verdicts(
    master: Master, merged: Merged, run: RunResult, settings: RunSettings, learner: Any = None
) -> dict[str, Verdict]:
    """Each check cell's verdict as nbval gave it in the learner's kernel (passed: it showed the master's output)."""
    verdicts = {}
    for check in master.checks:
        cell = run.cells.get(check.code_index)
        if cell is not None:
            verdicts[check.cell_id] = Verdict(cell.passed, check_lines(cell.output) or cell.reason)
    return verdicts
