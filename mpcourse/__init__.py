"""mpcourse: the helper package of an interactive course on Python multiprocessing.

The names below load on first use (PEP 562), so a spawned child that imports
``mpcourse.workers`` loads only that module and starts fast.  Plots
(``mpcourse.ui.plots``), widgets (``mpcourse.ui.widgets``) and grading load
matplotlib, ipywidgets and nbformat only when imported themselves.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "START_METHOD_ENV": "backend.context",
    "get_context": "backend.context",
    "start_method": "backend.context",
    "valid_start_methods": "backend.context",
    "available_cpus": "backend.cpus",
    "Pool": "backend.pool",
    "WorkerCrashedError": "backend.pool",
    "run_map": "backend.pool",
    "ProcessOutcome": "backend.processes",
    "run_processes": "backend.processes",
    "NotImportableError": "backend.picklable",
}

__all__ = [*sorted(_EXPORTS), "load_ipython_extension"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mpcourse' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if "ipykernel" in sys.modules:  # in a Jupyter kernel: keep children's output in their cell
    from .kernel.output_drain import install as _install_output_drain

    _install_output_drain()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mpcourse``: register the ``%%worker`` cell magic and the ``%solution`` line magic."""
    from .kernel.worker_magic import register_worker
    from .learner.solution_magic import register_solution

    register_worker(ipython)
    register_solution(ipython)
