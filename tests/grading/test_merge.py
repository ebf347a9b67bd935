"""Tests for mpcourse/grading/merge.py: reading submissions, and putting their answers into the master."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_fixtures import build_processes, executed, solved

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
