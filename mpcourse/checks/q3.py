"""Checks for notebook 03, creating a process: measured start-up costs and the two exercises."""

from __future__ import annotations

import queue as queue_module
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ..backend.context import get_context
from . import busy, report, report_verdict, too_few_processes, worker_problem
from .cube_call import TIMEOUT_SECONDS, collect_cubes_data
from .exercise import exercise
from .witness import CubeWitness

__all__ = [
    "CUBE_INPUTS",
    "DRAWN_COUNT",
    "DRAWN_FROM",
    "MIN_SPAWN_OVER_FORK",
    "check_cubes",
    "check_put_cube",
    "check_startup_costs",
    "cubes",
    "draw_numbers",
    "put_cube",
]

#: The exercise's inputs: one process per number, its index is its position here.
CUBE_INPUTS = (2, 3, 4)

#: How many numbers the check of ``collect_cubes`` draws for its call, and where from.
DRAWN_COUNT = 4
DRAWN_FROM = range(-9, 30)

#: How many times a fork a spawn must cost before the measurement counts as showing it.
MIN_SPAWN_OVER_FORK = 2.0

#: How long a check waits for the learner's processes before it stops them.
_TIMEOUT_SECONDS = 20.0


def check_startup_costs(costs: Mapping[str, float], *, free_cpus: float | None = None) -> bool:
    """Did starting a process with ``spawn`` cost at least twice as much as with ``fork``?

    ``costs`` maps each start method measured to its time per process. Where
    ``fork`` does not exist (Windows) there is nothing to compare, and it passes.
    On a busy machine (``free_cpus``, by default the cores idle when the check
    runs) spawn need only have cost more than fork.
    """
    name = "start-up cost of each start method measured"
    if not isinstance(costs, Mapping) or "spawn" not in costs:
        return report(False, name, "pass a dict {start method: seconds per process}, with 'spawn' in it")
    if "fork" not in costs:
        return report(True, name)
    fork, spawn = costs["fork"], costs["spawn"]
    hint = (
        f"spawn took {spawn:.4f} and fork {fork:.4f} per process; spawn starts a whole new "
        "interpreter, so it should cost several times more: re-run the cell if the machine was busy"
    )
    if not fork > 0:
        return report(False, name, hint)
    return busy.judge_ratio(name, spawn / fork, MIN_SPAWN_OVER_FORK, [fork, spawn], hint, free_cpus)


