"""Gatherers for notebook 03's exercises: ``put_cube``, and ``collect_cubes`` with the judge's own worker."""

from __future__ import annotations

import secrets
from typing import Any

from ...checks.cube_call import TIMEOUT_SECONDS
from ...checks.q3 import CUBE_INPUTS, draw_numbers
from .common import probe_data, sample_other
from .exercise import Context, gathers
from .probes import CUBE_ASK_SECONDS

__all__ = ["cubes", "put_cube"]


@gathers("put_cube")
def put_cube(context: Context) -> dict[str, Any]:
    """``put_cube`` in one process per number, on the visible numbers and two drawn now."""
    inputs = [*CUBE_INPUTS, *sample_other(context.rng, range(-9, 30), 2, ())]
    observed = context.run("put_cube", ("put_cube",), args={"inputs": inputs})
    data = probe_data(observed, "put_cube could not be run")
    data["inputs"] = inputs
    return data


@gathers("cubes")
def cubes(context: Context) -> dict[str, Any]:
    """The learner's ``collect_cubes`` on numbers drawn now, with the judge's own worker, which asks its server.

    ``calls``, ``from_main`` and ``workers`` are the server's read-back: the requests
    the worker made, and the process ids the kernel gave for them (``SCM_CREDENTIALS``);
    calls made in other processes count only as far as their cubes reached the learner's
    process (each cube names its token to the server where it is unpickled), so processes
    that call the worker, or ask the server, while the cubes are computed here show no calls.
    ``left``: the processes still alive when the learner's program ended, counted by
    the tracer (the judge's worker lingers after its cube, so one not joined is still there),
    and those that had ended but were never joined (the tracer sees them as zombies of the
    learner's process), or, if more, those multiprocessing still lists as started and not
    joined when ``collect_cubes`` returned.
    """
    numbers = draw_numbers(context.rng)
    tokens = {f"?cube:{number}": secrets.token_hex(6) for number in numbers}
    server_tokens = {f"{CUBE_ASK_SECONDS:.3f}": secrets.token_hex(6), **tokens}
    observed = context.run("cubes", ("collect_cubes",), args={"numbers": numbers}, server=server_tokens)
    data = probe_data(observed, "collect_cubes could not be run")
    server = observed.owned.get("server") or {}
    calls, from_main = server.get("requests", 0), server.get("from_main", 0)
    if not from_main:  # calls in other processes count only if their cubes reached this one
        calls = min(calls, _cubes_delivered(server.get("asked") or {}, numbers, tokens))
    data.update(numbers=numbers, calls=calls, from_main=from_main)
    unjoined = data.get("left") if type(data.get("left")) is int else 0  # the probe's: learner code can only lower it
    ended_unjoined = sum(1 for task in observed.tasks if task.get("unjoined"))  # the tracer's: zombies of the caller
    data.update(workers=server.get("processes", 0), left=max(observed.left + ended_unjoined, unjoined))
    data["handled"] = None  # only the kernel's witness records indices; the judge's worker does not
    if "timeout" in data:  # the probe's, which learner code may replace: the verdict reads it as seconds
        data["timeout"] = TIMEOUT_SECONDS
    return data


def _cubes_delivered(asked: dict[str, dict[str, int]], numbers: list[int], tokens: dict[str, str]) -> int:
    """How many of ``numbers`` had their cube's token asked for by another process (the worker's), never by the
    learner's main process, and that cube unpickled in the main process (it came back over the queue)."""
    delivered = 0
    for number in numbers:
        asked_for = asked.get(f"cube:{number}") or {}
        came_back = asked.get(f"arrived:{tokens[f'?cube:{number}']}") or {}
        delivered += bool(asked_for.get("other") and not asked_for.get("main") and came_back.get("main"))
    return delivered
