"""What an exercise is: a name, a title, and one verdict over plain data that the kernel and the judge share.

An exercise ``sum_of_squares`` is checked by ``check_sum_of_squares`` in the
learner's kernel and by the grader's judge outside it.  Each gathers the same
plain data its own way (the kernel from the learner's live objects, the judge
from a sandboxed run and from what it observed outside the learner's processes)
and hands it to the one verdict registered here::

    @exercise("sum_of_squares", "sum_of_squares runs in child processes and returns the right sums")
    def sum_of_squares(data: dict) -> tuple[bool, str]:
        ...  # (passed, hint), from plain data only

The registry fills as the ``mpcourse.checks.qN`` modules are imported;
:func:`find` imports them all.  Standard library only.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..course_format import FAIL_MARK, PASS_MARK

__all__ = ["EXERCISES", "Exercise", "Verdict", "exercise", "find", "verdict_line"]

#: An exercise's verdict: plain data in, ``(passed, hint)`` out.
Verdict = Callable[[dict[str, Any]], tuple[bool, str]]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its name (``check_<name>`` checks it, ``%solution <name>`` shows it), title and verdict."""

    name: str
    title: str
    verdict: Verdict
    module: str
    children: bool = False  # the answer is code that runs in child processes (judged under spawn too)

    @property
    def check(self) -> str:
        """The check function's name."""
        return f"check_{self.name}"

    def judge(self, data: dict[str, Any]) -> tuple[bool, str]:
        """The verdict on ``data``, with the hint empty when it passed."""
        passed, hint = self.verdict(data)
        return bool(passed), "" if passed else str(hint)


#: Every exercise whose module has been imported, by name.
EXERCISES: dict[str, Exercise] = {}


def exercise(name: str, title: str, *, children: bool = False) -> Callable[[Verdict], Verdict]:
    """Register the decorated function as the verdict of exercise ``name`` (title: what ``PASS:`` is followed by).

    ``children``: the answer is code that runs in child processes, so a start method matters.
    """

    def register(verdict: Verdict) -> Verdict:
        known = EXERCISES.get(name)
        if known is not None and known.module != verdict.__module__:
            raise ValueError(f"exercise {name!r} is defined twice: in {known.module} and {verdict.__module__}")
        EXERCISES[name] = Exercise(name, title, verdict, verdict.__module__, children)
        return verdict

    return register


def _import_all() -> None:
    """Import every module of ``mpcourse.checks``, so each registers its exercises."""
    package = importlib.import_module(__package__ or "mpcourse.checks")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def find(check: str) -> Exercise | None:
    """The exercise the check function ``check`` (``check_<name>``) checks, or ``None``."""
    if not check.startswith("check_"):
        return None
    name = check.removeprefix("check_")
    if name not in EXERCISES:
        _import_all()
    return EXERCISES.get(name)


def verdict_line(title: str, passed: bool, hint: str) -> str:
    """The line a check prints (without the ``%solution`` tip): ``PASS: title`` or ``NOT YET: title. Hint: hint``."""
    if passed:
        return f"{PASS_MARK}: {title}"
    return f"{FAIL_MARK}: {title}. Hint: {hint}" if hint else f"{FAIL_MARK}: {title}"
