"""Charts for the course: speedup against the ideal and Amdahl's law; worker timelines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt

from .timing import SpeedupRow, TaskSpan, amdahl_speedup

__all__ = ["plot_speedup", "plot_timeline"]


def plot_speedup(
    rows: Sequence[SpeedupRow],
    *,
    serial_fraction: float | None = None,
    cores: int | None = None,
    ax: Any = None,
    title: str = "Speedup against the number of workers",
) -> Any:
    """Plot measured speedup, the ideal line and (optionally) Amdahl's law; return the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    workers = [r.workers for r in rows]
    top = max(workers)
    ax.plot(workers, [r.speedup for r in rows], "o-", label="measured")
    ax.plot([1, top], [1, top], "--", color="grey", label="ideal (n×)")
    if serial_fraction is not None:
        ax.plot(
            workers,
            [amdahl_speedup(serial_fraction, n) for n in workers],
            ":",
            label=f"Amdahl, {serial_fraction:.0%} serial",
        )
    if cores is not None and cores < top:
        ax.axvline(cores, color="red", alpha=0.3, label=f"{cores} cores available")
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup over a serial loop")
    ax.set_xticks(workers)
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
