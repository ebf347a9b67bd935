"""Exercise checks: one stable line of feedback, pass or fail with a hint.

A check cell calls a check from a per-notebook module (``mpcourse.checks.q1`` …)
and prints exactly one line, so nbval can compare it with the master copy's
output and a grader can count passes.  Each check also returns ``True``/``False``
for tests, and ``None`` in a Jupyter kernel, so the cell shows its line and no
``Out[n]: True`` under it.

A layer above may add to a failed check's hint (the learner layer adds how to
get the exercise's solution) with :func:`add_hint_hook`; ``%load_ext mpcourse``
installs it.  This package imports nothing above it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..backend.picklable import NotImportableError, ensure_importable
from ..course_format import FAIL_MARK, PASS_MARK

__all__ = [
    "SELF_CHECKS",
    "UNTOUCHED_HINT",
    "add_hint_hook",
    "in_kernel",
    "report",
    "report_verdict",
    "too_few_processes",
    "worker_problem",
]

#: The hint for an answer the learner has not written yet (the student copy's placeholder ``...``).
UNTOUCHED_HINT = "write your answer in the cell above (it still holds `...`)"

#: Checks that judge a measurement the learner's own kernel made (speedups, start-up costs, overlap):
#: shown to the learner, never graded, since that kernel runs learner code (see mpcourse.grading.judge).
SELF_CHECKS = frozenset(
    {
        "check_speedup",
        "check_cpu_bound",
        "check_io_bound",
        "check_startup",
        "check_startup_costs",
        "check_pool_reuse",
        "check_chunksize",
        "check_apply_blocks",
        "check_map_faster",
        "check_zero_copy",
        "check_mandelbrot_speedup",
        "check_blas_limits",
    }
)


_hint_hooks: list[Callable[[str], str]] = []


def add_hint_hook(hook: Callable[[str], str]) -> None:
    """Have ``hook(name)`` add to the hint of every failed check ``name`` (once per hook)."""
    if hook not in _hint_hooks:
        _hint_hooks.append(hook)


def _hooked(name: str) -> str:
    """What the hint hooks add for check ``name``; a hook that fails adds nothing."""
    added = []
    for hook in _hint_hooks:
        try:
            added.append(hook(name))
        except Exception:  # a hint must never break a check: the line is printed without it
            continue
    return "".join(added)


def in_kernel() -> bool:
    """True in a Jupyter kernel (IPython with a kernel), where a cell shows its last value as ``Out[n]``."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def report(passed: bool, name: str, hint: str = "") -> bool | None:
    """Print one line for check ``name``: a pass, or a fail with a ``hint``; return ``passed``.

    In a Jupyter kernel it returns ``None``, so the cell shows the line alone (no ``Out[n]: True``).
    """
    if passed:
        print(f"{PASS_MARK}: {name}")
    else:
        print((f"{FAIL_MARK}: {name}. Hint: {hint}" if hint else f"{FAIL_MARK}: {name}") + _hooked(name))
    return None if in_kernel() else passed


def worker_problem(func: Any, how_to_pass: str) -> str:
    """Why a learner's worker could not run in a spawned child, as a hint; ``""`` when it could.

    Spawn is checked whatever this kernel's start method, so a function that only
    works under fork (defined in a plain notebook cell) gets the ``%%worker`` hint.
    """
    if func is Ellipsis:
        return UNTOUCHED_HINT
    if not callable(func):
        return f"pass the function itself: {how_to_pass}"
    try:
        ensure_importable(func, "spawn")
    except NotImportableError:
        return (
            "a spawned child could not load it: run %load_ext mpcourse once, then start the "
            "cell that defines it with %%worker"
        )
    return ""


def report_verdict(name: str, data: dict[str, Any]) -> bool:
    """Print the line of exercise ``name``'s verdict on ``data`` (the registry: ``exercise.py``); return if passed."""
    from .exercise import EXERCISES

    passed, hint = EXERCISES[name].judge(data)
    return report(passed, EXERCISES[name].title, hint)


def too_few_processes(
    data: dict[str, Any],
    needed: int,
    call: str,
    advice: str = "start() one process per number (an unstarted Process never runs)",
) -> str:
    """A hint when fewer than ``needed`` processes really ran (``data["traced_processes"]``, observed from outside).

    ``""`` when enough ran, or when nobody counted (``None``: the learner's own kernel cannot).
    """
    processes = data.get("traced_processes")
    if processes is None or processes >= needed:
        return ""
    threads = data.get("threads") or 0
    also = f" (and {threads} thread(s): threads are not processes)" if threads else ""
    return (
        f"{call} gave the right results, but only {processes} process(es) really ran{also}; it needs {needed}: {advice}"
    )
