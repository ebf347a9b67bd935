"""Tests for mpcourse/pytest_plugins/nbval_record.py: what a grading run records of each cell."""

from __future__ import annotations

from mpcourse.pytest_plugins.nbval_record import output_text


def test_output_is_capped():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "x" * 5_000_000},
        {"output_type": "error", "ename": "ValueError", "evalue": "late"},
    ]
    text = output_text(outputs, 2000)
    assert len(text) < 2100 and text.endswith("[output truncated]")
    assert output_text([{"output_type": "error", "ename": "NameError", "evalue": "x"}], 100) == "NameError: x\n"
    assert output_text([{"output_type": "execute_result", "data": {"text/plain": "False"}}], 100) == "False"
