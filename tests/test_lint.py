"""Is the code, notebooks included, as ruff wants it? The same two commands the pre-commit hooks run.

The package, the tests, the benchmarks, the docs' configuration and the notebooks (ruff reads ``.ipynb``
cell by cell; ``pyproject.toml`` holds the few ignores notebooks need).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["mpcourse", "tests", "benchmarks", "notebooks", "docs", "conftest.py"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff_is_clean(command):
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", *TARGETS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"ruff {' '.join(command)} found problems:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
