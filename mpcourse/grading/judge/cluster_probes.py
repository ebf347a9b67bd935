"""What the judge's dask cluster runs for chapter 08: the cluster itself, rows only the judge knows, calls it hears of.

Used by :mod:`._child` (``"cluster"`` and ``"wrap"`` in a job) and the cluster's
workers, beside learner code: the process that asks the judge's server for a row,
or says it called the learner's function, is named by the kernel to the server,
and the tracer says whether it was one of the cluster's (:mod:`.owned`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

__all__ = ["Announced", "row_from_judge", "row_key", "start_cluster", "use_judges_rows"]


def start_cluster(workers: int) -> tuple[Any, Any]:
    """The judge's dask cluster (``workers`` processes of one thread) and a client of it, as chapter 08 starts one,
    its processes and this one drawing the judge's image (:func:`use_judges_rows`)."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    client = Client(cluster)
    use_judges_rows()
    client.run(use_judges_rows)
    return cluster, client


def use_judges_rows() -> None:
    """Make ``mpcourse.workers.mandelbrot_row`` the judge's in this process, so a learner's module that imports it
    itself (a ``%%worker`` cell) draws the judge's image too."""
    import mpcourse.workers

    mpcourse.workers.mandelbrot_row = row_from_judge  # type: ignore[assignment]


def row_from_judge(row: int, *args: Any, **kwargs: Any) -> list[int]:
    """The judge's ``mandelbrot_row``: row ``row`` of an image drawn at grading time, asked of the judge's server
    (which notes the process that asked)."""
    from mpcourse.grading.judge.owned import ask_for

    answer = ask_for(f"row:{row}")
    if answer == "unknown":
        raise ValueError(f"row must be one of the image's rows (ROWS), got {row!r}")
    return [int(count) for count in answer.split(",")]


def row_key(counts: Any) -> str:
    """A short digest of a row's counts, the same for a list, bytes or an array of them (``"-"``: not a row, or
    an iterator, which a digest would use up before the learner's function sees it)."""
    if isinstance(counts, Iterator):
        return "-"
    try:
        text = ",".join(str(int(count)) for count in counts)
    except (TypeError, ValueError, OverflowError):
        return "-"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Announced:
    """A learner's function that tells the judge's server each time it is called, and on which row (its first
    argument's :func:`row_key`); the server notes the process."""

    def __init__(self, func: Any, name: str | None = None) -> None:
        self.__wrapped__ = func
        self.__name__ = getattr(func, "__name__", "function")
        self.announced_as = name or self.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from mpcourse.grading.judge.owned import ask_for

        counts = args[0] if args else next(iter(kwargs.values()), None)
        ask_for(f"call:{self.announced_as}:{row_key(counts)}")
        return self.__wrapped__(*args, **kwargs)
