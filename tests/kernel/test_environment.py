"""mpcourse.kernel.environment: the environment Jupyter gives a kernel, and jupyter_client's shutdown race."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging

import pytest
from jupyter_client.manager import in_pending_state

from mpcourse.kernel.environment import is_shutdown_race, kernel_environment


def test_kernel_environment_drops_only_the_pytest_marker(monkeypatch):
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "x")
    monkeypatch.setenv("MPCOURSE_SOMETHING", "kept")
    env = kernel_environment()
    assert "PYTEST_CURRENT_TEST" not in env and env["MPCOURSE_SOMETHING"] == "kept"


# --- jupyter_client's shutdown race (PR 967): let through exactly that, nothing else --------


class _Manager:
    """Just what jupyter_client's ``in_pending_state`` wrapper touches on a kernel manager."""

    owns_kernel = True
    _attempted_start = False

    def __init__(self):
        self._ready = concurrent.futures.Future()
        self._ready.set_result(None)  # the start already resolved it: the state the race leaves
        self.log = logging.getLogger("test_nbval_kernel")


def _run_decorated(body):
    decorated = in_pending_state(body)
    with pytest.raises(Exception) as excinfo:
        asyncio.run(decorated(_Manager()))
    return excinfo.value


def test_the_race_after_a_clean_shutdown_is_recognised():
    async def shutdown(self):
        return None

    exc = _run_decorated(shutdown)
    assert type(exc).__name__ == "InvalidStateError"
    assert is_shutdown_race(exc)


def test_a_failed_shutdown_is_never_taken_for_the_race():
    """The same InvalidStateError raised while handling a real error must stay an error."""

    async def shutdown(self):
        raise RuntimeError("the kernel did not stop")

    exc = _run_decorated(shutdown)
    assert not is_shutdown_race(exc)
    assert not is_shutdown_race(RuntimeError("the kernel did not stop"))


def test_an_invalid_state_error_from_elsewhere_is_not_the_race():
    try:
        future = concurrent.futures.Future()
        future.set_result(None)
        future.set_result(None)
    except concurrent.futures.InvalidStateError as exc:
        assert not is_shutdown_race(exc)
