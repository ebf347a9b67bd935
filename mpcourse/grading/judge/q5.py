"""Gatherer for notebook 05's exercise: ``run_all``, its tasks answered by the tracer's server, leftovers traced."""

from __future__ import annotations

import secrets
from typing import Any

from ...checks.q5 import ORDER_TASKS
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["run_all"]


@gathers("run_all")
def run_all(context: Context) -> dict[str, Any]:
    """``run_all`` on the ordered sleeps answered by the tracer's server.

    The server says how many tasks were in flight at once and from how many processes
    (the kernel names each caller), and the results must be its tokens, in item order.
    ``left``: the workers still alive when the learner's process ended, counted by the
    tracer (run_all's pools are kept from the garbage collector: an open one keeps its workers).
    """
    numbers: list[int] = []  # the server's tokens, drawn now, are the values judged: one pool, not two
    lengths = list(ORDER_TASKS)
    tokens = {f"{length:.3f}": secrets.token_hex(6) for length in lengths}
    observed = context.run("run_all", ("run_all",), args={"numbers": numbers, "lengths": lengths}, server=tokens)
    data = probe_data(observed, "run_all could not be run")
    server = observed.owned.get("server") or {}
    data.update(numbers=numbers, expected_results=[tokens[f"{length:.3f}"] for length in lengths])
    data.update(overlap=server.get("overlap", 0), workers=server.get("processes", 0), from_main=server.get("from_main"))
    data["left"] = observed.left
    return data
