"""Clear errors for the classic mistakes, raised before a child is started.

A function defined in a notebook cannot be found by a spawned child, and a lambda
cannot be pickled at all.  Left alone, the first hangs a spawn ``Pool`` and the
second ends in a pickling traceback.  These checks say what is wrong and how to fix it.
"""

from __future__ import annotations

import functools
import importlib.util
import pickle
import sys
from typing import Any

__all__ = ["NotImportableError", "ensure_importable"]

_HOW_TO_FIX = (
    "Fix: put the function in a .py file beside the notebook and import it from there, "
    "or run `%load_ext mpcourse` once and start the cell that defines it with "
    "`%%worker`, which saves it to an importable module."
)


class NotImportableError(TypeError):
    """A function handed to a child process that the child could not load."""


def _describe(func: Any) -> str:
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    return name or repr(func)


def _unwrap(func: Any) -> Any:
    """Return the function that really runs: through partials and mpcourse wrappers."""
    while True:
        if isinstance(func, functools.partial):
            func = func.func
        elif hasattr(func, "__mpcourse_wrapped__"):
            func = func.__mpcourse_wrapped__
        else:
            return func


def ensure_importable(func: Any, method: str) -> None:
    """Raise :class:`NotImportableError` unless a ``method`` child can load ``func``.

    Under ``fork`` the child is a copy of this process, so only picklability
    matters; under ``spawn`` and ``forkserver`` the child imports the function's
    module afresh, so a function from a notebook's ``__main__`` cannot work.
    """
    if not callable(func):
        raise TypeError(f"{func!r} is not callable: pass the function itself, without ().")
    inner = _unwrap(func)
    name = _describe(inner)
    module = getattr(inner, "__module__", None)
    if "<lambda>" in name:
        raise NotImportableError(
            f"A lambda cannot be sent to a child process: pickle stores functions by "
            f"name and a lambda has none. Define it with `def` instead. {_HOW_TO_FIX}"
        )
    if "<locals>" in name:
        raise NotImportableError(
            f"{name} is defined inside another function, so a child process cannot "
            f"find it by name. Define it at the top level of a module. {_HOW_TO_FIX}"
        )
    if method != "fork" and module is not None:
        _ensure_module_loadable(name, module, method)
    try:
        pickle.dumps(func)
    except Exception as exc:
        raise NotImportableError(
            f"{name} cannot be sent to a child process: pickling it failed with "
            f"{type(exc).__name__}: {exc}. {_HOW_TO_FIX}"
        ) from exc


def _ensure_module_loadable(name: str, module: str, method: str) -> None:
    if module == "__main__":
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        if main_file is None:
            raise NotImportableError(
                f"{name} is defined in this notebook (module __main__). Under the "
                f"{method!r} start method each child is a fresh Python that imports the "
                f"function by name, and it cannot see the notebook's cells, so it would "
                f"fail with an AttributeError (its __main__ has no {name!r}) and a Pool "
                f"would wait forever. {_HOW_TO_FIX}"
            )
        return
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise NotImportableError(
            f"{name} lives in module {module!r}, which a fresh {method!r} child cannot "
            f"import (it is not on sys.path). {_HOW_TO_FIX}"
        )
