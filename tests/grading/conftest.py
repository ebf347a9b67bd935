"""Fixtures of the grading tests: the fixture course's masters, written once per module."""

from __future__ import annotations

import pytest
from grading_fixtures import write_masters

from mpcourse.grading.notebook import load_master


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    return write_masters(tmp_path_factory.mktemp("masters"))


@pytest.fixture(scope="module")
def basics(masters):
    return load_master(masters / "01_basics.ipynb")
