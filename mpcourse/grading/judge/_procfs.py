"""What ``/proc`` says of a task the tracer watches: thread or process, multiprocessing's helper, CPU time.

Standard library only; imported by :mod:`._trace` (run by path inside the sandbox).
"""

from __future__ import annotations

import os

__all__ = ["cpu_seconds", "is_helper", "is_thread", "is_zombie", "process_of"]

_HELPERS = (b"multiprocessing.forkserver", b"multiprocessing.resource_tracker", b"multiprocessing.semaphore_tracker")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` so far, from ``/proc`` (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def is_helper(pid: int) -> bool:
    """Is ``pid`` one of multiprocessing's own helpers (forkserver, resource tracker)?"""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            command = stream.read(4096)
    except OSError:
        return False
    return any(name in command for name in _HELPERS)


def process_of(task: int) -> int:
    """The process (thread group) task ``task`` belongs to: itself for a process, its process for a thread."""
    try:
        with open(f"/proc/{task}/status", "rb") as stream:
            for line in stream:
                if line.startswith(b"Tgid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return task


def is_thread(task: int) -> bool:
    """Is task ``task`` a thread of another process?"""
    return process_of(task) != task


def is_zombie(pid: int) -> bool:
    """Has process ``pid`` ended with nobody having collected it yet (a parent that never joined it)?"""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            return stream.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
