"""Pieces the exercise judges share: probe text for a spawn-importable worker, and hints on processes."""

from __future__ import annotations

from typing import Any

from .run import Observed

__all__ = [
    "IMPORTABLE_PROBE",
    "MP_PREAMBLE",
    "as_list",
    "failure_hint",
    "importable_hint",
    "importable_result",
    "too_few_processes",
]

#: The names the course's notebooks set up before their exercises.
MP_PREAMBLE = "import multiprocessing\nimport queue\nimport mpcourse\nctx = mpcourse.get_context()\n"

#: Probe text: ``FUNC`` (a name set before) must load in a spawned child; sets ``PROBLEM`` (a hint, or "").
IMPORTABLE_PROBE = """\
from mpcourse.checks import worker_problem
PROBLEM = worker_problem(FUNC, HOW_TO_PASS)
"""


def importable_hint(problem: object) -> str:
    """The hint for a worker that failed :data:`IMPORTABLE_PROBE` (``""`` when it passed)."""
    return str(problem)[:500] if problem else ""


def failure_hint(observed: Observed, what: str) -> str:
    """The hint for a run that gave no result."""
    return f"{what}: {observed.failure}"


def importable_result(observed: Observed, what: str) -> tuple[dict[str, Any], str]:
    """The probe's result and the hint that ends the judging: no result, or a worker a child cannot load.

    The hint is ``""`` when the result is there and :data:`IMPORTABLE_PROBE` passed.
    """
    result = observed.result
    if not isinstance(result, dict):
        return {}, failure_hint(observed, what)
    return result, importable_hint(result.get("problem"))


def too_few_processes(observed: Observed, needed: int, call: str) -> str:
    """A hint when fewer than ``needed`` processes really ran (observed from outside), else ``""``.

    Where processes cannot be counted (no ptrace: not Linux, or refused) nothing is asked.
    """
    if observed.untraced or observed.processes >= needed:
        return ""
    threads = f" (and {observed.threads} thread(s): threads are not processes)" if observed.threads else ""
    return (
        f"{call} gave the right results, but only {observed.processes} process(es) really ran{threads}; "
        f"it needs {needed}: start() one process per number (an unstarted Process never runs)"
    )


def as_list(value: Any) -> list[Any] | None:
    """``value`` as a list, or ``None``."""
    return list(value) if isinstance(value, (list, tuple)) else None
