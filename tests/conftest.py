"""Fixtures for the unit tests: one per start method, and a real kernel runner."""

from __future__ import annotations

import pytest

from mpcourse import valid_start_methods


@pytest.fixture(params=valid_start_methods())
def method(request: pytest.FixtureRequest) -> str:
    """Each start method this platform supports, in turn."""
    return request.param
