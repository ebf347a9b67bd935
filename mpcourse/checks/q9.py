"""Checks for notebook 09, multiprocessing in real programs: BLAS threads, and the exercise ``logged_squares``.

The exercise's verdict is one function over plain data, :func:`logged_squares_verdict`
(registered with :func:`~.exercise.exercise`): the kernel's :func:`check_logged_squares`
gathers that data from a call in this process, and the grader's judge gathers the same
from a sandboxed run, with the processes and their CPU time observed from outside.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..program_workers import SQUARE_MESSAGE
from . import busy, report, report_verdict
from .exercise import exercise

__all__ = [
    "BLAS_THRESHOLD",
    "EXERCISE_NUMBERS",
    "LOGGED_SQUARES_TITLE",
    "RecordCollector",
    "check_blas_limits",
    "check_logged_squares",
    "expected_messages",
    "gather_logged_squares",
    "logged_squares_verdict",
]

#: The numbers the learner's check squares (the judge draws others).
EXERCISE_NUMBERS = (4, 7, 1, 12, 9, 3)

#: The check's line after ``PASS: ``.
LOGGED_SQUARES_TITLE = (
    "logged_squares squares the numbers in worker processes, and every record they log reaches the handler"
)

#: Workers limited to one BLAS thread each must beat the oversubscribed pool by this much: chapter 09's ten tasks
#: per worker measured 6x-19x (median) on 2 cores, and 1.23x once in about 240 runs
#: (benchmarks/blas_oversubscription.py), so the chapter shows this check's line without comparing it.
BLAS_THRESHOLD = 1.5

#: Seconds a thread the learner's code started may take to end after it returned.
_THREAD_GRACE = 1.0


def expected_messages(numbers: Sequence[int]) -> list[str]:
    """The messages :func:`~mpcourse.program_workers.log_square` logs for ``numbers``, sorted."""
    return sorted(SQUARE_MESSAGE % (n, n * n) for n in numbers)


@exercise("logged_squares", LOGGED_SQUARES_TITLE, children=True)
def logged_squares_verdict(outcome: dict[str, Any]) -> tuple[bool, str]:
    """Judge one call ``logged_squares(numbers, handler)`` from plain data: ``(passed, hint)``.

    ``outcome`` holds: ``numbers`` (what it was called with), ``problem`` (why the call
    failed, or ``""``), ``results`` (what it returned), ``messages`` and ``record_pids``
    (each record the handler received: its message and the process id it carries),
    ``parent_pid``, ``workers_left`` and ``threads_left`` (child processes and threads
    still running after it returned), and ``busy``: how many processes did the squaring,
    observed from outside (``None`` where nobody counted: the learner's own kernel).
    """
    numbers = list(outcome.get("numbers") or ())
    if outcome.get("problem"):
        return False, str(outcome["problem"])[:500]
    squares = [n * n for n in numbers]
    results = outcome.get("results")
    if results != squares:
        return False, (
            f"logged_squares({list(numbers)}, handler) returned {results!r}, expected {squares}: "
            "return the results of pool.map(log_square, numbers), in order"
        )
    expected = expected_messages(numbers)
    messages = sorted(str(m) for m in outcome.get("messages") or [])
    if not messages:
        return False, (
            "no record reached the handler: a handler added in this process stays in this process. Start the "
            "pool with initializer=log_to_queue and initargs=(queue,), and hand the queue's records to handler "
            "with a QueueListener(queue, handler) that runs in this process"
        )
    if messages != expected:
        missing = len([m for m in expected if m not in messages])
        if missing and set(messages) <= set(expected):
            return False, (
                f"{len(expected) - missing} of {len(expected)} records reached the handler: close() and join() "
                "the pool before listener.stop() (leaving a with block terminates the workers, and records still "
                "on their way are lost)"
            )
        return False, f"the handler got {messages[:3]}..., expected {expected[:3]}...: log with log_square itself"
    parent = outcome.get("parent_pid")
    if all(pid == parent for pid in outcome.get("record_pids") or [parent]) or outcome.get("busy") == 0:
        return False, (
            "the records were logged in this process, not in workers: have the pool's workers call log_square "
            "(pool.map(log_square, numbers))"
        )
    if outcome.get("workers_left"):
        return False, (
            f"{outcome['workers_left']} worker process(es) were still running after logged_squares returned: "
            "end the pool's with block with pool.close() and pool.join()"
        )
    if outcome.get("threads_left"):
        return False, (
            "a thread was still running after logged_squares returned: call listener.stop() (in a finally), "
            "after the pool is closed and joined"
        )
    return True, ""


class RecordCollector(logging.Handler):
    """A handler that keeps every record it is given, for a check to read."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads started since ``before`` that are still running after a short grace."""
    deadline = time.monotonic() + _THREAD_GRACE
    while (left := [t for t in threading.enumerate() if t not in before and t.is_alive()]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.02)
    return left


def gather_logged_squares(logged_squares: Callable[..., Any], numbers: Sequence[int]) -> dict[str, Any]:
    """Call ``logged_squares(numbers, handler)`` in this process; return what the verdict needs, as plain data."""
    handler = RecordCollector()
    threads_before = set(threading.enumerate())
    children_before = {child.pid for child in multiprocessing.active_children()}
    problem, results = "", None
    try:
        results = logged_squares(list(numbers), handler)
    except Exception as exc:
        problem = f"logged_squares({list(numbers)}, handler) raised {type(exc).__name__}: {exc}"
    children_left = {child.pid for child in multiprocessing.active_children()} - children_before
    return {
        "numbers": list(numbers),
        "problem": problem,
        "results": list(results) if isinstance(results, (list, tuple)) else repr(results),
        "messages": [record.getMessage() for record in handler.records],
        "record_pids": [record.process for record in handler.records],
        "parent_pid": os.getpid(),
        "workers_left": len(children_left),
        "threads_left": len(_new_threads(threads_before)),
        "busy": None,
    }


def check_logged_squares(logged_squares: Any, numbers: Sequence[int] = EXERCISE_NUMBERS) -> bool:
    """Exercise: do the workers' log records reach ``handler`` in this process, and the squares come back?"""
    if not callable(logged_squares):
        return report(False, LOGGED_SQUARES_TITLE, "define a function logged_squares(numbers, handler)")
    return report_verdict("logged_squares", gather_logged_squares(logged_squares, numbers))


def check_blas_limits(
    oversubscribed_seconds: float, limited_seconds: float, threads_per_worker: int, *, free_cpus: float | None = None
) -> bool:
    """Self-check: was the pool whose workers had one BLAS thread each over 1.5x faster than the oversubscribed one?

    With one BLAS thread per worker anyway (``threads_per_worker`` <= 1) there was
    nothing to oversubscribe, and nothing is asked.  On a busy machine the limited
    pool need only have been faster (see :func:`mpcourse.checks.busy.judge_ratio`).
    """
    name = f"workers limited to 1 BLAS thread each were over {BLAS_THRESHOLD}x faster than oversubscribed ones"
    times = {"oversubscribed_seconds": oversubscribed_seconds, "limited_seconds": limited_seconds}
    for label, value in times.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return report(False, name, f"{label} should be a positive number of seconds, got {value!r}")
    if threads_per_worker <= 1:
        passed = report(True, name)
        busy.note("NumPy's BLAS library ran one thread per worker here already: there was nothing to oversubscribe.")
        return passed
    ratio = oversubscribed_seconds / limited_seconds
    hint = (
        f"the limited pool was only {ratio:.2f}x faster; pass the times in the order oversubscribed, limited, "
        "and run the measurement again: how much the oversubscribed threads lose changes from run to run"
    )
    return busy.judge_ratio(name, ratio, BLAS_THRESHOLD, [oversubscribed_seconds, limited_seconds], hint, free_cpus)
