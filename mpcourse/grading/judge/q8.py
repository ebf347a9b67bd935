"""Gatherer for notebook 08's exercise: ``inside_count``, and the learner's cluster cell on the judge's own cluster.

The function is run on rows drawn at grading time (lists and bytes, other
``max_iter``).  The learner's cell that counts the image runs with the judge's dask
cluster as ``client`` and an image drawn now: ``mandelbrot_row`` hands out the
judge's rows from the tracer's server, and ``inside_count`` tells the server each
time it is called, and on which row.  The server hears which process asked, and the tracer says
which processes were the cluster's, so work done outside the cluster shows.
"""

from __future__ import annotations

from typing import Any

from ...checks.q8 import CASES, MAX_ITER
from .cluster_probes import row_key
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["inside_count"]

#: The judge's image: this many rows of this many pixels, drawn at grading time.
_IMAGE_ROWS, _IMAGE_WIDTH = range(3, 7), 40
#: The judge's cluster: as many workers as chapter 08's.
_WORKERS = 2
_PROBES = "mpcourse.grading.judge.cluster_probes"


@gathers("inside_count")
def inside_count(context: Context) -> dict[str, Any]:
    """``inside_count`` on the check's rows and three drawn now; ``inside_pixels`` of an image drawn now, and who
    made its rows and counted them (``rows_off_cluster``: rows no cluster process asked for;
    ``rows_counted_off_cluster``: rows ``inside_count`` never counted in a cluster process, whatever else
    the cluster counted; ``cluster_tasks``: the calls of ``inside_count`` in the cluster's processes)."""
    rows = [[list(counts), max_iter, isinstance(counts, bytes)] for counts, max_iter, _ in CASES]
    for _ in range(3):
        max_iter = context.rng.randrange(20, 256)
        counts = [context.rng.choice([max_iter, context.rng.randrange(1, max_iter)]) for _ in range(30)]
        rows.append([counts, max_iter, context.rng.random() < 0.5])
    height = context.rng.choice(_IMAGE_ROWS)
    image = [
        [context.rng.choice([MAX_ITER, context.rng.randrange(1, MAX_ITER)]) for _ in range(_IMAGE_WIDTH)]
        for _ in range(height)
    ]
    observed = context.run(
        "inside_count",
        ("inside_count", "inside_pixels"),
        args={"rows": rows},
        inputs={"ROWS": list(range(height)), "HEIGHT": height, "WIDTH": _IMAGE_WIDTH, "MAX_ITER": MAX_ITER},
        replace={"mandelbrot_row": f"{_PROBES}:row_from_judge"},
        wrap={"inside_count": f"{_PROBES}:Announced"},
        server={f"?row:{number}": ",".join(map(str, counts)) for number, counts in enumerate(image)},
        cluster=_WORKERS,
    )
    data = probe_data(observed, "inside_count could not be run")
    if not isinstance(data.get("values", []), list):  # the probe's, which learner code may replace
        data["values"] = []
    inside = sum(count == MAX_ITER for counts in image for count in counts)
    data.update(rows=rows, expected_total=inside, outside_total=height * _IMAGE_WIDTH - inside)
    asked = (observed.owned.get("server") or {}).get("asked") or {}
    data["rows_off_cluster"] = sum(1 for number in range(height) if not asked.get(f"row:{number}", {}).get("cluster"))
    counted = [(asked.get(f"call:inside_count:{row_key(counts)}") or {}).get("cluster", 0) for counts in image]
    data["rows_counted_off_cluster"] = sum(1 for calls in counted if calls < 1)
    data["cluster_tasks"] = sum(counted)
    return data
