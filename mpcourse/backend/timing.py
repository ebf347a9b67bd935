"""Measure: wall time, speedup tables, Amdahl's law and per-worker timelines.

Every time measured here is a :class:`Seconds`: a ``float`` that also carries how
many cores the machine left free while it was measured, so a check can tell a
busy machine from a slow approach.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from ..workers import TaskRecord, traced
from .cpus import cpu_snapshot, free_cpus_between
from .pool import Pool

__all__ = [
    "Seconds",
    "SpeedupRow",
    "TaskSpan",
    "amdahl_speedup",
    "best_of",
    "format_speedup_table",
    "measure_speedup",
    "run_timeline",
    "spans_from_records",
    "stopwatch",
]


class Seconds(float):
    """A wall time in seconds; ``free_cpus`` is how many cores were free meanwhile (``None``: unknown)."""

    __slots__ = ("free_cpus",)
    free_cpus: float | None

    def __new__(cls, seconds: float, free_cpus: float | None = None) -> Seconds:
        self = super().__new__(cls, seconds)
        self.free_cpus = free_cpus
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Seconds, (float(self), self.free_cpus))


def stopwatch(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Seconds, Any]:
    """Call ``func(*args, **kwargs)``; return ``(seconds, result)``.

    The CPU counters are read before the clock starts and after it stops, so
    reading them costs the measured call nothing.
    """
    before = cpu_snapshot()
    start = time.perf_counter()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    return Seconds(seconds, free_cpus_between(before, cpu_snapshot())), result


def best_of(repeats: int, func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Seconds, Any]:
    """Call ``func(*args, **kwargs)`` ``repeats`` times; return ``(seconds, result)`` of the fastest call.

    The fastest of a few runs is the one least disturbed by whatever else the
    machine was doing, as :mod:`timeit` recommends.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    return min((stopwatch(func, *args, **kwargs) for _ in range(repeats)), key=lambda timed: timed[0])


def amdahl_speedup(serial_fraction: float, workers: int) -> float:
    """Amdahl's law: the best speedup with ``workers`` when ``serial_fraction`` cannot run in parallel."""
    if not 0.0 <= serial_fraction <= 1.0:
        raise ValueError(f"serial_fraction must be between 0 and 1, got {serial_fraction}")
    return 1.0 / (serial_fraction + (1.0 - serial_fraction) / workers)


class SpeedupRow(NamedTuple):
    """One line of a speedup table; ``free_cpus``: cores free while it was measured (``None``: unknown)."""

    workers: int
    seconds: float
    speedup: float
    efficiency: float
    free_cpus: float | None = None


def measure_speedup(
    func: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: Iterable[int],
    *,
    method: str | None = None,
    repeats: int = 1,
) -> list[SpeedupRow]:
    """Time ``Pool(n).map(func, tasks)`` for each ``n`` in ``workers``, against a serial run.

    The serial baseline runs the same tasks in this process with a plain loop;
    each pool time includes starting and stopping the pool, as a learner pays it.
    Each time is the fastest of ``repeats`` runs (see :func:`best_of`).
    """
    serial_seconds, _ = best_of(repeats, lambda: [func(task) for task in tasks])
    rows = []
    for count in workers:
        seconds, _ = best_of(repeats, _pool_map, func, tasks, count, method)
        speedup = serial_seconds / seconds
        rows.append(SpeedupRow(count, seconds, speedup, speedup / count, getattr(seconds, "free_cpus", None)))
    return rows


def _pool_map(func: Callable[[Any], Any], tasks: Sequence[Any], count: int, method: str | None) -> list[Any]:
    with Pool(count, method=method) as pool:
        results = pool.map(func, tasks, chunksize=1)
        pool.close()
        pool.join()
    return results


def format_speedup_table(rows: Sequence[SpeedupRow]) -> str:
    """Return ``rows`` as a small text table."""
    lines = [f"{'workers':>7}  {'seconds':>8}  {'speedup':>7}  {'efficiency':>10}"]
    lines += [f"{r.workers:>7}  {r.seconds:>8.2f}  {r.speedup:>6.2f}x  {r.efficiency:>10.0%}" for r in rows]
    return "\n".join(lines)


class TaskSpan(NamedTuple):
    """One task on a timeline: which worker ran it, and when (seconds from the first start)."""

    task: int
    worker: int
    start: float
    end: float
    pid: int


def spans_from_records(records: Sequence[TaskRecord]) -> list[TaskSpan]:
    """Turn :class:`TaskRecord` s into spans; workers are numbered 0, 1, … by first task."""
    if not records:
        return []
    origin = min(r.start for r in records)
    worker_of: dict[int, int] = {}
    for record in sorted(records, key=lambda r: r.start):
        worker_of.setdefault(record.pid, len(worker_of))
    return [TaskSpan(i, worker_of[r.pid], r.start - origin, r.end - origin, r.pid) for i, r in enumerate(records)]


def run_timeline(
    func: Callable[..., Any],
    tasks: Iterable[Any],
    processes: int | None = None,
    *,
    method: str | None = None,
    chunksize: int = 1,
) -> list[TaskSpan]:
    """Run ``func`` on each task in a pool, recording which worker ran it and when."""
    with Pool(processes, method=method) as pool:
        records = pool.starmap(traced, [(func, task) for task in tasks], chunksize=chunksize)
        pool.close()
        pool.join()
    return spans_from_records(records)
