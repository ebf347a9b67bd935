"""How many cores this process may really use.

``os.cpu_count()`` reports the host's cores.  Containers and Binder limit a
process with CPU affinity or a cgroup CPU quota, so the honest number is the
smallest of the three.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["available_cpus", "cgroup_cpu_limit"]


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
