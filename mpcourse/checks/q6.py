"""Checks for notebook 06, processes printing numbers: the exercise ``squares_from_processes``."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import re
import threading
from collections.abc import Callable
from typing import Any

from . import report

__all__ = ["check_squares"]

#: The inputs the check tries: the original's four processes, then numbers whose squares
#: are not in the same order as the numbers themselves.
CASES = ((0, 1, 2, 3), (3, -2, 5))

#: Seconds the check waits for one call before it gives up on it.
TIMEOUT = 30.0


def _live_children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def _processes_created() -> int | None:
    """How many ``Process`` objects this interpreter has created so far, or ``None`` if unknown.

    ``multiprocessing`` numbers processes (``Process-N``) from a counter; its repr,
    ``count(N)``, shows the next number without taking it.
    """
    counter = getattr(multiprocessing.process, "_process_counter", None)
    match = re.fullmatch(r"count\((\d+)\)", repr(counter))
    return int(match.group(1)) - 1 if match else None


def _call_with_timeout(func: Callable[..., Any], arg: Any, timeout: float) -> tuple[str, Any]:
    """Run ``func(arg)`` in a helper thread: ``("ok", result)``, ``("error", exc)`` or ``("timeout", None)``.

    A thread, so that an answer stuck in ``queue.get()`` (a process never started)
    ends in a hint instead of a cell that never finishes.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["ok"] = func(arg)
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="mpcourse-check-q6", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return "timeout", None
    if "error" in outcome:
        return "error", outcome["error"]
    return "ok", outcome.get("ok")


def check_squares(squares_from_processes: Any, *, timeout: float = TIMEOUT) -> bool:
    """Exercise: does ``squares_from_processes(numbers)`` return the squares, in the order of ``numbers``?"""
    name = "squares_from_processes collects one square per process, in the order of the numbers"
    if not callable(squares_from_processes):
        return report(False, name, "define a function squares_from_processes(numbers) in the answer cell")
    before = _live_children()
    for numbers in CASES:
        call = f"squares_from_processes({list(numbers)})"
        created = _processes_created()
        status, value = _call_with_timeout(squares_from_processes, list(numbers), timeout)
        if status == "timeout":
            return report(
                False,
                name,
                f"{call} did not finish within {timeout:.0f} s; queue.get() waits forever for a result "
                "that never comes: start() every process, and get() once per process",
            )
        if status == "error":
            return report(False, name, f"{call} raised {type(value).__name__}: {value}")
        expected = [n * n for n in numbers]
        try:
            got = list(value)
        except TypeError:
            got = None
        if got == sorted(expected) and got != expected:
            return report(
                False,
                name,
                f"{call} returned {got!r}, the squares sorted by size; return them in the order of the "
                f"numbers, {expected!r}: sort the (index, square) pairs by index",
            )
        if got != expected:
            return report(
                False,
                name,
                f"{call} returned {value!r}, expected {expected!r}: one square per number, in the order "
                "of the numbers (the results arrive in any order; sort the (index, square) pairs)",
            )
        now = _processes_created()
        if created is not None and now is not None and now - created < len(numbers):
            return report(
                False,
                name,
                f"{call} gave the right squares but started {now - created} process(es) for "
                f"{len(numbers)} numbers; start one ctx.Process(target=put_square, ...) per number",
            )
    left = _live_children() - before
    if left:
        return report(
            False,
            name,
            f"{len(left)} child process(es) were still running afterwards; join() every process you start",
        )
    return report(True, name)
