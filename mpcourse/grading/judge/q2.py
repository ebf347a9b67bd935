"""Gatherers for notebook 02's exercises: ``choices`` and ``download_all``, the latter against the judge's server."""

from __future__ import annotations

import secrets
from typing import Any

from .common import probe_data
from .exercise import Context, gathers

__all__ = ["choices", "download_all"]


@gathers("choices")
def choices(context: Context) -> dict[str, Any]:
    """The ``choices`` the learner's cells built (literal, item by item, ``dict()``: whatever ran)."""
    return probe_data(context.run("choices", ("choices",)), "choices could not be read")


@gathers("download_all")
def download_all(context: Context) -> dict[str, Any]:
    """``download_all`` with each ``sleep_for`` answered by the tracer's server, which counts overlapping requests.

    What it must return are the server's tokens, drawn now, in the order of the delays;
    returning its input or answers it made up earns nothing, and only requests the
    server saw in flight together count as waiting at once.
    """
    delays = sorted({round(context.rng.uniform(0.15, 0.25), 3) for _ in range(6)}, key=lambda _: context.rng.random())
    tokens = {f"{delay:.3f}": secrets.token_hex(6) for delay in delays}
    observed = context.run(
        "download_all",
        ("download_all",),
        replace={"sleep_for": "mpcourse.grading.judge.probes:fetch"},
        args={"delays": delays},
        server=tokens,
    )
    data = probe_data(observed, "download_all could not be run")
    server = observed.owned.get("server") or {}
    data.update(expected=[tokens[f"{delay:.3f}"] for delay in delays], serial=sum(delays))
    data["overlap"] = int(server.get("overlap", 0)) if server else 0
    return data
