"""Fixtures for the unit tests: one per start method, and the environment each test leaves as it found it."""

from __future__ import annotations

import os

import pytest

from mpcourse import valid_start_methods


@pytest.fixture(params=valid_start_methods())
def method(request: pytest.FixtureRequest) -> str:
    """Each start method this platform supports, in turn."""
    return request.param


@pytest.fixture(autouse=True)
def _environment_as_found():
    """Undo what a test's libraries wrote into this process's environment.

    dask's nanny sets OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS to 1 in the
    process that starts a LocalCluster: every kernel nbval starts later inherited them, and
    chapter 09's NumPy workers then ran one BLAS thread where the chapter shows the default.
    """
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)
