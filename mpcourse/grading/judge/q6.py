"""Gatherer for notebook 06's exercise: ``squares_from_processes``, with processes counted from outside."""

from __future__ import annotations

from typing import Any

from ...checks.q6 import CASES
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["squares"]


def _hidden_case(context: Context) -> list[int]:
    while True:
        numbers = context.rng.sample(range(-30, 31), 4)
        if sorted(numbers, key=abs) != numbers:  # the squares' order is not the numbers' order
            return numbers


@gathers("squares")
def squares(context: Context) -> dict[str, Any]:
    """``squares_from_processes`` on the visible cases and one drawn now."""
    cases = [list(case) for case in CASES] + [_hidden_case(context)]
    observed = context.run("squares", ("squares_from_processes",), args={"cases": cases})
    data = probe_data(observed, "squares_from_processes could not be run")
    if "did not finish" in str(data.get("problem", "")):
        data["problem"] += "; queue.get() waits forever for a result that never comes: start() every process"
    data["cases"] = cases
    return data
