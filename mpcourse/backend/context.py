"""Choosing the start method: one place that knows the valid ones.

The package never calls :func:`multiprocessing.set_start_method` (it may run only
once per process, and learners re-run cells); it hands out context objects instead.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

__all__ = ["START_METHOD_ENV", "get_context", "start_method", "valid_start_methods"]

#: Environment variable that overrides the platform's start method (used by CI).
START_METHOD_ENV = "MPCOURSE_START_METHOD"


def valid_start_methods() -> list[str]:
    """Return the start methods this platform supports, its default first."""
    return multiprocessing.get_all_start_methods()


def start_method(method: str | None = None) -> str:
    """Resolve ``method``, then ``$MPCOURSE_START_METHOD``, then the platform default.

    Raises :class:`ValueError` naming the valid methods when the choice is unknown
    or not available here.
    """
    source = "method"
    if method is None:
        method = os.environ.get(START_METHOD_ENV, "").strip() or None
        source = f"${START_METHOD_ENV}"
    valid = valid_start_methods()
    if method is None:
        return valid[0]
    if method not in valid:
        raise ValueError(
            f"{source}={method!r} is not a start method this platform supports; choose one of: {', '.join(valid)}."
        )
    return method


def get_context(method: str | None = None) -> BaseContext:
    """Return a :mod:`multiprocessing` context for ``method`` (see :func:`start_method`)."""
    return multiprocessing.get_context(start_method(method))
