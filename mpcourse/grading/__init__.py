"""Classroom grading: release student copies, grade submissions with nbval, write a gradebook and feedback.

One module per step: :mod:`.notebook` (read masters and submissions, merge answers),
:mod:`.release` (student copies), :mod:`.submissions` (folders and zips, safely),
:mod:`.sandbox` (bubblewrap, limits; :mod:`.cgroups` for whole-run limits as root),
:mod:`.runner` (one sandboxed nbval run), :mod:`.grade` (one notebook, a class),
:mod:`.gradebook` (the CSV), :mod:`.feedback` (per student) and :mod:`.summary`.
The command line is ``python -m mpcourse release|grade|gradebook``.

Names are imported lazily, so the pytest plugin of a grading run
(:mod:`.nbval_plugin`) loads without the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BatchResult": "results",
    "CheckResult": "results",
    "NotebookGrade": "results",
    "Outcome": "results",
    "Status": "results",
    "StudentGrade": "results",
    "Verdict": "results",
    "GradingUnavailable": "grade",
    "grade_class": "grade",
    "grade_notebook": "grade",
    "merge_gradebooks": "gradebook",
    "read_gradebook": "gradebook",
    "write_gradebook": "gradebook",
    "InvalidNotebook": "notebook",
    "Master": "notebook",
    "MasterError": "notebook",
    "load_master": "notebook",
    "merge": "notebook",
    "student_copy": "release",
    "Limits": "sandbox",
    "RunSettings": "runner",
    "run_notebook": "runner",
    "Sandbox": "sandbox",
    "SandboxUnavailable": "sandbox",
    "Submission": "submissions",
    "discover": "submissions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
