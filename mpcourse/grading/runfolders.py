"""A run's folder on the grader's side (``--sandbox none``), and removing those a killed grader left.

Each folder is ``$TMPDIR/mpgrade-XXXX`` holding :data:`FOLDERS` and an owner file
(the grader's pid and start time), so the next grader can tell a live grader's
folder from a dead one's.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import cgroups, runplaces
from .runplaces import start_time

__all__ = ["FOLDERS", "RUN_PREFIX", "clean_stale_runs", "new_run_folder", "remove"]

#: Name of a run's folder (inside bubblewrap: ``/tmp/mpgrade``; without: ``$TMPDIR/mpgrade-XXXX``).
RUN_PREFIX = "mpgrade"
#: The folders of a run's folder: the notebook's ``work``, its private ``tmp`` and ``HOME``.
FOLDERS = ("work", "tmp", "home", "home/.cache", "home/.config", "home/.local", "home/.local/share", "home/run")
_OWNER = ".owner"


def new_run_folder() -> Path:
    """Make a run's folder (owned by this grader) with its :data:`FOLDERS`; ``home/run`` private."""
    runplaces.remember("folders", tempfile.gettempdir())
    root = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}-"))
    (root / _OWNER).write_text(f"{os.getpid()} {start_time(os.getpid())}", encoding="utf-8")
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "home" / "run").chmod(0o700)
    return root


def clean_stale_runs(folder: str | Path | None = None) -> int:
    """Remove run folders and control groups left by a grader that was killed, in ``folder`` (default: the
    temporary folder) and wherever a grader of this user made them (:mod:`.runplaces`); return how many folders."""
    cgroups.clean_stale()
    removed = 0
    entries: list[Path] = []
    for base in {Path(folder or tempfile.gettempdir()), *runplaces.places("folders")}:
        try:
            entries += base.glob(f"{RUN_PREFIX}-*")
        except OSError:
            continue
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
                continue
            owner = (entry / _OWNER).read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            continue  # not ours, or without the owner file a grader writes: left alone
        started = start_time(int(owner[0])) if len(owner) == 2 and owner[0].isdigit() else "gone"
        if started != "gone" and started == owner[1]:
            continue  # its grader is still running
        remove(entry)
        removed += 1
    return removed


def remove(root: Path) -> None:
    """Delete a run's folder, even if the run made parts of it read-only."""

    def unlock(function: Any, path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=unlock)
    else:
        shutil.rmtree(root, onerror=unlock)
