"""mpcourse.pytest_plugins.nbval_kernel: under nbval, a spawn child's print reaches the cell as in Jupyter."""

from __future__ import annotations

import subprocess
import sys

import nbbuild
import pytest

from mpcourse import START_METHOD_ENV
from mpcourse.kernel.environment import kernel_environment


def _nbval(tmp_path, *plugin_args, cells=None):
    """Run nbval in a subprocess over one notebook of ``cells`` (by default: a spawn child that prints)."""
    if cells is None:
        source = (
            "import mpcourse\nfrom mpcourse import workers\n"
            "p = mpcourse.get_context().Process(target=workers.say_hello)\np.start()\np.join()"
        )
        cells = [nbbuild.code_cell(source, count=1, stdout="Hello from a child process\n")]
    nbbuild.write(tmp_path / "cells.ipynb", cells)
    args = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", *plugin_args]
    env = {**kernel_environment(), START_METHOD_ENV: "spawn"}
    return subprocess.run([*args, "cells.ipynb"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_with_the_plugin_nbval_sees_a_spawn_childs_print(tmp_path):
    result = _nbval(tmp_path, "-p", "mpcourse.pytest_plugins.nbval_kernel")
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.slow
def test_without_the_plugin_nbval_would_miss_it(tmp_path):
    """The reason the plugin exists: ipykernel turns fd capture off under pytest."""
    result = _nbval(tmp_path)
    assert result.returncode == 1 and "Hello from a child process" in result.stdout


def test_an_unexpected_stream_is_reported_with_its_text():
    from mpcourse.pytest_plugins.nbval_kernel import unexpected_streams

    run = [
        {"output_type": "stream", "name": "stdout", "text": "PASS\n"},
        {"output_type": "stream", "name": "stderr", "text": "stray warning\n"},
    ]
    stored = [{"output_type": "stream", "name": "stdout", "text": "PASS\n"}]
    assert unexpected_streams(run, stored) == ["the unexpected stderr was:\nstray warning\n"]
    assert unexpected_streams(stored, stored) == []


@pytest.mark.slow
def test_nbval_shows_the_text_of_a_stray_stderr(tmp_path):
    """A cell whose run writes to stderr, which its stored outputs lack, fails and shows what was written."""
    source = "import sys\nprint('PASS')\nprint('a stray warning', file=sys.stderr)"
    cells = [nbbuild.code_cell(source, count=1, stdout="PASS\n")]
    result = _nbval(tmp_path, "-p", "mpcourse.pytest_plugins.nbval_kernel", cells=cells)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "Unexpected output fields" in result.stdout and "the unexpected stderr was:" in result.stdout
    assert "a stray warning" in result.stdout
