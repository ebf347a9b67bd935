"""What one run may use: the limits, their rlimits, and each run's share of the CPUs."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "ROOT_UID_BASE", "Limits", "cpus_for", "is_root", "rlimits", "run_uid"]


@dataclass(frozen=True)
class Limits:
    """What one run may use; 0 means no limit (``timeout``: wall seconds, kernel start included)."""

    timeout: float = 120.0
    memory_mb: int = 2048
    processes: int = 256
    disk_mb: int = 512
    output_chars: int = 2000


#: The limits used when none are given.
DEFAULT_LIMITS = Limits()


def is_root() -> bool:
    """Whether the grader runs as root (its runs then get a uid of their own)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


#: Root runs learner code as uids from here on; they need no account.
ROOT_UID_BASE = 2_000_000_000
_SLOTS_PER_GRADER = 256


def run_uid(slot: int) -> int:
    """The uid root's run ``slot`` runs as: this grader's own (by its pid), so two graders on one machine never
    share one (RLIMIT_NPROC counts per uid)."""
    if not 0 <= slot < _SLOTS_PER_GRADER:
        raise ValueError(f"at most {_SLOTS_PER_GRADER} runs at once (--jobs), not run {slot}")
    return ROOT_UID_BASE + (os.getpid() % 2**22) * _SLOTS_PER_GRADER + slot


def _own_process_count() -> int:
    """How many processes this uid has now (RLIMIT_NPROC counts them all, inside a user namespace too)."""
    import psutil

    uid = os.getuid()
    count = 0
    for proc in psutil.process_iter(["uids"]):
        uids = proc.info["uids"]
        if uids is not None and uids.real == uid:
            count += 1
    return count


def rlimits(limits: Limits, sandboxed: bool) -> dict[str, int]:
    """The rlimits of a run's first process (``RLIMIT_*`` names): memory and bytes written per process, and,
    in a sandbox, the number of processes."""
    values = {"RLIMIT_CORE": 0}
    if limits.memory_mb > 0:
        values["RLIMIT_AS"] = limits.memory_mb * 2**20
    if limits.disk_mb > 0:
        values["RLIMIT_FSIZE"] = limits.disk_mb * 2**20
    if limits.processes > 0 and sandboxed:
        # Counted per real uid: root's runs have a uid of their own; anyone else's share the teacher's.
        already = 0 if is_root() else _own_process_count()
        values["RLIMIT_NPROC"] = already + limits.processes + 4
    return values


def cpus_for(slot: int, jobs: int) -> list[int] | None:
    """The CPUs of run ``slot`` when ``jobs`` run at once: an equal share of this process's, or ``None`` (all)."""
    if jobs <= 1 or not hasattr(os, "sched_getaffinity"):
        return None
    mine = sorted(os.sched_getaffinity(0))
    if jobs >= len(mine):
        return [mine[slot % len(mine)]]
    share = len(mine) // jobs
    return mine[(slot % jobs) * share : (slot % jobs + 1) * share]
