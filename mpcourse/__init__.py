"""mpcourse: the helper package of an interactive course on Python multiprocessing.

The names below load on first use (PEP 562), so a spawned child that imports
``mpcourse.workers`` loads only that module and starts fast.  Plots and widgets
(``plot_speedup``, ``explore_workers`` …) load matplotlib and ipywidgets when a
notebook first uses them; grading loads nbformat only when imported itself.
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
    # what the chapters measure and show with: `from mpcourse import measure_speedup, plot_speedup`
    "amdahl_speedup": "backend.timing",
    "best_of": "backend.timing",
    "format_speedup_table": "backend.timing",
    "measure_speedup": "backend.timing",
    "run_timeline": "backend.timing",
    "spans_from_records": "backend.timing",
    "stopwatch": "backend.timing",
    "run_script": "kernel.script_runner",
    "fit_serial_fraction": "ui.plots",  # the ui names load matplotlib (and ipywidgets) on first use only
    "plot_speedup": "ui.plots",
    "plot_timeline": "ui.plots",
    "explore_workers": "ui.widgets",
    "plot_timings": "ui.widgets",
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
    """``%load_ext mpcourse``: ``%%worker``, ``%solution`` and its hint, and refused workers as short errors."""
    from .kernel import short_errors
    from .kernel.worker_magic import register_worker
    from .learner.solution_magic import register_solution

    register_worker(ipython)
    register_solution(ipython)
    short_errors.install(ipython)
