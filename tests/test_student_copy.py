"""Tests for mpcourse/student_copy.py: the stub rules and the student copy, on plain notebook JSON."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_fixtures import SOLUTIONS, build_basics

from mpcourse.student_copy import generated_stub, remove_solution, stub_names, student_copy


def test_remove_solution_rejects_unclosed_markers():
    with pytest.raises(ValueError, match="without"):
        remove_solution("### BEGIN SOLUTION\nx = 1\n")


def test_stub_keeps_a_cell_magic_and_lists_its_own_names():
    """A %%worker answer keeps its magic line; two answers feeding one check each list their own names."""
    stub = generated_stub("%%worker\ndef f(x):\n    return x\n", ["check(f, values)"], [])
    assert stub.splitlines()[0] == "%%worker"
    assert stub.endswith("# Define here: f\nf = ...  # replace ... with your answer")
    assert "# Define here: values\nvalues = ..." in generated_stub("values = [1]", ["check(f, values)"], [])


def test_a_stub_says_which_names_to_define():
    stub = generated_stub("a = 1\nb = 2", ["check(a, b, given)"], ["given = 3"])
    assert stub_names(stub) == ["a", "b"]
    assert stub_names("x = 1  # no Define here line") == []


def test_the_student_copy_of_plain_json_has_no_solution_and_no_hidden_check():
    master = json.loads(nbformat.writes(build_basics()))
    copy = student_copy(master)
    text = json.dumps(copy)
    assert not any(solution in text for solution in SOLUTIONS.values())
    assert "check-hidden" not in text
    checks = [cell for cell in copy["cells"] if "check" in cell["metadata"].get("tags", [])]
    assert all(cell["metadata"]["editable"] is False and cell["outputs"] == [] for cell in checks)
    assert master == json.loads(nbformat.writes(build_basics()))  # the master is left as it was
