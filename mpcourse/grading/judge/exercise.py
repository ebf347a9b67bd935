"""What a judge-side exercise is: the check it stands in for, and how it reaches a verdict.

An :class:`Exercise` judges one ``mpcourse.checks`` check (e.g. ``check_squares``
of ``mpcourse.checks.q6``) without running learner code in the judge: its
``judge`` function gets a :class:`Context`, reads literals from the answer
cells, or runs them with a probe in a fresh sandboxed child (:meth:`Context.run`)
on inputs it draws for this run, and returns ``(passed, hint)``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...checks import FAIL_MARK, PASS_MARK
from ..settings import DEFAULT_SETTINGS, RunSettings
from .answers import AnswerCell, literal_values
from .run import Observed, run_job

__all__ = ["PROBE_TIMEOUT", "Context", "Exercise", "verdict_line"]

#: Seconds a probe may take before it counts as "did not finish" (the learner's check waits 30).
PROBE_TIMEOUT = 20.0


@dataclass
class Context:
    """What an exercise's judge may use: the answer cells (text), fresh random numbers, sandboxed runs."""

    cells: list[AnswerCell]
    settings: RunSettings = DEFAULT_SETTINGS
    rng: random.Random = field(default_factory=random.SystemRandom)
    runs: int = 0

    def literals(self, *names: str) -> dict[str, Any]:
        """See :func:`.answers.literal_values`."""
        return literal_values(self.cells, names)

    def run(self, preamble: str, probe: str, *, workers_only: bool = False, **inputs: Any) -> Observed:
        """Run the answer cells after ``preamble`` (with ``inputs`` bound as names), then ``probe``, sandboxed.

        ``workers_only``: only the ``%%worker`` cells (the others need what only the learner's kernel has).
        """
        header = "".join(f"{name} = __import__('json').loads({json.dumps(json.dumps(value))})\n"
                         for name, value in inputs.items())  # fmt: skip
        job = {
            "preamble": preamble + header,
            "cells": [cell.job() for cell in self.cells if cell.worker or not workers_only],
            "probe": probe,
            "timeout": PROBE_TIMEOUT,
        }
        self.runs += 1
        return run_job(job, self.settings)


#: An exercise's judge: the context in, ``(passed, hint)`` out.
Judge = Callable[[Context], tuple[bool, str]]


@dataclass(frozen=True)
class Exercise:
    """A judge-side stand-in for the check ``module.check``, whose line starts ``PASS: title``."""

    module: str
    check: str
    title: str
    judge: Judge


def verdict_line(title: str, passed: bool, hint: str) -> str:
    """The line a check prints (without the ``%solution`` tip): ``PASS: title`` or ``NOT YET: title. Hint: hint``."""
    if passed:
        return f"{PASS_MARK}: {title}"
    return f"{FAIL_MARK}: {title}. Hint: {hint}" if hint else f"{FAIL_MARK}: {title}"
