"""Exercise checks: one stable line of feedback, pass or fail with a hint.

A check cell calls a check from a per-notebook module (``mpcourse.checks.q1`` …)
and prints exactly one line, so nbval can compare it with the master copy's
output and a grader can count passes.  Each check also returns ``True``/``False``
for tests.
"""

from __future__ import annotations

__all__ = ["FAIL_MARK", "PASS_MARK", "report"]

PASS_MARK = "PASS"
FAIL_MARK = "NOT YET"


def report(passed: bool, name: str, hint: str = "") -> bool:
    """Print one line for check ``name``: a pass, or a fail with a ``hint``; return ``passed``."""
    if passed:
        print(f"{PASS_MARK}: {name}")
    else:
        print(f"{FAIL_MARK}: {name}. Hint: {hint}" if hint else f"{FAIL_MARK}: {name}")
    return passed
