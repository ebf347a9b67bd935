"""Checks for notebook 01, what multiprocessing is: the measured speedup and the two exercises."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import workers
from ..backend.cpus import available_cpus
from ..backend.pool import run_map
from ..backend.processes import run_processes
from ..backend.timing import SpeedupRow
from . import busy, report, report_verdict, too_few_processes, worker_problem
from .exercise import exercise

__all__ = [
    "MIN_TWO_WORKER_SPEEDUP",
    "SUM_OF_SQUARES_INPUTS",
    "check_counter_prediction",
    "check_speedup",
    "check_sum_of_squares",
    "counter_prediction",
    "sum_of_squares",
]

#: The least speedup 2 workers must show on CPU-bound work when 2 cores are free (ideal: 2.0).
MIN_TWO_WORKER_SPEEDUP = 1.3

#: The exercise's inputs for ``sum_of_squares``.
SUM_OF_SQUARES_INPUTS = (0, 1, 2, 10, 1_000)


def check_speedup(
    rows: Sequence[SpeedupRow], *, cpus: int | None = None, free_cpus: float | None = None
) -> bool | None:
    """Did 2 workers speed CPU-bound tasks up as far as the cores they were given allow?

    Over 1.3x when 2 cores were free; less on a busy machine, held to the cores
    free while the 2 workers ran (``free_cpus``, default: what the row measured);
    nothing with fewer than 2 usable cores (``cpus``, default
    :func:`~mpcourse.available_cpus`).  The learner's numbers, and why when the
    speedup is low, come beside the line (:func:`mpcourse.checks.busy.judge_speedup`).
    """
    name = "2 workers sped up the CPU-bound tasks as far as the free cores allowed"
    two = [row for row in rows if row.workers == 2]
    if not two:
        return report(False, name, "measure with 2 workers too, e.g. measure_speedup(func, tasks, [1, 2])")
    cpus = available_cpus() if cpus is None else cpus
    speedup = two[0].speedup
    hint = (
        f"2 workers gave {speedup:.2f}x. Use CPU-bound tasks (busy_wait or count_primes, not sleep_for) "
        "that take well over a millisecond each"
    )
    free = busy.free_cpus_for(two, free_cpus) if cpus >= 2 else None
    measured = busy.Speedup(speedup, "2 workers", "the loop")
    return busy.judge_speedup(name, measured, MIN_TWO_WORKER_SPEEDUP, free, cpus, hint)


@exercise("counter_prediction", "prediction of COUNTER in three children and in the parent")
def counter_prediction(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on the prediction (``children``, ``parent``) against what really happened (``actual_*``)."""
    children, parent = data.get("children"), data.get("parent")
    if not isinstance(children, (list, tuple)) or len(children) != 3:
        return False, "predicted_child_results should be a list of three numbers, one per child"
    if list(children) != list(data["actual_children"]):
        return False, (
            "each child adds 10 to its own copy of COUNTER, which no other process touches; "
            "do the children see each other's additions?"
        )
    if isinstance(parent, bool) or parent != data["actual_parent"]:
        return False, "did the children's additions reach the parent? Look again at the memory isolation demo"
    return True, ""


def check_counter_prediction(child_results: Any, parent_counter: Any) -> bool:
    """Exercise: predict what three children and the parent see after each child adds 10 to ``COUNTER``.

    The check runs the experiment itself: three processes, each calling
    ``workers.add_to_counter(10)``, then compares with the prediction.
    """
    outcomes = run_processes(workers.add_to_counter, [(10,)] * 3)
    data = {
        "children": child_results,
        "parent": parent_counter,
        "actual_children": [outcome.result for outcome in outcomes],
        "actual_parent": workers.COUNTER,
    }
    return report_verdict("counter_prediction", data)


@exercise("sum_of_squares", "sum_of_squares runs in child processes and returns the right sums", children=True)
def sum_of_squares(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``results`` (of ``inputs``, run in a pool) given the ``problem`` loading it or what it ``raised``."""
    if data.get("problem"):
        return False, str(data["problem"])
    if data.get("raised"):
        return False, f"it raised {data['raised']} in a child"
    inputs = list(data["inputs"])
    results = data.get("results")
    results = list(results) if isinstance(results, (list, tuple)) and len(results) == len(inputs) else []
    results += [None] * (len(inputs) - len(results))
    for n, got in zip(inputs, results, strict=True):
        expected = sum(i * i for i in range(n))
        if got != expected or isinstance(got, bool):
            return False, f"sum_of_squares({n}) returned {got!r}, expected {expected}"
    hint = too_few_processes(data, 1, "sum_of_squares", "run it in a pool")
    return not hint, hint


def check_sum_of_squares(func: Callable[[int], Any]) -> bool:
    """Exercise: does ``func(n)`` return ``0² + 1² + … + (n-1)²`` when run in child processes?

    The function must be importable by a child under every start method (a
    ``%%worker`` cell or a module), not only under the one this kernel uses.
    """
    data: dict[str, Any] = {"inputs": list(SUM_OF_SQUARES_INPUTS)}
    data["problem"] = worker_problem(func, "check_sum_of_squares(sum_of_squares)")
    if not data["problem"]:
        try:
            data["results"] = run_map(func, SUM_OF_SQUARES_INPUTS, processes=2)
        except Exception as exc:
            data["raised"] = f"{type(exc).__name__}: {exc}"
    return report_verdict("sum_of_squares", data)
