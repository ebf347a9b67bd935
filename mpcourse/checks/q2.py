"""Checks for notebook 02, processes vs threads.

The first three back a measured demo with a tolerance; the last two grade the exercises.
Each prints one stable line (see :func:`mpcourse.checks.report`) and returns a bool.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..backend.cpus import available_cpus
from . import UNTOUCHED_HINT, busy, report, report_verdict
from .exercise import exercise

__all__ = [
    "CHOICES",
    "check_choices",
    "check_cpu_bound",
    "check_download_all",
    "check_io_bound",
    "check_startup",
    "choices",
    "download_all",
]

#: Processes must finish CPU-bound work this many times sooner than threads (2 workers, 2+ cores).
CPU_SPEEDUP = 1.3
#: On I/O-bound work threads may be at most this much slower than processes (plus 50 ms).
IO_TOLERANCE = 1.25
#: A process must take at least this many times longer to start than a thread.
STARTUP_RATIO = 3.0

#: Exercise 1: the right tool for each task.
CHOICES = {
    "count the primes below 10 million in pure Python": "processes",
    "download 200 web pages": "threads",
    "simulate 100,000 dice games in pure Python": "processes",
    "read 500 files from a network drive": "threads",
}


def _gil_enabled() -> bool:
    """True unless this is a free-threaded build running without the GIL (3.13t and later)."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return True if probe is None else bool(probe())


def _positive(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values)


def check_cpu_bound(
    threads_seconds: float,
    processes_seconds: float,
    *,
    cpus: int | None = None,
    gil: bool | None = None,
    free_cpus: float | None = None,
) -> bool | None:
    """Pass when 2 processes beat 2 threads on CPU-bound work as far as the free cores allow.

    At least ``CPU_SPEEDUP`` times sooner with 2 cores free and a GIL; on one core
    or on a free-threaded build without the GIL, any two positive times pass.  On a
    busy machine the ratio is held to the cores that were free (``free_cpus``; by
    default carried by the times, or else the cores idle when the check runs), and
    the note beside the line gives the numbers and the reason.
    """
    name = "CPU-bound work: threads vs processes"
    if not _positive(threads_seconds, processes_seconds):
        return report(False, name, "pass the two wall times in seconds: threads first, then processes")
    cpus = available_cpus() if cpus is None else cpus
    gil = _gil_enabled() if gil is None else gil
    if not gil:
        return report(True, name)
    ratio = threads_seconds / processes_seconds
    hint = (
        f"2 processes should finish at least {CPU_SPEEDUP}x sooner than 2 threads, but the ratio was "
        f"{ratio:.2f}x: pass the threads' time first, then the processes', and run the two cells again."
    )
    free = busy.free_cpus_for([threads_seconds, processes_seconds], free_cpus) if cpus >= 2 else None
    measured = busy.Speedup(ratio, "2 processes", "2 threads")
    return busy.judge_speedup(name, measured, CPU_SPEEDUP, free, cpus, hint)


def check_io_bound(threads_seconds: float, processes_seconds: float, serial_seconds: float) -> bool:
    """Pass when threads overlapped their waits (under half the serial time) and kept up with processes."""
    name = "I/O-bound work: threads keep up with processes"
    if not _positive(threads_seconds, processes_seconds, serial_seconds):
        return report(False, name, "pass three times in seconds: threads, processes, one after another")
    if threads_seconds >= serial_seconds / 2:
        return report(
            False,
            name,
            "the threads did not overlap their waits: did each task run on its own thread "
            "(enough workers), or one after another?",
        )
    return report(
        threads_seconds <= processes_seconds * IO_TOLERANCE + 0.05,
        name,
        "threads were clearly slower than processes on waiting tasks; check that you passed "
        "threads first, then processes",
    )


