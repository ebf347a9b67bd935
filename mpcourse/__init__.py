"""mpcourse: the helper package of an interactive course on Python multiprocessing.

Import what you need from its modules; this top level only re-exports the light,
standard-library parts, so a spawned child that imports ``mpcourse.workers``
starts fast.  Plots (``mpcourse.plots``), widgets (``mpcourse.widgets``) and
grading load matplotlib, ipywidgets and nbformat only when imported themselves.
"""

from __future__ import annotations

from typing import Any

from .context import START_METHOD_ENV, get_context, start_method, valid_start_methods
from .cpus import available_cpus
from .pool import Pool, WorkerCrashedError, run_map
from .processes import ProcessOutcome, run_processes
from .validate import NotImportableError

__version__ = "0.1.0"

__all__ = [
    "START_METHOD_ENV",
    "NotImportableError",
    "Pool",
    "ProcessOutcome",
    "WorkerCrashedError",
    "available_cpus",
    "get_context",
    "load_ipython_extension",
    "run_map",
    "run_processes",
    "start_method",
    "valid_start_methods",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mpcourse``: register the ``%%worker`` cell magic."""
    from .magic import load_ipython_extension as load

    load(ipython)
