"""Run a small program from a notebook as ``python script.py`` would run it, and get back what it printed.

Some behaviour only shows in a program of its own: a function defined in the
script reaches spawned children, ``if __name__ == "__main__":`` guards the start,
and the program ends when its main process does.  A notebook shows that with
:func:`run_script` instead of a terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["run_script"]


def run_script(source: str, *, as_file: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``source`` in a new Python, as ``python script.py`` (or ``python -c`` with ``as_file=False``).

    It runs in a temporary folder with this interpreter; output is unbuffered (so its
    order is the order things happened) and tracebacks have no colour codes (3.13+).
    Returns the finished process: ``.stdout``, ``.stderr``, ``.returncode``.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHON_COLORS="0")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "script.py"
        script.write_text(source, encoding="utf-8")
        command = [sys.executable, str(script)] if as_file else [sys.executable, "-c", source]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=folder, env=env)
