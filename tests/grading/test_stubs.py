"""Tests for mpcourse/grading/stubs.py: what counts as attempted."""

from __future__ import annotations

from mpcourse.grading.stubs import is_attempted


def test_is_attempted():
    stub = "# YOUR ANSWER: write it here"
    assert not is_attempted(stub, stub)
    assert not is_attempted(stub + "\n\n   ", stub)
    assert not is_attempted("# only a comment\n", stub)
    assert is_attempted("answer = 1", stub)
