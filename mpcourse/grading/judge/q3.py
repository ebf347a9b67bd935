"""Gatherers for notebook 03's exercises: ``put_cube`` and the cubes collected from processes."""

from __future__ import annotations

from typing import Any

from ...checks.q3 import CUBE_INPUTS
from .common import probe_data, sample_other
from .exercise import Context, gathers
from .probes import BUSY_SECONDS

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
    """The learner's cubes cell on numbers drawn now, with ``put_cube`` the judge's own busy worker.

    ``busy``: the processes that spent the worker's CPU time, seen by the tracer, so
    processes that do nothing while the parent computes the cubes are caught.
    """
    numbers = sample_other(context.rng, range(-9, 30), 4, CUBE_INPUTS)
    observed = context.run(
        "cubes",
        ("cubes", "cube_processes"),
        inputs={"CUBE_INPUTS": numbers},
        replace={"put_cube": "mpcourse.grading.judge.probes:put_cube_busily"},
    )
    data = probe_data(observed, "the cubes cell could not be run")
    data["numbers"] = numbers
    if not observed.untraced:
        data["busy"] = observed.busy(BUSY_SECONDS * 0.6)  # an idle spawned child: about 0.04 s
    return data