def check_startup(thread_seconds: float, process_seconds: float, *, free_cpus: float | None = None) -> bool:
    """Pass when starting (and joining) a process took at least ``STARTUP_RATIO`` times a thread's.

    On a busy machine (``free_cpus``, by default the cores idle when the check runs)
    a process need only have cost more than a thread.
    """
    name = "start-up: a thread starts much faster than a process"
    if not _positive(thread_seconds, process_seconds):
        return report(False, name, "pass two times in seconds: one thread start, then one process start")
    hint = (
        "a process should cost many times a thread to start; check that you passed the "
        "thread time first, then the process time"
    )
    ratio = process_seconds / thread_seconds
    return busy.judge_ratio(name, ratio, STARTUP_RATIO, [thread_seconds, process_seconds], hint, free_cpus)


@exercise("choices", "threads or processes for each task")
def choices(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``choices`` (task -> "threads" or "processes")."""
    answer = data.get("choices")
    if not isinstance(answer, Mapping):
        return False, 'make `choices` a dict: task -> "threads" or "processes"'
    missing = [task for task in CHOICES if task not in answer]
    if missing:
        return False, f"{len(missing)} task(s) have no answer yet, e.g. {missing[0]!r}"
    wrong = [task for task, right in CHOICES.items() if _tool(answer[task]) != right]
    return not wrong, (
        f"{len(wrong)} of {len(CHOICES)} are not right yet. For each task ask: does it mostly "
        "wait (network, disk: threads) or compute in Python (processes)?"
    )


def check_choices(choices: Mapping[str, Any]) -> bool:
    """Exercise: pass when every task in :data:`CHOICES` is matched with "threads" or "processes" rightly."""
    return report_verdict("choices", {"choices": choices})


def _tool(answer: Any) -> str:
    """Normalise an answer such as "Thread" or " processes " to "threads" / "processes"."""
    text = str(answer).strip().lower()
    return {"thread": "threads", "process": "processes"}.get(text, text)


@exercise("download_all", "download_all waits for all downloads at once")
def download_all(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on what ``download_all`` returned (``got`` against ``expected``) and how its waits overlapped.

    ``overlap``: how many requests a server saw at once (the judge's own server), when
    known; otherwise ``seconds`` against ``serial``, the time of waiting for each in turn.
    """
    if data.get("problem"):
        return False, str(data["problem"])
    if data.get("raised"):
        return False, f"download_all raised {data['raised']}"
    if data.get("got") != data["expected"]:
        return False, "return the list of what sleep_for returned, in the order of `delays`"
    serial, overlap = float(data["serial"]), data.get("overlap")
    fix = "Give each download its own thread: ThreadPoolExecutor(max_workers=len(delays))"
    if overlap is not None:
        if overlap >= 2:
            return True, ""
        return False, f"the downloads ran one at a time ({overlap} at once at most), taking about {serial:.2f} s. {fix}"
    seconds = data.get("seconds")
    if isinstance(seconds, (int, float)) and seconds < serial / 2:
        return True, ""
    return False, f"it took {seconds:.2f} s, about as long as waiting for each in turn ({serial:.2f} s). {fix}"


def check_download_all(
    download_all: Callable[[Sequence[float]], Any],
    delays: Sequence[float] = (0.1,) * 8,
) -> bool:
    """Exercise: pass when ``download_all(delays)`` returns the results in order and overlaps the waits.

    It must finish in under half the time of waiting for each delay in turn.
    """
    delays = list(delays)
    data: dict[str, Any] = {"expected": delays, "serial": sum(delays)}
    if not callable(download_all):
        passing = "pass the function itself: check_download_all(download_all)"
        data["problem"] = UNTOUCHED_HINT if download_all is Ellipsis else passing
        return report_verdict("download_all", data)
    start = time.perf_counter()
    try:
        result = download_all(delays)
        # a lazy result (a generator, map object) does its work here, so it is timed too
        data["got"] = list(result) if hasattr(result, "__iter__") else None
    except Exception as exc:
        data["raised"] = f"{type(exc).__name__}: {exc}"
    data["seconds"] = time.perf_counter() - start
    return report_verdict("download_all", data)
