"""Charts for the course: measured speedup against the ideal and Amdahl's law; worker timelines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt

from ..backend.timing import SpeedupRow, TaskSpan, amdahl_speedup

__all__ = ["fit_serial_fraction", "plot_speedup", "plot_timeline"]


def fit_serial_fraction(rows: Sequence[SpeedupRow], cores: int) -> float:
    """Estimate the serial fraction ``s`` of Amdahl's law from measured speedups, by least squares.

    With ``m = min(workers, cores)`` busy cores, Amdahl's law reads
    ``1/speedup = s * (1 - 1/m) + 1/m``: a straight line through the origin in
    ``x = 1 - 1/m`` and ``y = 1/speedup - 1/m``.  The least-squares slope is
    ``s = Σxy / Σx²`` (for a single row it is the Karp–Flatt metric), clipped to [0, 1].
    Rows with one busy core say nothing about ``s`` and are left out.
    """
    if cores < 1:
        raise ValueError(f"cores must be at least 1, got {cores}")
    sum_xy = sum_xx = 0.0
    for row in rows:
        busy = min(row.workers, cores)
        if busy < 2 or row.speedup <= 0:
            continue
        x = 1.0 - 1.0 / busy
        sum_xy += x * (1.0 / row.speedup - 1.0 / busy)
        sum_xx += x * x
    if sum_xx == 0.0:
        raise ValueError("need a measurement with at least 2 workers on at least 2 cores to estimate the serial part")
    return min(1.0, max(0.0, sum_xy / sum_xx))


def plot_speedup(
    rows: Sequence[SpeedupRow],
    *,
    cores: int,
    serial_fraction: float | None = None,
    ax: Any = None,
    title: str = "Speedup against the number of workers",
) -> Any:
    """Plot measured speedup, the ideal on ``cores`` usable cores and (optionally) Amdahl's law; return the Axes.

    The ideal line rises as n× up to ``cores`` and stays flat beyond: workers
    past the usable cores take turns.  Amdahl's curve uses ``min(n, cores)``
    busy cores too; pass the ``serial_fraction`` estimated with :func:`fit_serial_fraction`.
    """
    if cores < 1:
        raise ValueError(f"cores must be at least 1, got {cores}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    workers = [r.workers for r in rows]
    top = max(workers)
    ax.plot(workers, [r.speedup for r in rows], "o-", label="measured")
    steps = sorted({1, *workers, *([cores] if cores < top else [])})
    ax.plot(
        steps, [min(n, cores) for n in steps], "--", color="grey", label=f"ideal: n×, at most {cores}× on {cores} cores"
    )
    if serial_fraction is not None:
        ax.plot(
            steps,
            [amdahl_speedup(serial_fraction, min(n, cores)) for n in steps],
            ":",
            label=f"Amdahl's law, {serial_fraction:.0%} serial (fitted)",
        )
    if cores < top:
        ax.axvline(cores, color="red", alpha=0.3, label=f"{cores} usable cores")
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup over a serial loop")
    ax.set_xticks(workers)
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_timeline(spans: Sequence[TaskSpan], *, ax: Any = None, title: str = "Which worker ran which task") -> Any:
    """Draw a Gantt chart: one row per worker, one bar per task; return the Axes."""
    workers = sorted({s.worker for s in spans})
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(workers) + 1.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for span in spans:
        ax.barh(
            span.worker,
            span.end - span.start,
            left=span.start,
            color=colours[span.task % len(colours)],
            edgecolor="black",
        )
        ax.text((span.start + span.end) / 2, span.worker, str(span.task), ha="center", va="center")
    ax.set_yticks(workers, [f"worker {w}" for w in workers])
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the first task started")
    ax.set_title(title)
    return ax
