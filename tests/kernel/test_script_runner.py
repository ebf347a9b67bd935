"""mpcourse.kernel.script_runner: a notebook runs a program as a terminal would, and reads what it printed."""

from __future__ import annotations

import os
import subprocess

import pytest

from mpcourse.kernel.script_runner import run_script

_SPAWN_SCRIPT = """
import multiprocessing

def child():
    print("child ran", flush=True)

if __name__ == "__main__":
    p = multiprocessing.get_context("spawn").Process(target=child)
    p.start()
    p.join()
    print("exit code", p.exitcode)
"""


def test_a_function_in_the_script_file_reaches_a_spawned_child():
    """As ``python script.py``: the child imports the script by its file."""
    done = run_script(_SPAWN_SCRIPT)
    assert (done.returncode, done.stdout) == (0, "child ran\nexit code 0\n")


def test_as_python_c_the_spawned_child_cannot_find_the_function():
    """With ``-c`` there is no file for the child to import: it dies of AttributeError."""
    done = run_script(_SPAWN_SCRIPT, as_file=False)
    assert done.stdout == "exit code 1\n"
    assert "AttributeError" in done.stderr


def test_output_is_unbuffered_and_tracebacks_plain(monkeypatch):
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    source = "import os, sys\nprint(os.environ['PYTHONUNBUFFERED'], os.getcwd() != {cwd!r})\nraise SystemExit('bye')"
    done = run_script(source.format(cwd=os.getcwd()))
    assert done.stdout == "1 True\n"
    assert (done.returncode, done.stderr) == (1, "bye\n")
    assert "\x1b[" not in run_script("1 / 0").stderr


def test_a_hung_script_times_out():
    with pytest.raises(subprocess.TimeoutExpired):
        run_script("import time\ntime.sleep(30)", timeout=0.5)
