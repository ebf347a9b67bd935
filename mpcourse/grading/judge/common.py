"""Pieces the exercise judges share: probe text for a spawn-importable worker, and hints on processes."""

from __future__ import annotations

from typing import Any

from .run import Observed

__all__ = ["IMPORTABLE_PROBE", "MP_PREAMBLE", "as_list", "failure_hint", "importable_hint", "too_few_processes"]

#: The names the course's notebooks set up before their exercises.
MP_PREAMBLE = "import multiprocessing\nimport queue\nimport mpcourse\nctx = mpcourse.get_context()\n"

#: Probe text: ``FUNC`` (a name set before) must load in a spawned child; sets ``PROBLEM``.
IMPORTABLE_PROBE = """\
from mpcourse.validate import NotImportableError, ensure_importable
PROBLEM = ""
if not callable(FUNC):
    PROBLEM = "not callable"
else:
    try:
        ensure_importable(FUNC, "spawn")
    except NotImportableError:
        PROBLEM = "not importable"
"""

_SPAWN_HINT = (
    "a spawned child could not load it: run %load_ext mpcourse once, then start the cell that defines it with %%worker"
)


def importable_hint(problem: Any, how_to_pass: str) -> str:
    """The hint for a worker that failed :data:`IMPORTABLE_PROBE` (``""`` when it passed)."""
    if problem == "not callable":
        return f"pass the function itself: {how_to_pass}"
    return _SPAWN_HINT if problem else ""


def failure_hint(observed: Observed, what: str) -> str:
    """The hint for a run that gave no result."""
    return f"{what}: {observed.failure}"


def too_few_processes(observed: Observed, needed: int, call: str) -> str:
    """A hint when fewer than ``needed`` processes really ran (observed from outside), else ``""``."""
    if observed.processes >= needed:
        return ""
    threads = f" (and {observed.threads} thread(s): threads are not processes)" if observed.threads else ""
    return (
        f"{call} gave the right results, but only {observed.processes} process(es) really ran{threads}; "
        f"it needs {needed}: start() one process per number (an unstarted Process never runs)"
    )


def as_list(value: Any) -> list[Any] | None:
    """``value`` as a list, or ``None``."""
    return list(value) if isinstance(value, (list, tuple)) else None
