"""Gatherer for notebook 05's exercise: ``run_all``, with leftover workers seen by the tracer."""

from __future__ import annotations

from typing import Any

from ...checks.q5 import ORDER_TASKS
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["run_all"]


@gathers("run_all")
def run_all(context: Context) -> dict[str, Any]:
    """``run_all`` on numbers drawn now and the ordered sleeps, its pools kept from the garbage collector.

    ``left``: the workers still alive when the learner's process ended, counted by
    the tracer (a pool left open keeps its workers; a closed one has none left).
    """
    numbers = context.rng.sample(range(-50, 1000), 7)
    lengths = list(ORDER_TASKS)
    observed = context.run("run_all", ("run_all",), args={"numbers": numbers, "lengths": lengths})
    data = probe_data(observed, "run_all could not be run")
    data.update(numbers=numbers, lengths=lengths)
    if not observed.untraced:
        data["left"] = observed.left
    return data
