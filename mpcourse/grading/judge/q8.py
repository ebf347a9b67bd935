"""Gatherer for notebook 08's exercise: ``inside_count`` on rows drawn at grading time.

The judge runs the function, not the learner's cluster: the image's total
(``inside_pixels``) and the cluster's part in it are the kernel's check's to see
(``mpcourse.checks.q8.cluster_tasks``); here the total is computed with the
learner's function over the course's image, in the sandbox.
"""

from __future__ import annotations

from typing import Any

from ...checks.q8 import CASES, INSIDE_PIXELS
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["inside_count"]


@gathers("inside_count")
def inside_count(context: Context) -> dict[str, Any]:
    """``inside_count`` on the check's rows and three drawn now (lists and bytes, other ``max_iter``)."""
    rows = [[list(counts), max_iter, isinstance(counts, bytes)] for counts, max_iter, _ in CASES]
    for _ in range(3):
        max_iter = context.rng.randrange(20, 256)
        counts = [context.rng.choice([max_iter, context.rng.randrange(1, max_iter)]) for _ in range(30)]
        rows.append([counts, max_iter, context.rng.random() < 0.5])
    observed = context.run("inside_count", ("inside_count",), args={"rows": rows})
    data = probe_data(observed, "inside_count could not be run")
    data.update(rows=rows, total=INSIDE_PIXELS, expected_total=INSIDE_PIXELS)
    return data
