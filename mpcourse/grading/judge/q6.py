"""Judge for notebook 06's exercise: ``squares_from_processes``, with processes counted from outside."""

from __future__ import annotations

from ...checks.q6 import CASES
from .common import MP_PREAMBLE, failure_hint, too_few_processes
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PREAMBLE = MP_PREAMBLE + "from mpcourse.workers import put_square\n"
_PROBE = """\
RESULT = []
for numbers in CASES:
    try:
        value = squares_from_processes(list(numbers))
        RESULT.append({"got": list(value) if isinstance(value, (list, tuple)) else repr(value)})
    except Exception as exc:
        RESULT.append({"raised": f"{type(exc).__name__}: {exc}"})
        break
"""


def _hidden_case(context: Context) -> list[int]:
    while True:
        numbers = context.rng.sample(range(-30, 31), 4)
        if sorted(numbers, key=abs) != numbers:  # the squares' order is not the numbers' order
            return numbers


def _squares(context: Context) -> tuple[bool, str]:
    cases = [list(case) for case in CASES] + [_hidden_case(context)]
    observed = context.run(_PREAMBLE, _PROBE, CASES=cases)
    result = observed.result
    if not isinstance(result, list) or not all(isinstance(outcome, dict) for outcome in result):
        hint = failure_hint(observed, "squares_from_processes could not be run")
        if "did not finish" in hint:
            hint += "; queue.get() waits forever for a result that never comes: start() every process"
        return False, hint
    result += [{"got": None}] * (len(cases) - len(result))
    for numbers, outcome in zip(cases, result[: len(cases)], strict=True):
        call = f"squares_from_processes({numbers})"
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
    hint = too_few_processes(observed, sum(len(numbers) for numbers in cases), "squares_from_processes")
    return not hint, hint


EXERCISES = (
    Exercise("mpcourse.checks.q6", "check_squares",
             "squares_from_processes collects one square per process, in the order of the numbers", _squares),
)  # fmt: skip
