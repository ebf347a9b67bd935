"""Gatherers for notebook 01's exercises: the COUNTER prediction and ``sum_of_squares``."""

from __future__ import annotations

from typing import Any

from ...checks.q1 import SUM_OF_SQUARES_INPUTS
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["counter_prediction", "sum_of_squares"]


@gathers("counter_prediction")
def counter_prediction(context: Context) -> dict[str, Any]:
    """The two predicted values, as the learner's cells computed them; what really happens is fixed."""
    observed = context.run("counter_prediction", ("predicted_child_results", "predicted_parent_counter"))
    data = probe_data(observed, "the prediction could not be read")
    data.update(actual_children=[10, 10, 10], actual_parent=0)
    return data


@gathers("sum_of_squares")
def sum_of_squares(context: Context) -> dict[str, Any]:
    """``sum_of_squares`` on the visible inputs and two drawn now, in a pool."""
    inputs = [*SUM_OF_SQUARES_INPUTS, *context.rng.sample(range(3, 3000), 2)]
    observed = context.run("sum_of_squares", ("sum_of_squares",), args={"inputs": inputs})
    data = probe_data(observed, "sum_of_squares could not be run")
    data["inputs"] = inputs
    return data
