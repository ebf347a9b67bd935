"""A constructed machine load for the measured checks' tests: no real timing, no real probe."""

from __future__ import annotations

import pytest

from mpcourse.checks import busy


@pytest.fixture(autouse=True, name="notes")
def notes_fixture(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The busy-machine notes the checks showed; the machine reads as idle unless a test says otherwise."""
    shown: list[str] = []
    monkeypatch.setattr(busy, "free_cpus_now", lambda seconds=busy.PROBE_SECONDS: 2.0)
    monkeypatch.setattr(busy, "note", shown.append)
    return shown


def machine_gives(monkeypatch: pytest.MonkeyPatch, cores: float) -> None:
    """Make the cores idle when a check looks read ``cores``."""
    monkeypatch.setattr(busy, "free_cpus_now", lambda seconds=busy.PROBE_SECONDS: cores)
