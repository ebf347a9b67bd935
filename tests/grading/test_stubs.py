"""Tests for mpcourse/grading/stubs.py: what an answer cell holds in the student copy, and what counts as attempted."""

from __future__ import annotations

import pytest

from mpcourse.grading.stubs import generated_stub, is_attempted, remove_solution


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
