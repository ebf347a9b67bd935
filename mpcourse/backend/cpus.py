"""How many cores this process may really use.

``os.cpu_count()`` reports the host's cores.  Containers and Binder limit a
process with CPU affinity or a cgroup CPU quota, so the honest number is the
smallest of the three.  What a busy machine leaves free during a measurement
is another number: :func:`free_cpus_between` reads it from ``/proc`` (Linux).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "CpuSnapshot",
    "available_cpus",
    "cgroup_cpu_limit",
    "cpu_snapshot",
    "free_cpus_between",
    "free_cpus_now",
]


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _own_cgroup_dirs(root: Path, proc_self_cgroup: Path) -> list[Path]:
    """Directories to look for quota files in: this process's cgroup, its parents, then the root."""
    dirs: list[Path] = []
    text = _read(proc_self_cgroup) or ""
    for line in text.splitlines():
        # "0::/user.slice/x" (v2) or "4:cpu,cpuacct:/docker/abc" (v1)
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, rel = parts[1], parts[2].lstrip("/")
        if controllers and "cpu" not in controllers.split(","):
            continue
        bases = [root] if not controllers else [root / "cpu,cpuacct", root / "cpu"]
        for base in bases:
            here = base / rel if rel else base
            while True:
                dirs.append(here)
                if here == base:
                    break
                here = here.parent
    dirs += [root, root / "cpu,cpuacct", root / "cpu"]
    return list(dict.fromkeys(dirs))


def cgroup_cpu_limit(
    root: str | os.PathLike[str] = "/sys/fs/cgroup",
    proc_self_cgroup: str | os.PathLike[str] = "/proc/self/cgroup",
) -> float | None:
    """Return the cgroup CPU quota in cores (e.g. ``1.5``), or ``None`` when unlimited.

    Reads cgroup v2 ``cpu.max`` or cgroup v1 ``cpu.cfs_quota_us`` /
    ``cpu.cfs_period_us``; the tightest limit along this process's cgroup path wins.
    """
    limits: list[float] = []
    for directory in _own_cgroup_dirs(Path(root), Path(proc_self_cgroup)):
        v2 = _read(directory / "cpu.max")
        if v2:
            quota, _, period = v2.partition(" ")
            if quota != "max" and period:
                limits.append(int(quota) / int(period))
            continue
        quota_v1 = _read(directory / "cpu.cfs_quota_us")
        period_v1 = _read(directory / "cpu.cfs_period_us")
        if quota_v1 and period_v1 and int(quota_v1) > 0 and int(period_v1) > 0:
            limits.append(int(quota_v1) / int(period_v1))
    return min(limits) if limits else None


def _affinity_count() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return None


def available_cpus() -> int:
    """Return the number of cores this process may use (at least 1).

    Takes the smallest of ``os.cpu_count()``, the CPU affinity mask and the cgroup
    CPU quota (rounded up: a quota of 1.5 cores lets two workers make progress).
    """
    counts = [os.cpu_count() or 1]
    affinity = _affinity_count()
    if affinity:
        counts.append(affinity)
    quota = cgroup_cpu_limit()
    if quota:
        counts.append(max(1, math.ceil(quota)))
    return max(1, min(counts))


# --- how many cores were free while something was measured -------------------------------

_MIN_WINDOW_SECONDS = 0.1  # /proc counts in 10 ms ticks: a shorter window says too little


class CpuSnapshot(NamedTuple):
    """A moment's CPU counters: ``idle`` core-seconds on this process's cores and ``ours`` (this process tree's)."""

    wall: float
    idle: float
    ours: float


def _ticks() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (AttributeError, ValueError, OSError):
        return 100


def _idle_seconds(stat_text: str, cores: set[int] | None) -> float | None:
    """Idle plus I/O-wait seconds, summed over ``cores`` (all when ``None``), from ``/proc/stat`` text."""
    total = 0
    found = False
    for line in stat_text.splitlines():
        name, _, rest = line.partition(" ")
        if not name.startswith("cpu") or name == "cpu":
            continue
        if cores is not None and int(name[3:]) not in cores:
            continue
        fields = rest.split()
        total += int(fields[3]) + int(fields[4])  # user nice system idle iowait ...
        found = True
    return total / _ticks() if found else None


def _tree_cpu_seconds(proc: Path, me: int) -> float:
    """CPU seconds used by process ``me`` and every descendant, with the children they have reaped."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        text = _read(proc / entry / "stat")
        if not text:
            continue
        fields = text[text.rfind(")") + 2 :].split()  # after "pid (comm) "
        # state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted from "pid" as 1
        stats[int(entry)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / _ticks())
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [me]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += children.get(pid, [])
    return total


def cpu_snapshot(proc: str | os.PathLike[str] = "/proc") -> CpuSnapshot | None:
    """Read the CPU counters now; ``None`` where ``/proc`` does not exist (macOS, Windows)."""
    root = Path(proc)
    stat_text = _read(root / "stat")
    if not stat_text:
        return None
    cores = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    idle = _idle_seconds(stat_text, cores)
    if idle is None:
        return None
    ours = _tree_cpu_seconds(root, os.getpid())
    return CpuSnapshot(time.monotonic(), idle, ours)


def free_cpus_between(start: CpuSnapshot | None, end: CpuSnapshot | None) -> float | None:
    """How many cores this process tree had between two snapshots: what it used plus what stood idle.

    Whatever other programs took is missing from it, so 2 cores that another
    program kept half busy give about 1.5.  Capped at :func:`available_cpus`;
    ``None`` when unknown or when the window was too short to tell.
    """
    if start is None or end is None:
        return None
    wall = end.wall - start.wall
    if wall < _MIN_WINDOW_SECONDS:
        return None
    free = max(0.0, (end.idle - start.idle) + (end.ours - start.ours)) / wall
    return min(float(available_cpus()), free)


def free_cpus_now(seconds: float = 0.3) -> float | None:
    """How many cores stood idle over the next ``seconds`` (this process waits meanwhile); ``None`` if unknown."""
    start = cpu_snapshot()
    time.sleep(seconds)
    return free_cpus_between(start, cpu_snapshot())
