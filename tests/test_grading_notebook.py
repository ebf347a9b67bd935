"""Tests for mpcourse/grading/notebook.py and stubs.py: reading masters and submissions, merging answers."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_fixtures import SOLUTIONS, build_basics, build_processes, executed, solved, write_masters

from mpcourse.grading.merge import InvalidNotebook, merge, read_submission
from mpcourse.grading.notebook import MasterError, load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.stubs import generated_stub, is_attempted, remove_solution


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    return write_masters(tmp_path_factory.mktemp("masters"))


@pytest.fixture(scope="module")
def basics(masters):
    return load_master(masters / "01_basics.ipynb")


def _cells(notebook) -> list:
    return read_submission(nbformat.writes(notebook).encode())


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


def test_remove_solution_rejects_unclosed_markers():
    with pytest.raises(ValueError, match="without"):
        remove_solution("### BEGIN SOLUTION\nx = 1\n")


def test_stub_keeps_a_cell_magic_and_lists_its_own_names():
    """A %%worker answer keeps its magic line; two answers feeding one check each list their own names."""
    stub = generated_stub("%%worker\ndef f(x):\n    return x\n", ["check(f, values)"], [])
    assert stub.splitlines()[0] == "%%worker"
    assert stub.endswith("# Define here: f\nf = ...  # replace ... with your answer")
    assert "# Define here: values\nvalues = ..." in generated_stub("values = [1]", ["check(f, values)"], [])


def test_is_attempted():
    stub = "# YOUR ANSWER: write it here"
    assert not is_attempted(stub, stub)
    assert not is_attempted(stub + "\n\n   ", stub)
    assert not is_attempted("# only a comment\n", stub)
    assert is_attempted("answer = 1", stub)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not json {", "invalid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "no cells"),
        (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "wrong nbformat 3"),
        (json.dumps({"nbformat": 5, "cells": []}).encode(), "wrong nbformat 5"),
        (json.dumps({"nbformat": 4, "cells": {}}).encode(), "not a list"),
        (json.dumps({"nbformat": 4, "cells": [{"source": "x"}]}).encode(), "cell 0"),
        (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}).encode(), "not text"),
    ],
)
def test_malformed_submissions_are_invalid_notebooks(data, message):
    """Is every kind of broken file an InvalidNotebook with a reason, never a crash?"""
    with pytest.raises(InvalidNotebook, match=message):
        read_submission(data)


def test_merge_takes_answers_by_id_and_everything_else_from_the_master(basics):
    """Do tampered check cells and extra cells in a submission change nothing?"""
    copy = solved(student_copy(basics), {"answer-one": "answer = 42"})
    for cell in copy.cells:
        if cell.get("id") == "check-one":
            cell.source = 'print("PASS: the answer is 42")'
    copy.cells.append(nbformat.v4.new_code_cell("answer = 42  # extra cell", id="extra"))
    merged = merge(basics, _cells(copy))
    sources = {cell.id: cell.source for cell in merged.notebook.cells}
    assert sources["answer-one"] == "answer = 42"
    assert sources["check-one"] == "check_answer(answer)"
    assert "extra" not in sources
    assert sources["check-hidden"] == "check_double_negative(double)"
    assert merged.notebook.cells[3].outputs == [] and merged.notebook.cells[3].execution_count is None
    assert merged.notebook.cells[4].outputs  # the check keeps the master's expected output
    assert merged.attempted == {"answer-one": True, "answer-two": False}
    assert merged.checks_not_attempted(basics) == {"check-two", "check-hidden"}


def test_merge_falls_back_to_tag_and_position(basics):
    """When ids changed (cells copied into a new notebook), are answers matched by tag and position?"""
    copy = solved(student_copy(basics), {"answer-one": "answer = 1", "answer-two": "double = abs"})
    for cell in copy.cells:
        cell.id = f"new-{cell.id}"
    merged = merge(basics, _cells(copy))
    assert merged.notebook.cells[3].source == "answer = 1"
    assert merged.notebook.cells[6].source == "double = abs"


def test_deleted_answer_cell_is_not_attempted(basics):
    copy = student_copy(basics)
    copy.cells = [cell for cell in copy.cells if cell.get("id") != "answer-one"]
    merged = merge(basics, _cells(copy))
    assert merged.notebook.cells[3].source == basics.answers[0].stub
    assert merged.attempted["answer-one"] is False


def test_check_before_any_answer_counts_only_once_something_is_attempted(tmp_path):
    """A check that grades no answer must not give points to an untouched copy."""
    notebook = build_processes()
    notebook.cells.insert(2, executed("print('ok')", "free-check", 9, "ok\n", ("check",)))
    nbformat.write(notebook, tmp_path / "02_processes.ipynb")
    master = load_master(tmp_path / "02_processes.ipynb")
    untouched = merge(master, _cells(student_copy(master)))
    assert untouched.checks_not_attempted(master) == {"free-check", "check-pool"}
    tried = merge(master, _cells(solved(student_copy(master), {"answer-pool": "squares = []"})))
    assert tried.checks_not_attempted(master) == set()


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
