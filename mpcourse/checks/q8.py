"""Checks for notebook 08, beyond one machine: the exercise ``inside_count``.

The answer is a function in a ``%%worker`` cell, ``inside_count(counts, max_iter)``,
and the number the learner's cluster computed with it.  The function is judged on
inputs the notebook never shows (plain lists and bytes, another ``max_iter``), so a
judge outside the learner's kernel can run it by module and name; the number is
compared with the one true count for the course's image. A judge outside the kernel
needs only the function: :func:`function_problem` on ``CASES``, then the sum of
``inside_count`` over the image's rows against ``INSIDE_PIXELS``; ``inside_pixels``
is the kernel's own result, feedback for the learner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import report, worker_problem

__all__ = ["CASES", "INSIDE_PIXELS", "MAX_ITER", "check_inside_count", "function_problem"]

#: ``mandelbrot_row``'s default number of steps: a pixel that lasts them all is inside the set.
MAX_ITER = 200

#: Pixels inside the set in the course's 480x320 image at ``MAX_ITER`` (tests recompute it).
INSIDE_PIXELS = 32376

#: Rows the check tries, with the answer each must give: ``(counts, max_iter, inside)``.
CASES: tuple[tuple[Any, int, int], ...] = (
    ([200, 3, 200, 17], 200, 2),
    ([1, 2, 3], 200, 0),
    ([50, 50, 49, 7, 50], 50, 3),  # another max_iter: 50 steps is the whole budget here
    (bytes([200, 1, 200, 200]), 200, 3),  # a row sent compactly, as bytes
    ([], 200, 0),
)

_TOTAL_PIXELS = 480 * 320


def _call(func: Callable[..., Any], counts: Any, max_iter: int) -> tuple[str, Any]:
    try:
        return "ok", func(counts, max_iter)
    except Exception as exc:
        return "error", exc


def function_problem(inside_count: Callable[..., Any]) -> str:
    """Why ``inside_count`` gives a wrong count for one of ``CASES``, as a hint; ``""`` when it is right.

    Prints nothing and needs no cluster: a judge can call it with the learner's
    function in a fresh process of its own.
    """
    for counts, max_iter, expected in CASES:
        call = f"inside_count({counts!r}, {max_iter})"
        status, value = _call(inside_count, counts, max_iter)
        if status == "error":
            return f"{call} raised {type(value).__name__}: {value}"
        if value == len(counts) - expected and value != expected:
            return (
                f"{call} returned {value!r}, the pixels that escaped; count those that never did, "
                f"whose count equals max_iter: {expected}"
            )
        if value != expected or isinstance(value, bool):
            return (
                f"{call} returned {value!r}, expected {expected}: count the entries equal to max_iter "
                "(use the max_iter argument, not a fixed 200)"
            )
    return ""


def check_inside_count(inside_count: Any, inside_pixels: Any) -> bool:
    """Exercise: does ``inside_count`` count the pixels of a row inside the set, and is the image's total right?"""
    name = "inside_count counts the pixels inside the set, and the cluster added them up"
    problem = worker_problem(inside_count, "check_inside_count(inside_count, inside_pixels)")
    if problem or (problem := function_problem(inside_count)):
        return report(False, name, problem)
    if isinstance(inside_pixels, bool) or not isinstance(inside_pixels, int):
        return report(
            False,
            name,
            f"inside_pixels is {inside_pixels!r}; it should be one int: .result() of the task that sums "
            "the per-row counts",
        )
    if inside_pixels == _TOTAL_PIXELS - INSIDE_PIXELS:
        return report(False, name, f"inside_pixels is {inside_pixels}, the pixels outside the set; count those inside")
    if inside_pixels != INSIDE_PIXELS:
        return report(
            False,
            name,
            f"inside_pixels is {inside_pixels}, not the image's count: map inside_count over the futures of "
            "every row of the image (HEIGHT rows), then sum the results",
        )
    return report(True, name)
