"""What an exercise check printed, for the check tests."""

from __future__ import annotations

import pytest


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single line a check printed on stdout (fails if it printed more or less)."""
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    return lines[0]
