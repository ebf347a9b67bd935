"""Gatherer for notebook 09's exercise: ``logged_squares`` brings its workers' log records to the parent's handler.

The learner's cells run with ``log_square`` replaced by the judge's own, which spends
CPU time before it logs, so the tracer sees which processes did the squaring: records
logged in the parent under a worker's pid, beside idle processes, earn nothing.
"""

from __future__ import annotations

from typing import Any

from ...checks.q9 import EXERCISE_NUMBERS
from .common import probe_data, sample_other
from .exercise import Context, gathers
from .probes import BUSY_SECONDS

__all__ = ["logged_squares"]


@gathers("logged_squares")
def logged_squares(context: Context) -> dict[str, Any]:
    """``logged_squares`` on numbers drawn now; ``busy``: the processes that did the squaring, seen by the tracer."""
    numbers = sample_other(context.rng, range(-40, 200), 5, EXERCISE_NUMBERS[:5])
    observed = context.run(
        "logged_squares",
        ("logged_squares",),
        args={"numbers": numbers},
        replace={"log_square": "mpcourse.grading.judge.probes:log_square_busily"},
    )
    data = probe_data(observed, "logged_squares could not be run")
    data["numbers"] = numbers
    if not observed.untraced:
        data["busy"] = observed.busy(BUSY_SECONDS * 0.6)
    return data
