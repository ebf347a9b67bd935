"""Checks for notebook 05, creating a pool: ``apply`` blocks, and the exercise ``run_all``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..backend.cpus import available_cpus
from ..workers import TaskRecord, double, traced_sleep
from . import busy, report, report_verdict
from .exercise import exercise
from .pool_keeper import KEPT, PoolKeeper

__all__ = [
    "MIN_MAP_SPEEDUP",
    "ORDER_TASKS",
    "check_apply_blocks",
    "check_map_faster",
    "check_run_all",
    "run_all",
    "run_all_data",
    "tasks_at_once",
]

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


def _call(run_all: Callable[..., Any], func: Callable[..., Any], items: list[Any]) -> tuple[Any, str]:
    """Call ``run_all(func, items)``; return ``(result, "")`` or ``(None, what it raised)``."""
    try:
        return run_all(func, items), ""
    except Exception as exc:
        return None, f"run_all({func.__name__}, {items!r}) raised {type(exc).__name__}: {exc}"


def run_all_data(
    run_all: Any, numbers: list[int], lengths: list[float], *, sleeper: Callable[[float], Any] | None = None
) -> dict[str, Any]:
    """What ``run_all`` did with ``double`` over ``numbers`` and a sleeping task over ``lengths``, as plain data.

    By default the sleeping task is ``traced_sleep``, whose records say which worker ran
    each task and when (``results``, ``overlap``, ``workers``); ``left``: workers still
    running after it returned, its pools kept from the garbage collector, then stopped.
    A judge passes its own ``sleeper`` (and sees overlap, workers and leftovers from
    outside): then ``results`` is what it returned and nothing is stopped here.  With no
    ``numbers``, ``double`` is not run (the sleeper's results are values enough).
    """
    data: dict[str, Any] = {"numbers": numbers, "expected_results": lengths}
    if not callable(run_all):
        data["problem"] = "define a function run_all(func, items) in the answer cell"
        return data
    with PoolKeeper() as keeper:
        try:
            doubled, data["problem"] = _call(run_all, double, list(numbers)) if numbers else ([], "")
            if not data["problem"]:
                data["doubled"] = list(doubled) if isinstance(doubled, (list, tuple)) else repr(doubled)[:200]
                if doubled is None:
                    data["doubled"] = None
                value, data["problem"] = _call(run_all, sleeper or traced_sleep, list(lengths))
                if sleeper is not None:
                    data["results"] = list(value) if isinstance(value, (list, tuple)) else repr(value)[:200]
                elif (records := _records(value)) is not None:
                    rows = [[r.pid, r.start, r.end, r.result] for r in records]
                    data["results"] = [r.result for r in records]
                    data["overlap"] = 2 if _overlapped_rows(rows) else 1
                    data["workers"] = len({r.pid for r in records})
        finally:
            if sleeper is None:
                data["left"] = keeper.close_left()
            else:
                KEPT.extend(keeper.pools)  # alive until the process ends: a judge's tracer sees their workers
    return data


@exercise(
    "run_all",
    "run_all runs the tasks side by side, keeps their order and leaves no worker running",
    children=True,
)
def run_all(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on :func:`run_all_data`: values, order, ``overlap`` (most tasks at once), ``workers``, ``left``.

    ``from_main``: tasks that ran in the learner's own process (threads), where observed.
    """
    if data.get("problem"):
        return False, str(data["problem"])
    numbers = list(data["numbers"])
    doubled, expected = data.get("doubled"), [2 * n for n in numbers]
    if doubled is None:
        return False, "run_all returned None: return the list of results"
    if doubled != expected:
        return False, (
            f"run_all(double, {numbers}) gave {doubled}, expected {expected}; return one result per item, in item order"
        )
    results, wanted = data.get("results"), list(data["expected_results"])
    if not isinstance(results, list) or len(results) != len(wanted):
        return False, "run_all(func, items) did not return one result per item: return what func returned for each"
    if results != wanted:
        if sorted(map(str, results)) == sorted(map(str, wanted)):
            return False, (
                "the results came back in the order the tasks finished, not in item order; "
                "map, and apply_async followed by get() in submission order, keep item order "
                "(imap_unordered does not)"
            )
        return False, "run_all(func, items) should return what func returned for each item, in item order"
    overlap, workers = int(data.get("overlap") or 0), int(data.get("workers") or 0)
    if overlap < 2 or workers < 2:
        threads = " (in threads of this process: threads are not processes)" if data.get("from_main") else ""
        return False, (
            f"the tasks ran one after another{threads}, at most {overlap} at once in {workers} worker "
            "process(es): pool.apply waits for each result before the next task is sent; use pool.map, "
            "or apply_async for every item and then get()"
        )
    if data.get("left"):
        return False, (
            f"{data['left']} worker process(es) were still running after run_all returned; create the "
            "pool in a with block and call pool.close() and pool.join() before leaving it"
        )
    return True, ""


def _overlapped_rows(rows: list[list[float]], by: float = 0.05) -> bool:
    """Did two ``[pid, start, end, result]`` rows run at the same time for at least ``by`` seconds?"""
    return any(min(a[2], b[2]) - max(a[1], b[1]) >= by for i, a in enumerate(rows) for b in rows[i + 1 :])


def check_run_all(run_all: Any) -> bool:
    """Exercise: does ``run_all(func, items)`` run the tasks side by side, in order, leaving no worker?"""
    return report_verdict("run_all", run_all_data(run_all, list(range(10)), list(ORDER_TASKS)))
