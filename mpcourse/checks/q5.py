"""Checks for notebook 05, creating a pool: ``apply`` blocks, and the exercise ``run_all``."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

from ..backend.cpus import available_cpus
from ..workers import TaskRecord, double, traced_sleep
from . import busy, report

__all__ = ["MIN_MAP_SPEEDUP", "ORDER_TASKS", "check_apply_blocks", "check_map_faster", "check_run_all", "tasks_at_once"]

#: Sleep lengths the exercise check runs through ``run_all``: the first task is the longest,
#: so results that come back in completion order are easy to tell from item order.
ORDER_TASKS = (0.45, 0.3, 0.15, 0.0)

#: With 2 or more free cores, ``map`` must beat one process by more than this (ideal: the worker count).
MIN_MAP_SPEEDUP = 1.3
#: ``apply`` in a loop is "no faster than one process" when its speedup stays below this.
_MAX_APPLY_SPEEDUP = 1.3

#: ``apply`` in a loop runs one task at a time: on average at most this many at once.
_MAX_AT_ONCE_SERIAL = 1.1
#: ``map`` and ``apply_async`` on two or more workers: on average at least this many at once.
_MIN_AT_ONCE_PARALLEL = 1.3


def tasks_at_once(records: Sequence[TaskRecord]) -> float:
    """Return how many tasks ran at the same time, on average.

    That is the sum of the tasks' durations divided by the time from the first
    start to the last end: 1.0 when they ran one after another, close to the
    number of workers when they all overlapped.  A busy machine stretches every
    task and the total alike, so this number hardly moves with the load.
    """
    if not records:
        return 0.0
    span = max(r.end for r in records) - min(r.start for r in records)
    busy = sum(r.end - r.start for r in records)
    return busy / span if span > 0 else 1.0


def _overlapped(records: Sequence[TaskRecord], by: float = 0.05) -> bool:
    """Did any two tasks run at the same time for at least ``by`` seconds?"""
    return any(min(a.end, b.end) - max(a.start, b.start) >= by for i, a in enumerate(records) for b in records[i + 1 :])


def _records(value: Any) -> list[TaskRecord] | None:
    """``value`` as a list of :class:`TaskRecord`, or ``None`` when it is not one."""
    try:
        records = list(value)
    except TypeError:
        return None
    ok = len(records) >= 2 and all(isinstance(r, TaskRecord) for r in records)
    return records if ok else None


def check_apply_blocks(apply_records: Any, map_records: Any, async_records: Any) -> bool:
    """Did ``apply`` in a loop run one task at a time, and ``map`` and ``apply_async`` several?"""
    name = "apply in a loop ran the tasks one at a time; map and apply_async ran them side by side"
    runs = {"apply": apply_records, "map": map_records, "apply_async": async_records}
    measured = {}
    for label, value in runs.items():
        records = _records(value)
        if records is None:
            return report(
                False,
                name,
                f"pass the lists of TaskRecords that the {label} run returned "
                "(apply_records, map_records, async_records)",
            )
        measured[label] = tasks_at_once(records)
    if measured["apply"] > _MAX_AT_ONCE_SERIAL:
        return report(
            False,
            name,
            f"the apply run had {measured['apply']:.1f} tasks running at once on average; "
            "apply waits for each result, so pass the records of pool.apply in a loop first",
        )
    for label in ("map", "apply_async"):
        if measured[label] < _MIN_AT_ONCE_PARALLEL:
            return report(
                False,
                name,
                f"the {label} run had only {measured[label]:.1f} tasks running at once on average; "
                "use a pool of at least 2 workers, send every task before waiting for a result, "
                "and re-run the cells if the machine was very busy",
            )
    return report(True, name)


def check_map_faster(
    serial_time: float,
    apply_time: float,
    map_time: float,
    *,
    cpus: int | None = None,
    free_cpus: float | None = None,
) -> bool | None:
    """Was ``apply`` in a loop no faster than one process, and ``map`` faster as far as the free cores allow?

    The arguments are the measured wall times in seconds of the same tasks run in this
    process, with ``pool.apply`` in a loop and with ``pool.map``.  ``map`` must be over
    1.3x faster than one process when 2 cores were free, less on a busy machine
    (``free_cpus``, default: what ``map_time`` carries), nothing with fewer than 2
    usable cores (``cpus``, default :func:`~mpcourse.available_cpus`).  A one-process
    time measured while other programs held its core says nothing of ``apply``: then
    only :func:`check_apply_blocks` (from the task records) judges ``apply``.
    """
    name = "apply in a loop was no faster than one process; map was faster as far as the free cores allowed"
    times = {"serial_time": serial_time, "apply_time": apply_time, "map_time": map_time}
    for label, value in times.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return report(False, name, f"{label} should be a positive number of seconds, got {value!r}")
    apply_speedup = serial_time / apply_time
    if apply_speedup >= _MAX_APPLY_SPEEDUP and not _slowed(serial_time, apply_time):
        return report(
            False,
            name,
            f"apply in a loop came out {apply_speedup:.2f}x faster than one process; pass the times in the "
            "order serial_time, apply_time, map_time",
        )
    cpus = available_cpus() if cpus is None else cpus
    map_speedup = serial_time / map_time
    hint = (
        f"map was only {map_speedup:.2f}x faster than one process; use a pool of at least 2 workers, "
        "and send every task at once (map, not apply in a loop)"
    )
    free = busy.free_cpus_for([map_time], free_cpus) if cpus >= 2 else None
    measured = busy.Speedup(map_speedup, "map", "one process")
    return busy.judge_speedup(name, measured, MIN_MAP_SPEEDUP, free, cpus, hint)


def _slowed(serial_time: float, apply_time: float) -> bool:
    """Did other programs take the one-process run's core, and clearly less of the ``apply`` run's?"""
    serial_free = getattr(serial_time, "free_cpus", None)
    apply_free = getattr(apply_time, "free_cpus", None)
    return serial_free is not None and busy.is_busy(serial_free, 1) and (apply_free is None or apply_free > serial_free)


def _live_children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def _run(run_all: Callable[..., Any], func: Callable[..., Any], items: list[Any]) -> tuple[Any, str]:
    """Call ``run_all(func, items)``; return ``(result, "")`` or ``(None, hint)``."""
    try:
        return run_all(func, items), ""
    except Exception as exc:
        return None, f"run_all({func.__name__}, {items!r}) raised {type(exc).__name__}: {exc}"


def check_run_all(run_all: Any) -> bool:
    """Exercise: does ``run_all(func, items)`` run the tasks side by side, in order, leaving no worker?"""
    name = "run_all runs the tasks side by side, keeps their order and leaves no worker running"
    if not callable(run_all):
        return report(False, name, "define a function run_all(func, items) in the answer cell")
    before = _live_children()

    numbers = list(range(10))
    doubled, problem = _run(run_all, double, numbers)
    if problem:
        return report(False, name, problem)
    if doubled is None:
        return report(False, name, "run_all returned None: return the list of results")
    if list(doubled) != [double(n) for n in numbers]:
        return report(
            False,
            name,
            f"run_all(double, range(10)) gave {doubled!r}, expected [0, 2, 4, ..., 18]; "
            "return one result per item, in item order",
        )

    lengths = list(ORDER_TASKS)
    value, problem = _run(run_all, traced_sleep, lengths)
    if problem:
        return report(False, name, problem)
    records = _records(value)
    if records is None or len(records) != len(lengths):
        return report(False, name, f"run_all(traced_sleep, {lengths}) did not return one result per item")
    if [r.result for r in records] != lengths:
        return report(
            False,
            name,
            "the results came back in the order the tasks finished, not in item order; "
            "map, and apply_async followed by get() in submission order, keep item order "
            "(imap_unordered does not)",
        )
    if not _overlapped(records):
        return report(
            False,
            name,
            "the tasks ran one after another: pool.apply waits for each result before the next "
            "task is sent; use pool.map, or apply_async for every item and then get()",
        )

    left = _live_children() - before
    if left:
        return report(
            False,
            name,
            f"{len(left)} worker process(es) were still running after run_all returned; create the "
            "pool in a with block and call pool.close() and pool.join() before leaving it",
        )
    return report(True, name)
