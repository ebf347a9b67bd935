"""JupyterLab on the learner's copy: the command, the notebook it opens, and running it in place of ``mpcourse start``.

It opens one notebook, the one the learner last saved (the first on a new copy),
in a layout of its own that each start empties: JupyterLab otherwise reopens every
tab of the last session, and starts a kernel for each.  (Not with ``?reset`` in the
address: Jupyter appends ``?token=...`` to it, and the link it prints then fails.)
Its own log is kept to warnings, so what the learner sees is the address to open
(or an error).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

__all__ = ["lab_command", "last_used", "layouts_dir", "run_lab"]


def last_used(workspace: Path, notebooks: Sequence[str], since: float | None) -> str | None:
    """The notebook of ``notebooks`` (names in ``workspace``) saved last after ``since`` (a time); ``None`` if none."""
    saved = []
    for name in notebooks:
        try:
            saved.append(((workspace / name).stat().st_mtime, name))
        except OSError:
            continue
    recent = [entry for entry in saved if since is None or entry[0] > since]
    return max(recent)[1] if recent else None


def lab_command(workspace: Path, first: str | None = None, options: Sequence[str] = ()) -> list[str]:
    """``jupyter lab`` serving ``workspace``, opening only the notebook ``first`` (if given); ``options`` go last.

    As root (a container, a fresh cloud machine) JupyterLab refuses to start
    without ``--allow-root``, so the course command adds it there.
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    command.append(f"--LabApp.workspaces_dir={layouts_dir(workspace)}")
    if first:
        command.append(f"--LabApp.default_url=/lab/tree/{quote(first)}")
    if not any("log_level" in option or option == "--debug" for option in options):
        command += ["--ServerApp.log_level=WARN", "--LabApp.log_level=WARN"]  # the address is logged as critical
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in options:
        command.append("--allow-root")
    return [*command, *options]


def layouts_dir(workspace: Path) -> Path:
    """Where JupyterLab keeps the tab layout of the copy ``workspace`` (in the user's cache, not in the copy)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "mpcourse" / "lab-layouts" / hashlib.sha256(str(workspace.resolve()).encode()).hexdigest()[:16]


def run_lab(command: list[str], workspace: Path) -> int:
    """Run JupyterLab in place of this process (POSIX), so Ctrl+C and signals reach it directly.

    The copy's layout folder is emptied first: the learner gets the one notebook the command opens.
    """
    layouts = layouts_dir(workspace)
    shutil.rmtree(layouts, ignore_errors=True)
    layouts.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.chdir(workspace)
        os.execv(command[0], command)  # does not return
    return subprocess.call(command, cwd=workspace)