@exercise("put_cube", "put_cube sends (index, number ** 3) back from a child process", children=True)
def put_cube(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on what ``put_cube`` put on a queue (``got``) when run in one process per number of ``inputs``."""
    if data.get("problem"):
        return False, str(data["problem"])
    got = [tuple(item) if isinstance(item, (list, tuple)) else item for item in data.get("got") or []]
    for index, number in enumerate(data["inputs"]):
        answers = [item for item in got if isinstance(item, tuple) and len(item) == 2 and item[0] == index]
        if not answers:
            shown = f"; the queue held {_in_order(got)!r}" if got else "; nothing arrived on the queue"
            return False, f"put_cube(queue, {index}, {number}) should call queue.put(({index}, {number**3})){shown}"
        if answers[0] != (index, number**3):
            return False, f"put_cube(queue, {index}, {number}) put {answers[0]!r}; expected {(index, number**3)!r}"
    hint = too_few_processes(data, len(data["inputs"]), "put_cube")
    return not hint, hint


def check_put_cube(func: Callable[..., Any], *, method: str | None = None) -> bool:
    """Exercise: does ``func(queue, index, number)`` put ``(index, number ** 3)`` on the queue from a child?

    ``func`` must be loadable by a spawned child (a ``%%worker`` cell or a
    module), whatever start method this kernel uses; it is then run in one
    process per number in :data:`CUBE_INPUTS` (start method: ``method``).
    """
    data: dict[str, Any] = {"inputs": list(CUBE_INPUTS)}
    data["problem"] = worker_problem(func, "check_put_cube(put_cube)")
    if not data["problem"]:
        data["got"] = _run_and_collect(func, method)
    return report_verdict("put_cube", data)


def _in_order(items: list[Any]) -> list[Any]:
    """``items`` sorted (by their text when they cannot be compared), so a hint reads the same every run."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def _run_and_collect(func: Callable[..., Any], method: str | None) -> list[Any]:
    """Run ``func(queue, index, number)`` in one process per input; return what they put, in any order."""
    context = get_context(method)
    results_queue = context.Queue()
    processes = [
        context.Process(target=func, args=(results_queue, index, number)) for index, number in enumerate(CUBE_INPUTS)
    ]
    got: list[Any] = []
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + _TIMEOUT_SECONDS
        while len(got) < len(processes) and time.monotonic() < deadline:
            finished = not any(process.is_alive() for process in processes)
            try:  # drain the queue before joining: a child with unread data cannot exit
                got.append(results_queue.get(timeout=0.5 if finished else 0.1))
            except queue_module.Empty:
                if finished:
                    break
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        results_queue.close()
    return got


def draw_numbers(rng: random.Random | None = None) -> list[int]:
    """Numbers for ``collect_cubes`` drawn now: :data:`DRAWN_COUNT` of :data:`DRAWN_FROM`, so never ``CUBE_INPUTS``."""
    return (rng or random.SystemRandom()).sample(DRAWN_FROM, DRAWN_COUNT)


@exercise(
    "cubes",
    "collect_cubes runs the worker in one process per number and returns the cubes in order",
    children=True,
)
def cubes(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on one call ``collect_cubes(worker, numbers)`` (:func:`collect_cubes_data`).

    What it returned (``cubes``), or ``raised`` / ``timeout``; ``pools`` it created; what the
    worker's calls showed: ``calls``, ``from_main`` (in the caller's own process), ``workers``
    (distinct other processes), ``handled`` (the indices, where recorded); ``left``: processes
    still running or not joined after it returned.
    """
    if data.get("problem"):
        return False, str(data["problem"])
    numbers = list(data["numbers"])
    call, count = f"collect_cubes(worker, {numbers})", len(numbers)
    if "timeout" in data:
        return False, (
            f"{call} did not return within {float(data['timeout']):.0f} s: start() every process, "
            "get() one (index, cube) pair per number, then join() every process"
        )
    if "raised" in data:
        return False, f"{call} raised {data['raised']}"
    expected, got = [number**3 for number in numbers], data.get("cubes")
    if got != expected:
        return False, _values_hint(call, got, expected)
    if data.get("pools"):
        return False, (
            "a pool hands its workers the numbers as they come, so one worker may take several: "
            "start one ctx.Process per number (pools are chapter 4's subject)"
        )
    calls, from_main = int(data.get("calls") or 0), int(data.get("from_main") or 0)
    if calls == 0:
        return False, (
            f"{call} returned the right cubes, but the worker never ran: the processes did no work. Start "
            "each with ctx.Process(target=worker, args=(queue, index, number)) and return the cubes they put"
        )
    if from_main:
        return False, (
            f"the worker ran in this process ({from_main} of {calls} calls), called directly or in a thread: "
            "hand it to ctx.Process(target=worker, args=(queue, index, number)) and let the process call it"
        )
    handled = data.get("handled")
    if calls != count or (handled is not None and Counter(map(repr, handled)) != Counter(map(repr, range(count)))):
        return False, (
            f"the worker ran {calls} time(s) for {count} numbers: run it exactly once per number, "
            "with the number's position in numbers as its index"
        )
    workers = int(data.get("workers") or 0)
    if workers < count:
        return False, (
            f"the {count} numbers ran in {workers} process(es): start one process per number, "
            "each running worker(queue, index, number) for its own number"
        )
    if data.get("left"):
        return False, (
            f"{data['left']} process(es) were still running or not joined when collect_cubes returned: "
            "join every process before returning"
        )
    return True, ""


def _values_hint(call: str, got: Any, expected: list[int]) -> str:
    """What is wrong with the value ``collect_cubes`` returned."""
    if isinstance(got, list) and sorted(got, key=repr) == sorted(expected, key=repr):
        return (
            f"{call} returned {got!r}: the right cubes in the wrong order. Results arrive in any order, "
            f"so sort the (index, cube) pairs by index and return {expected!r}"
        )
    pairs = isinstance(got, list) and all(isinstance(item, (list, tuple)) and len(item) == 2 for item in got)
    also = ": return the cubes, not the (index, cube) pairs" if pairs and got else ""
    return f"{call} returned {got!r}, expected {expected!r}{also}"


def check_cubes(collect_cubes: Any, *, timeout: float = TIMEOUT_SECONDS) -> bool:
    """Exercise: does ``collect_cubes(worker, numbers)`` run the worker in one process per number, join them all,
    and return the cubes in the order of ``numbers``?

    It is called once, with numbers drawn now and the check's own worker: a
    :class:`~.witness.CubeWitness` that does what ``put_cube`` does and records the
    process each call ran in, in a folder made for this check and removed after it.
    """
    with tempfile.TemporaryDirectory(prefix="mpcourse-cubes-", ignore_cleanup_errors=True) as folder:
        witness = CubeWitness(folder)
        data = collect_cubes_data(collect_cubes, witness, draw_numbers(), timeout=timeout)
    return report_verdict("cubes", data)
