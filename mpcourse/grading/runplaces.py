"""Where this user's graders made runs (run folders' parents, control groups' parents), remembered across graders.

A grader that is killed leaves its run folders and control groups behind; the
next grader may run with another ``TMPDIR`` or in another control group, so it
would not find them where it makes its own.  Each place is written once to a
small file of the user's state folder (``$XDG_STATE_HOME/mpcourse/run-places``,
by default ``~/.local/state``), and :func:`.runfolders.clean_stale_runs` looks
in every place listed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["alive", "owner", "places", "remember", "start_time"]

_lock = threading.Lock()
_known: set[tuple[str, str]] = set()


def _ledger() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "mpcourse" / "run-places"


def _read() -> set[tuple[str, str]]:
    try:
        lines = _ledger().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    return {(kind, place) for kind, _, place in (line.partition("\t") for line in lines) if place}


def remember(kind: str, place: str | os.PathLike[str]) -> None:
    """Note that runs of ``kind`` (``folders`` or ``cgroups``) are made in ``place`` (best effort)."""
    entry = (kind, os.path.abspath(place))
    with _lock:
        if entry in _known:
            return
        _known.update(_read())
        if entry not in _known:
            try:
                _ledger().parent.mkdir(parents=True, exist_ok=True)
                with open(_ledger(), "a", encoding="utf-8") as stream:
                    stream.write(f"{entry[0]}\t{entry[1]}\n")
            except OSError:
                return  # no state folder: the place is still cleaned when it is the next grader's own
        _known.add(entry)


def places(kind: str) -> list[Path]:
    """Every place where runs of ``kind`` were made, as remembered."""
    with _lock:
        _known.update(_read())
        return sorted(Path(place) for entry_kind, place in _known if entry_kind == kind)


def start_time(pid: int) -> str:
    """A process's start time (``gone`` when there is no such process): with its pid, who it is."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        import psutil

        try:
            return str(psutil.Process(pid).create_time())
        except psutil.Error:
            return "gone"


def owner() -> str:
    """This grader, as ``PID-STARTTIME`` (written into the names of what it makes)."""
    return f"{os.getpid()}-{start_time(os.getpid())}"


def alive(made_by: str) -> bool:
    """Whether the grader :func:`owner` named ``made_by`` is still running."""
    pid, _, started = made_by.partition("-")
    return pid.isdigit() and start_time(int(pid)) == started
