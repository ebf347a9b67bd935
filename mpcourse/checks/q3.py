"""Checks for notebook 03, creating a process: measured start-up costs and the two exercises."""

from __future__ import annotations

import queue as queue_module
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..backend.context import get_context
from . import busy, report, report_verdict, too_few_processes, worker_problem
from .exercise import exercise

__all__ = [
    "CUBE_INPUTS",
    "MIN_SPAWN_OVER_FORK",
    "check_cubes",
    "check_put_cube",
    "check_startup_costs",
    "cubes",
    "put_cube",
]

#: The exercise's inputs: one process per number, its index is its position here.
CUBE_INPUTS = (2, 3, 4)

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


@exercise("cubes", "cubes collected from the processes, in the order of the numbers", children=True)
def cubes(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``cubes`` of ``numbers`` and the learner's processes.

    ``processes`` (how many), ``alive``, ``codes`` describe the learner's ``Process`` list;
    ``busy``: how many processes did the work (CPU time seen from outside; ``None`` where
    not observed: a kernel cannot tell, since ``start()`` lets go of a process's target).
    """
    numbers = list(data["numbers"])
    expected = [number**3 for number in numbers]
    if data.get("processes") != len(numbers):
        return False, f"start one process per number in {numbers} and keep them in a list"
    if data.get("alive"):
        return False, "a process is still running: call join() on every process you started"
    codes = data.get("codes")
    if any(code != 0 for code in codes or [None]):
        return False, f"every process should end with exit code 0; they ended with {codes}"
    busy = data.get("busy")
    if busy is not None and busy < len(numbers):
        return False, (
            "the processes did not do the work: give each its number, "
            "ctx.Process(target=put_cube, args=(cube_queue, index, number)), and collect the cubes they put"
        )
    got = data.get("cubes")
    if not isinstance(got, list) or got != expected:
        hint = f"with CUBE_INPUTS = {tuple(numbers)} expected {expected}, got {got!r}"
        if isinstance(got, list) and sorted(got, key=repr) == sorted(expected, key=repr):
            hint += ": results arrive in any order, so sort the (index, cube) pairs by index first"
        return False, hint
    return True, ""


def check_cubes(cubes: Any, processes: Sequence[Any]) -> bool:
    """Exercise: did the learner's processes bring back the cubes of :data:`CUBE_INPUTS`, in order?

    ``processes`` are the learner's ``Process`` objects: all must have finished
    with exit code 0, so none is left running.
    """
    data: dict[str, Any] = {"numbers": list(CUBE_INPUTS), "cubes": cubes}
    if isinstance(processes, Sequence) and all(hasattr(process, "is_alive") for process in processes):
        data["processes"] = len(processes)
        data["alive"] = sum(bool(process.is_alive()) for process in processes)
        data["codes"] = [process.exitcode for process in processes]
    return report_verdict("cubes", data)
