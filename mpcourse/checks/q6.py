"""Checks for notebook 06, processes printing numbers: the exercise ``squares_from_processes``."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import re
import threading
from collections.abc import Callable
from typing import Any

from . import report_verdict, too_few_processes
from .exercise import exercise

__all__ = ["CASES", "check_squares", "squares", "squares_data"]

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


@exercise(
    "squares",
    "squares_from_processes collects one square per process, in the order of the numbers",
    children=True,
)
def squares(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``squares_from_processes`` over ``cases``: one outcome per case (``got``, ``raised``, ``timeout``).

    ``created`` (per case, in the kernel) or ``processes`` (all cases, counted from
    outside) say how many processes ran; ``left``: children still running afterwards.
    """
    if data.get("problem"):
        return False, str(data["problem"])
    cases = [list(case) for case in data["cases"]]
    outcomes = list(data.get("outcomes") or [])
    outcomes += [{"got": None}] * (len(cases) - len(outcomes))
    created = list(data.get("created") or [])
    created += [None] * (len(cases) - len(created))
    for numbers, outcome in zip(cases, outcomes, strict=True):
        call = f"squares_from_processes({numbers})"
        if not isinstance(outcome, dict):
            outcome = {"got": None}
        if "timeout" in outcome:
            return False, (
                f"{call} did not finish within {outcome['timeout']:.0f} s; queue.get() waits forever for a "
                "result that never comes: start() every process, and get() once per process"
            )
        if "raised" in outcome:
            return False, f"{call} raised {outcome['raised']}"
        expected, got = [n * n for n in numbers], outcome.get("got")
        if got == sorted(expected) and got != expected:
            return False, (
                f"{call} returned {got!r}, the squares sorted by size; return them in the order of the "
                f"numbers, {expected!r}: sort the (index, square) pairs by index"
            )
        if got != expected:
            return False, (
                f"{call} returned {got!r}, expected {expected!r}: one square per number, in the order "
                "of the numbers (the results arrive in any order; sort the (index, square) pairs)"
            )
    for numbers, started in zip(cases, created, strict=True):
        call = f"squares_from_processes({numbers})"
        if started is not None and started < len(numbers):
            return False, (
                f"{call} gave the right squares but started {started} process(es) for "
                f"{len(numbers)} numbers; start one ctx.Process(target=put_square, ...) per number"
            )
    hint = too_few_processes(data, sum(len(numbers) for numbers in cases), "squares_from_processes")
    if hint:
        return False, hint
    if data.get("left"):
        return False, f"{data['left']} child process(es) were still running afterwards; join() every process you start"
    return True, ""


def squares_data(squares_from_processes: Any, cases: list[list[int]], timeout: float = TIMEOUT) -> dict[str, Any]:
    """What ``squares_from_processes`` returned for each of ``cases``, and how many processes each call created."""
    data: dict[str, Any] = {"cases": cases, "outcomes": [], "created": []}
    if not callable(squares_from_processes):
        data["problem"] = "define a function squares_from_processes(numbers) in the answer cell"
        return data
    before = _live_children()
    for numbers in cases:
        created = _processes_created()
        status, value = _call_with_timeout(squares_from_processes, list(numbers), timeout)
        now = _processes_created()
        data["created"].append(now - created if created is not None and now is not None else None)
        if status == "timeout":
            data["outcomes"].append({"timeout": timeout})
            break
        if status == "error":
            data["outcomes"].append({"raised": f"{type(value).__name__}: {value}"})
            break
        try:
            data["outcomes"].append({"got": list(value)})
        except TypeError:
            data["outcomes"].append({"got": repr(value)})
    data["left"] = len(_live_children() - before)
    return data


def check_squares(squares_from_processes: Any, *, timeout: float = TIMEOUT) -> bool:
    """Exercise: does ``squares_from_processes(numbers)`` return the squares, in the order of ``numbers``?"""
    return report_verdict("squares", squares_data(squares_from_processes, [list(c) for c in CASES], timeout))
