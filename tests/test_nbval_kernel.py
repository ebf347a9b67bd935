"""mpcourse.pytest_plugins.nbval_kernel: under nbval, a spawn child's print reaches the cell as in Jupyter."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import subprocess
import sys

import nbformat
import pytest
from jupyter_client.manager import in_pending_state

from mpcourse import START_METHOD_ENV
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


def _nbval(tmp_path, *plugin_args):
    source = (
        "import mpcourse\nfrom mpcourse import workers\n"
        "p = mpcourse.get_context().Process(target=workers.say_hello)\np.start()\np.join()"
    )
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Hello from a child process\n")]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "child.ipynb")
    args = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", *plugin_args]
    env = {**kernel_environment(), START_METHOD_ENV: "spawn"}
    return subprocess.run([*args, "child.ipynb"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_with_the_plugin_nbval_sees_a_spawn_childs_print(tmp_path):
    result = _nbval(tmp_path, "-p", "mpcourse.pytest_plugins.nbval_kernel")
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.slow
def test_without_the_plugin_nbval_would_miss_it(tmp_path):
    """The reason the plugin exists: ipykernel turns fd capture off under pytest."""
    result = _nbval(tmp_path)
    assert result.returncode == 1 and "Hello from a child process" in result.stdout
