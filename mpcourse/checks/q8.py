"""Checks for notebook 08, beyond one machine: the exercise ``inside_count``.

The answer is a function in a ``%%worker`` cell, ``inside_count(counts, max_iter)``,
and the number the learner's cluster computed with it.  The function is judged on
rows the notebook never shows (plain lists and bytes, another ``max_iter``); the
number is compared with the one true count for the course's image, and the cluster's
scheduler is asked whether ``inside_count`` ran there (:func:`cluster_tasks`), so a
count made in the kernel fails.  The judge outside the kernel runs the function on
rows of its own (:func:`rows_data`), and the learner's cell on its own cluster and
image, seeing from outside which processes made the rows and called ``inside_count``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import report_verdict, worker_problem
from .exercise import exercise

__all__ = [
    "CASES",
    "INSIDE_PIXELS",
    "MAX_ITER",
    "check_inside_count",
    "cluster_tasks",
    "inside_count",
    "rows_data",
]

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


@exercise("inside_count", "inside_count counts the pixels inside the set, and the cluster added them up", children=True)
def inside_count(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``inside_count`` over ``rows`` (``[counts, max_iter, as_bytes]``; what it gave: ``values``)
    and on ``total``, the image's count, against ``expected_total``.

    ``cluster_tasks``: how many ``inside_count`` tasks the cluster ran (``None`` where not observed);
    ``rows_off_cluster`` and ``rows_counted_off_cluster``: how many of the image's rows no cluster process
    computed, or counted (the judge's; ``None`` where not observed).
    """
    if data.get("problem"):
        return False, str(data["problem"])
    rows, values = list(data["rows"]), list(data.get("values") or [])
    if len(values) != len(rows):
        return False, "inside_count could not be run on every row"
    for (counts, max_iter, as_bytes), value in zip(rows, values, strict=True):
        shown = f"bytes({list(counts)!r})" if as_bytes else repr(list(counts))
        call = f"inside_count({shown}, {max_iter})"
        expected = sum(1 for count in counts if count == max_iter)
        if isinstance(value, dict):
            return False, f"{call} raised {value.get('raised')}"
        if value == len(counts) - expected and value != expected:
            return False, (
                f"{call} returned {value!r}, the pixels that escaped; count those that never did, "
                f"whose count equals max_iter: {expected}"
            )
        if value != expected or isinstance(value, bool):
            return False, (
                f"{call} returned {value!r}, expected {expected}: count the entries equal to max_iter "
                "(use the max_iter argument, not a fixed 200)"
            )
    total, expected_total = data.get("total"), data["expected_total"]
    if isinstance(total, bool) or not isinstance(total, int):
        return False, (
            f"inside_pixels is {total!r}; it should be one int: .result() of the task that sums the per-row counts"
        )
    if total != expected_total and total == data.get("outside_total"):
        return False, f"inside_pixels is {total}, the pixels outside the set; count those inside"
    if total != expected_total:
        return False, (
            f"inside_pixels is {total}, not the image's count: map inside_count over the futures of "
            "every row of the image (HEIGHT rows), then sum the results"
        )
    off = data.get("rows_off_cluster")
    if off:
        return False, (
            f"inside_pixels is right, but {off} row(s) of the image were computed outside the cluster: "
            "send mandelbrot_row to the cluster too, client.map(mandelbrot_row, ROWS)"
        )
    counted_off = data.get("rows_counted_off_cluster")
    if counted_off:
        return False, (
            f"inside_pixels is right, but {counted_off} row(s) of the image were counted outside the cluster: "
            "count every row where it was made, client.map(inside_count, row_futures, max_iter=MAX_ITER)"
        )
    tasks = data.get("cluster_tasks")
    if tasks is not None and tasks < 1:
        return False, (
            "inside_pixels is right, but the cluster ran no inside_count task: the count was made in this "
            "process. Send the work to the cluster: client.map(inside_count, row_futures, max_iter=MAX_ITER)"
        )
    return True, ""


def rows_data(inside_count: Any, rows: list[tuple[Any, int, bool]]) -> dict[str, Any]:
    """What ``inside_count`` gave for each ``(counts, max_iter, as_bytes)`` row, as plain data."""
    values: list[Any] = []
    for counts, max_iter, as_bytes in rows:
        status, value = _call(inside_count, bytes(counts) if as_bytes else list(counts), max_iter)
        if status == "error":
            values.append({"raised": f"{type(value).__name__}: {value}"})
        else:
            values.append(value if type(value) is int or value is None else repr(value)[:100])
    return {"rows": [[list(counts), max_iter, as_bytes] for counts, max_iter, as_bytes in rows], "values": values}


def cluster_tasks(name: str = "inside_count") -> int | None:
    """How many tasks of function ``name`` the learner's dask cluster knows of (``None``: no dask here).

    It asks the scheduler of the default client for the tasks it holds and its recent
    transitions, so a count made in the kernel instead of on the cluster shows as 0.
    """
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        client = default_client()
    except ValueError:  # no client: nothing ran on a cluster
        return 0
    try:
        return int(client.run_on_scheduler(_tasks_named, name=name))
    except Exception:  # a scheduler that cannot be asked: nothing is claimed either way
        return None


def _tasks_named(dask_scheduler: Any = None, name: str = "") -> int:
    """On the scheduler: the tasks it holds or recently moved whose key names function ``name``."""
    keys = {str(key) for key in getattr(dask_scheduler, "tasks", {})}
    for entry in list(getattr(dask_scheduler, "transition_log", ()))[-100_000:]:
        keys.add(str(entry[0]))
    return sum(1 for key in keys if name in key)


def check_inside_count(inside_count: Any, inside_pixels: Any) -> bool:
    """Exercise: does ``inside_count`` count the pixels of a row inside the set, and is the image's total right?"""
    rows = [(counts, max_iter, isinstance(counts, bytes)) for counts, max_iter, _ in CASES]
    data: dict[str, Any] = {"rows": [[list(c), m, b] for c, m, b in rows], "total": inside_pixels}
    data.update(expected_total=INSIDE_PIXELS, outside_total=_TOTAL_PIXELS - INSIDE_PIXELS)
    data["problem"] = worker_problem(inside_count, "check_inside_count(inside_count, inside_pixels)")
    if not data["problem"]:
        data.update(rows_data(inside_count, rows))
        data["cluster_tasks"] = cluster_tasks()
    return report_verdict("inside_count", data)
