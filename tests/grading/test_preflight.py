"""Tests for mpcourse/grading/preflight.py: a machine where no notebook can be graded stops the batch at once."""

from __future__ import annotations

import pytest
from grading_fixtures import orphans, require_bwrap, write_masters

from mpcourse.cli import main


@pytest.fixture(autouse=True)
def _sandbox_available():
    """These tests grade, and the grader refuses to run learner code without its sandbox."""
    require_bwrap()


def test_grading_that_cannot_run_exits_1(tmp_path, capsys):
    """With too little memory for any kernel, the preflight stops the batch: exit 1, nothing graded."""
    masters = write_masters(tmp_path / "masters")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "subs" / "alice" / "01_basics.ipynb").write_bytes((masters / "01_basics.ipynb").read_bytes())
    args = ["grade", str(tmp_path / "subs"), "--master", str(masters), "--out", str(tmp_path / "g.csv")]
    assert main([*args, "--memory-mb", "40", "--no-progress", "--timeout", "60"]) == 1
    assert "grading cannot run" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()
    assert orphans() == []
