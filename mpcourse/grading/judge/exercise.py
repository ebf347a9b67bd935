"""How the judge gathers an exercise's data: the learner's cells run sandboxed, a probe, and what was observed.

Each judged exercise (``mpcourse.checks.exercise``: name, title, verdict) has a
*gatherer* here, registered with :func:`gathers`: it gets a :class:`Context`
and returns the plain data the exercise's verdict takes, the same data the
kernel's check gathers, but from a run of the learner's own cells in a fresh
sandbox (:meth:`Context.run`), on inputs drawn at grading time, with every claim
about processes, threads, time and shared memory taken from the tracer
(:class:`~.run.Observed`).
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..settings import DEFAULT_SETTINGS, RunSettings
from .run import Observed, run_job

__all__ = ["GATHERERS", "KILL_AFTER", "Context", "Gatherer", "find_gatherer", "gathers"]

#: Seconds a judge run (the learner's cells and the probe) may take before the tracer kills it.
KILL_AFTER = 30.0


@dataclass
class Context:
    """What a gatherer may use: the learner's code cells (JSON, never parsed here), fresh random numbers, runs."""

    cells: list[dict[str, Any]]
    settings: RunSettings = DEFAULT_SETTINGS
    rng: random.Random = field(default_factory=random.SystemRandom)
    start_method: str | None = None
    runs: int = 0

    def run(
        self,
        probe: str,
        names: tuple[str, ...],
        *,
        inputs: dict[str, Any] | None = None,
        replace: dict[str, str] | None = None,
        args: dict[str, Any] | None = None,
        block: int | None = None,
        server: dict[str, str] | None = None,
        cluster: int | None = None,
        wrap: dict[str, str] | None = None,
    ) -> Observed:
        """Run the cells ``names`` depend on, then ``probe`` (``module:function`` in :mod:`.probes`), sandboxed.

        ``inputs`` (JSON) and ``replace`` (``name -> module:function``) are bound over
        the learner's names after every cell; ``args`` go to the probe; ``block`` (bytes)
        and ``server`` (delay or key -> token) are resources the tracer owns (:mod:`.owned`);
        ``cluster`` starts the judge's dask cluster of that many workers before the learner's cells
        (bound as ``cluster`` and ``client``; the tracer notes its processes); ``wrap``
        (``name -> module:Class``) binds ``Class(value)`` over a learner's name after each cell.
        """
        job: dict[str, Any] = {
            "cells": self.cells,
            "names": list(names),
            "inputs": inputs or {},
            "replace": replace or {},
            "probe": f"mpcourse.grading.judge.probes:{probe}",
            "args": args or {},
            "start_method": self.start_method,
            "kill_after": KILL_AFTER,
        }
        if block is not None:
            job["block"] = block
        if server is not None:
            job["server"] = server
        if cluster is not None:
            job["cluster"] = cluster
        if wrap:
            job["wrap"] = wrap
        self.runs += 1
        return run_job(job, self.settings)


#: A gatherer: the context in, the exercise's data out.
Gatherer = Callable[[Context], dict[str, Any]]

#: Every gatherer whose module has been imported, by exercise name.
GATHERERS: dict[str, Gatherer] = {}


def gathers(name: str) -> Callable[[Gatherer], Gatherer]:
    """Register the decorated function as the judge's gatherer for exercise ``name``."""

    def register(gatherer: Gatherer) -> Gatherer:
        GATHERERS[name] = gatherer
        return gatherer

    return register


def find_gatherer(name: str) -> Gatherer | None:
    """The gatherer of exercise ``name`` (importing every module of this package once), or ``None``."""
    if name not in GATHERERS:
        package = importlib.import_module(__package__ or "mpcourse.grading.judge")
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_") and module.name not in {"cells", "probes", "owned", "cluster_probes"}:
                importlib.import_module(f"{package.__name__}.{module.name}")
    return GATHERERS.get(name)
