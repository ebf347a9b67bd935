"""Tests for mpcourse/grading/merge.py: reading submissions, and putting their answers into the master."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from grading_fixtures import build_processes, executed, solved
from nbformat.v4 import new_code_cell

from mpcourse.course_format import solution_note
from mpcourse.grading.merge import InvalidNotebook, merge, read_submission
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy


def _cells(notebook) -> list:
    return read_submission(nbformat.writes(notebook).encode())


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
    assert merged.flags == ()  # an honest submission has nothing to look at


def test_merge_falls_back_to_tag_and_position(basics):
    """When ids changed (cells copied into a new notebook), are answers matched by tag and position?"""
    submission = solved(student_copy(basics), {"answer-one": "answer = 1", "answer-two": "double = abs"})
    for cell in submission.cells:
        cell.id = f"new-{cell.id}"
    merged = merge(basics, _cells(submission))
    assert merged.notebook.cells[3].source == "answer = 1"
    assert merged.notebook.cells[6].source == "double = abs"
    assert "matched by position" in merged.flags[0]


def test_deleted_answer_cell_is_not_attempted(basics):
    submission = student_copy(basics)
    submission.cells = [cell for cell in submission.cells if cell.get("id") != "answer-one"]
    merged = merge(basics, _cells(submission))
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


def _insert_after(notebook, cell_id: str, cell) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(notebook)
    index = next(i for i, c in enumerate(notebook.cells) if c.get("id") == cell_id)
    notebook.cells.insert(index + 1, cell)
    return notebook


@pytest.mark.parametrize("copy_id", ["answer-one", "answer-one-copy"])
def test_a_copied_answer_cell_is_graded_by_its_last_copy_with_work_and_flagged(basics, copy_id):
    """JupyterLab's copy keeps tags and metadata; its id collides or differs: the work in it counts, and is flagged."""
    original = student_copy(basics)
    pasted = copy.deepcopy(next(c for c in original.cells if c.get("id") == "answer-one"))
    pasted.id, pasted.source = copy_id, "answer = 6 * 7"
    submitted = json.dumps(_insert_after(original, "answer-one", pasted)).encode()  # as saved, ids unchecked
    merged = merge(basics, read_submission(submitted))
    assert merged.notebook.cells[3].source == "answer = 6 * 7" and merged.attempted["answer-one"]
    assert merged.flags == (
        "answer cell answer-one: 2 cells hold it (a copied cell?); graded the last one with work in it",
    )


def test_an_answer_in_an_untagged_cell_below_an_untouched_stub_is_graded_and_flagged(basics):
    below = new_code_cell("def double(x):\n    return 2 * x", id="mine")
    merged = merge(basics, _cells(_insert_after(student_copy(basics), "answer-two", below)))
    assert merged.notebook.cells[6].source == below.source and merged.attempted["answer-two"]
    assert merged.flags == (
        "answer cell answer-two is untouched: graded the untagged cell below it, which defines double",
    )


def test_an_untagged_cell_below_an_answer_is_graded_only_when_it_defines_the_exercises_names(basics):
    unrelated = merge(basics, _cells(_insert_after(student_copy(basics), "answer-two", new_code_cell("x = 1", id="x"))))
    assert not unrelated.attempted["answer-two"] and unrelated.flags == ()
    worked = solved(student_copy(basics), {"answer-two": "def double(x):\n    return x * 2"})
    both = merge(basics, _cells(_insert_after(worked, "answer-two", new_code_cell("double = None", id="later"))))
    assert both.notebook.cells[6].source == "def double(x):\n    return x * 2"
    assert both.flags == ("the untagged cell below answer cell answer-two also defines double: not graded, look at it",)


def test_a_new_answer_cell_past_a_check_takes_the_place_of_the_deleted_answer_below_it(basics):
    submission = student_copy(basics)
    replaced = copy.deepcopy(next(c for c in submission.cells if c.get("id") == "answer-two"))
    replaced.id, replaced.source = "typed-again", "double = lambda x: 2 * x"
    submission.cells = [replaced if c.get("id") == "answer-two" else c for c in submission.cells]
    merged = merge(basics, _cells(submission))
    assert merged.notebook.cells[6].source == replaced.source and merged.attempted == {
        "answer-one": False,
        "answer-two": True,
    }


def test_a_notebook_without_answer_cells_or_course_ids_is_flagged_not_silently_zero(basics):
    stripped = student_copy(basics)
    for cell in stripped.cells:
        cell.id, cell.metadata = f"new-{cell.id}", {}
    merged = merge(basics, _cells(solved(stripped, {"new-answer-one": "answer = 42"})))
    assert not any(merged.attempted.values())
    assert merged.flags == (
        "no answer cell found (no cell tagged answer, no cell id of the course): look at it by hand",
    )


def test_an_answer_solution_inserted_is_flagged(basics):
    inserted = f"answer = sum([20, 22])\n{solution_note('answer')}"
    merged = merge(basics, _cells(solved(student_copy(basics), {"answer-one": inserted})))
    assert merged.attempted["answer-one"]
    assert merged.flags == ("%solution inserted the reference answer of 'answer' (cell 'answer-one')",)


def test_cell_ids_the_masters_renamed_are_read_as_their_new_ids():
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell("pool = None", id="seed-code")])
    assert [cell.cell_id for cell in _cells(notebook)] == ["apply-in-a-loop"]
