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
    the worker made, and the process ids the kernel gave for them (``SCM_CREDENTIALS``).
    ``left``: the processes still alive when the learner's program ended, counted by
    the tracer (the judge's worker lingers after its cube, so one not joined is still there),
    or, if more, those multiprocessing still lists as started and not joined when
    ``collect_cubes`` returned (one not joined that the learner waited out has ended, but
    was never joined).
    """
    numbers = draw_numbers(context.rng)
    token = {f"{CUBE_ASK_SECONDS:.3f}": secrets.token_hex(6)}
    observed = context.run("cubes", ("collect_cubes",), args={"numbers": numbers}, server=token)
    data = probe_data(observed, "collect_cubes could not be run")
    server = observed.owned.get("server") or {}
    data.update(numbers=numbers, calls=server.get("requests", 0), from_main=server.get("from_main", 0))
    unjoined = data.get("left") if type(data.get("left")) is int else 0  # the probe's: learner code can only lower it
    data.update(workers=server.get("processes", 0), left=max(observed.left, unjoined))
    data["handled"] = None  # only the kernel's witness records indices; the judge's worker does not
    if "timeout" in data:  # the probe's, which learner code may replace: the verdict reads it as seconds
        data["timeout"] = TIMEOUT_SECONDS
    return data
