"""Verdicts no learner code can forge: graded checks judged outside the learner's kernel (see :mod:`.grader`).

Names load on first use (PEP 562), so the judge's child (:mod:`._child`) imports its
standard-library modules (:mod:`.cells`, :mod:`.probes`, :mod:`.owned`) without the grader.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["KERNEL", "all_judged", "classify", "judge_check", "judge_notebook", "judge_verdicts", "learner_cells"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(".grader", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
