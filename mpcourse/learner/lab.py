"""JupyterLab on the learner's copy: the command, and running it in place of ``mpcourse start``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

__all__ = ["lab_command", "run_lab"]


def lab_command(workspace: Path, first: str | None = None, options: Sequence[str] = ()) -> list[str]:
    """``jupyter lab`` serving ``workspace``, opening the notebook ``first`` (if given); ``options`` go last.

    As root (a container, a fresh cloud machine) JupyterLab refuses to start
    without ``--allow-root``, so the course command adds it there.
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    if first:
        command.append(f"--LabApp.default_url=/lab/tree/{quote(first)}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in options:
        command.append("--allow-root")
    return [*command, *options]


def run_lab(command: list[str], workspace: Path) -> int:
    """Run JupyterLab in place of this process (POSIX), so Ctrl+C and signals reach it directly."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.chdir(workspace)
        os.execv(command[0], command)  # does not return
    return subprocess.call(command, cwd=workspace)
