"""Judges for notebook 01's exercises: the COUNTER prediction and ``sum_of_squares``."""

from __future__ import annotations

from ...checks.q1 import SUM_OF_SQUARES_INPUTS
from .answers import NOT_LITERAL
from .common import IMPORTABLE_PROBE, MP_PREAMBLE, importable_result, too_few_processes
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_VALUES_PROBE = "RESULT = [list(predicted_child_results), predicted_parent_counter]\n"


def _counter_prediction(context: Context) -> tuple[bool, str]:
    names = ("predicted_child_results", "predicted_parent_counter")
    values = context.literals(*names)
    if all(name in values and values[name] is not NOT_LITERAL for name in names):
        children, parent = values[names[0]], values[names[1]]
    else:
        observed = context.run(MP_PREAMBLE, _VALUES_PROBE)
        if not isinstance(observed.result, list):
            return False, "predicted_child_results should be a list of three numbers, one per child"
        children, parent = observed.result
    if not isinstance(children, (list, tuple)) or len(children) != 3:
        return False, "predicted_child_results should be a list of three numbers, one per child"
    if list(children) != [10, 10, 10]:
        return False, (
            "each child adds 10 to its own copy of COUNTER, which no other process touches; "
            "do the children see each other's additions?"
        )
    if parent != 0 or isinstance(parent, bool):
        return False, "did the children's additions reach the parent? Look again at the memory isolation demo"
    return True, ""


_SQUARES_PROBE = (
    "FUNC = globals().get('sum_of_squares')\n"
    + IMPORTABLE_PROBE
    + """\
if PROBLEM:
    RESULT = {"problem": PROBLEM}
else:
    try:
        RESULT = {"results": mpcourse.run_map(FUNC, INPUTS, processes=2)}
    except Exception as exc:
        RESULT = {"raised": f"{type(exc).__name__}: {exc}"}
"""
)


def _sum_of_squares(context: Context) -> tuple[bool, str]:
    inputs = [*SUM_OF_SQUARES_INPUTS, *context.rng.sample(range(3, 3000), 2)]
    observed = context.run(
        MP_PREAMBLE, _SQUARES_PROBE, INPUTS=inputs, HOW_TO_PASS="check_sum_of_squares(sum_of_squares)"
    )
    result, hint = importable_result(observed, "sum_of_squares could not be run")
    if hint:
        return False, hint
    if "raised" in result:
        return False, f"it raised {result['raised']} in a child"
    results = result.get("results")
    results = results if isinstance(results, list) and len(results) == len(inputs) else [None] * len(inputs)
    for n, got in zip(inputs, results, strict=True):
        expected = sum(i * i for i in range(n))
        if got != expected:
            return False, f"sum_of_squares({n}) returned {got!r}, expected {expected}"
    hint = too_few_processes(observed, 1, "sum_of_squares")
    return not hint, hint


EXERCISES = (
    Exercise("mpcourse.checks.q1", "check_counter_prediction",
             "prediction of COUNTER in three children and in the parent", _counter_prediction),
    Exercise("mpcourse.checks.q1", "check_sum_of_squares",
             "sum_of_squares runs in child processes and returns the right sums", _sum_of_squares),
)  # fmt: skip
