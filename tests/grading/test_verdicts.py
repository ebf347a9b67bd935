"""Tests for mpcourse/grading/verdicts.py: today's verdict step reads each check cell's result of the run."""

from __future__ import annotations

from mpcourse.grading.results import Status, Verdict
from mpcourse.grading.runner import CellRun, RunResult
from mpcourse.grading.settings import DEFAULT_SETTINGS
from mpcourse.grading.verdicts import check_lines, kernel_verdicts


def test_check_lines_keep_the_checks_own_lines():
    """Of all a check cell showed, the PASS / NOT YET lines are what the learner is shown."""
    assert check_lines("noise\nNOT YET: squares. Hint: use map\nFalse\n") == "NOT YET: squares. Hint: use map"
    assert check_lines("\nNameError: name 'f' is not defined\n") == "NameError: name 'f' is not defined"


def test_kernel_verdicts_come_from_the_check_cells_of_the_run(basics):
    """A check gets the verdict of its own cell (by nbval's number); a cell that never ran gives none."""
    one, two, hidden = basics.checks
    run = RunResult(
        Status.OK,
        {
            one.code_index: CellRun(True, "PASS: the answer is 42\n"),
            two.code_index: CellRun(False, "", "AssertionError: outputs differ"),
        },
    )
    verdicts = kernel_verdicts(basics, None, run, DEFAULT_SETTINGS)  # type: ignore[arg-type]
    assert verdicts == {
        one.cell_id: Verdict(True, "PASS: the answer is 42"),
        two.cell_id: Verdict(False, "AssertionError: outputs differ"),
    }
    assert hidden.cell_id not in verdicts
