"""Tests for mpcourse/grading/notebook.py: reading and checking masters, their answers, checks and stubs."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_fixtures import SOLUTIONS, build_basics

from mpcourse.grading.notebook import MasterError, load_master


def test_master_lists_answers_and_checks_with_points(basics):
    """Are answers, checks, points, hidden checks and the answers each check grades read right?"""
    assert [a.cell_id for a in basics.answers] == ["answer-one", "answer-two"]
    assert [(c.cell_id, c.points, c.hidden, c.answers) for c in basics.checks] == [
        ("check-one", 2, False, ("answer-one",)),
        ("check-two", 1, False, ("answer-two",)),
        ("check-hidden", 1, True, ("answer-two",)),
    ]
    assert [c.code_index for c in basics.checks] == [2, 4, 5]  # nbval's "Cell N" counts code cells only
    assert basics.checks[0].name == "the answer is 42"
    assert basics.max_points == 4


def test_stub_says_what_to_define_and_gives_nothing_away(basics):
    """Does the generated stub name what the check reads, and nothing of the solution?"""
    one, two = (a.stub for a in basics.answers)
    assert "# Define here: answer" in one
    assert "# Define here: double" in two
    assert "check_answer" not in one  # defined by the notebook's own setup cell
    assert "sum(" not in one and "x + x" not in two
    assert all(line.startswith(("#", "answer = ...  #")) for line in one.splitlines())  # comments, a placeholder


def test_stub_from_metadata_and_from_solution_markers(tmp_path):
    """Does an author's stub, or a scaffold around ### BEGIN/END SOLUTION, win over the generated one?"""
    notebook = build_basics()
    notebook.cells[3].metadata["mpcourse"] = {"stub": "answer = ...  # six times seven"}
    notebook.cells[6].source = "def double(x):\n    ### BEGIN SOLUTION\n    return x + x\n    ### END SOLUTION\n"
    nbformat.write(notebook, tmp_path / "01_basics.ipynb")
    master = load_master(tmp_path / "01_basics.ipynb")
    assert master.answers[0].stub == "answer = ...  # six times seven"
    assert master.answers[1].stub == "def double(x):\n    ...  # YOUR CODE HERE"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda nb: nb.cells[4].update(outputs=[]), "no stored output"),
        (lambda nb: nb.cells[4].metadata.update(mpcourse={"points": -1}), "negative"),
        (lambda nb: nb.cells[4].metadata.update(mpcourse={"points": "two"}), "must be a number"),
        (lambda nb: nb.cells[4].metadata["tags"].append("answer"), "both answer and check"),
        (lambda nb: [nb.update(nbformat_minor=4), *(cell.pop("id") for cell in nb.cells)], "no ids"),
    ],
)
def test_bad_masters_say_what_to_fix(tmp_path, change, message):
    notebook = build_basics()
    change(notebook)
    path = tmp_path / "01_basics.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(MasterError, match=message):
        load_master(path)


def test_unexecuted_master_can_be_released_but_not_graded(tmp_path):
    notebook = build_basics()
    notebook.cells[4].outputs = []
    nbformat.write(notebook, tmp_path / "01_basics.ipynb")
    assert load_master(tmp_path / "01_basics.ipynb", executed=False).checks
    with pytest.raises(MasterError):
        load_master(tmp_path / "01_basics.ipynb")


def test_solutions_fixture_matches_masters():
    assert set(SOLUTIONS) == {"answer-one", "answer-two", "answer-pool"}
