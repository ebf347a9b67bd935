"""Whole-run limits with control groups: memory, number of processes and CPUs for every process of one run.

Uses cgroup v1 controllers (``memory``, ``pids``, ``cpuset`` under
``/sys/fs/cgroup``), which only root may manage on most systems.  A group is
made below the grader's own group, the run joins it before it starts (see
``_confine.py``), and it is emptied and removed when the run ends.  A group's
name holds its grader's pid and start time: groups whose grader is gone are
removed at the next start (wherever they were made, see :mod:`.runplaces`), a
live grader's never, even before its run has joined.  Where this is not possible
(not root, or no v1 controllers) :func:`create` returns ``None`` and the
sandbox falls back to per-process rlimits.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from . import runplaces

__all__ = ["PREFIX", "RunGroup", "clean_stale", "create"]

#: Name prefix of every group this module makes.
PREFIX = "mpcourse-run-"
_MOUNT = Path("/sys/fs/cgroup")
_CONTROLLERS = ("memory", "pids", "cpuset")


def _own(controller: str) -> Path | None:
    """This process's group directory for a v1 ``controller``, or ``None``."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, relative = line.split(":", 2)
        if controller in names.split(","):
            directory = _MOUNT / controller / relative.lstrip("/")
            return directory if directory.is_dir() else None
    return None


def _write(path: Path, value: str) -> None:
    with open(path, "w") as stream:
        stream.write(value)


class RunGroup:
    """One run's groups (memory, pids, cpuset): what the run joins, and how to empty and remove them."""

    def __init__(self, directories: dict[str, Path]) -> None:
        self.directories = directories

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes its pid to, to join."""
        return [str(directory / "cgroup.procs") for directory in self.directories.values()]

    def pids(self) -> set[int]:
        """Every process in the run's groups."""
        found: set[int] = set()
        for directory in self.directories.values():
            try:
                found.update(int(pid) for pid in (directory / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def kill(self, wait: float = 5.0) -> int:
        """SIGKILL every process in the groups until none is left; return how many were killed."""
        killed: set[int] = set()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            killed |= pids
            time.sleep(0.02)
        return len(killed)

    def remove(self) -> None:
        """Empty and delete the groups."""
        self.kill()
        for directory in self.directories.values():
            try:
                directory.rmdir()
            except OSError:
                pass


def create(memory_mb: int, processes: int, cpus: Iterable[int] | None) -> RunGroup | None:
    """Make a run's groups with these limits (0: none), or ``None`` when this system does not allow it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    parents = {controller: _own(controller) for controller in _CONTROLLERS}
    if None in parents.values():
        return None
    name = f"{PREFIX}{runplaces.owner()}-{uuid.uuid4().hex[:12]}"
    for parent in parents.values():
        runplaces.remember("cgroups", str(parent))
    made: dict[str, Path] = {}
    group = RunGroup(made)
    try:
        for controller, parent in parents.items():
            directory = parent / name  # type: ignore[operator]
            directory.mkdir()
            made[controller] = directory
        memory = made["memory"]
        if memory_mb > 0:
            _write(memory / "memory.limit_in_bytes", str(memory_mb * 2**20))
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", str(memory_mb * 2**20))
        if processes > 0:
            _write(made["pids"] / "pids.max", str(processes))
        cpuset, parent = made["cpuset"], parents["cpuset"]
        chosen = ",".join(str(cpu) for cpu in sorted(cpus)) if cpus else (parent / "cpuset.cpus").read_text().strip()  # type: ignore[operator]
        _write(cpuset / "cpuset.cpus", chosen)
        _write(cpuset / "cpuset.mems", (parent / "cpuset.mems").read_text().strip())  # type: ignore[operator]
    except OSError:
        group.remove()
        return None
    return group


def clean_stale() -> None:
    """Remove the groups of runs whose grader was killed (their processes first), below this grader's groups and
    wherever a grader of this user made them (:mod:`.runplaces`)."""
    parents = {own for controller in _CONTROLLERS if (own := _own(controller)) is not None}
    for parent in parents | set(runplaces.places("cgroups")):
        try:
            stale = [entry for entry in parent.iterdir() if entry.name.startswith(PREFIX) and entry.is_dir()]
        except OSError:
            continue
        for directory in stale:
            made_by = directory.name[len(PREFIX) :].rsplit("-", 1)[0]
            if "-" not in made_by or runplaces.alive(made_by):
                continue  # its grader is still running (or it has no owner in its name: not ours to judge)
            RunGroup({directory.parent.name: directory}).remove()
