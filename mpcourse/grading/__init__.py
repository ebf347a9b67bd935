"""Classroom grading: release student copies, judge submissions, write a gradebook and feedback.

What grading produces is modelled in :mod:`.results` (statuses, per-check, notebook and
student results, the gradebook's columns).  One module per step:

- masters and releases: :mod:`.notebook` (read a master), :mod:`.stubs`, :mod:`.release`;
- reading submissions: :mod:`.collect` (from nbgrader's exchange or an LMS download),
  :mod:`.submissions` (folders and zips, safely), :mod:`.merge` (answers into the master),
  :mod:`.neutralise` (names and texts as inert text for the terminal, the CSV, Markdown);
- running: :mod:`.settings` (a run's options, each default once), :mod:`.driver` (one command in a
  sandbox, and the registry of live runs), :mod:`.sandbox` (one run's sandbox), :mod:`.limits`,
  :mod:`.bwrap` (its command), :mod:`.seccomp` (its filter), :mod:`.runfolders`, :mod:`.runplaces`,
  :mod:`.cgroups`, ``_confine.py``; :mod:`.runner` (one sandboxed nbval run, recorded by
  :mod:`mpcourse.pytest_plugins.nbval_record` inside it), :mod:`.proctree` (find and kill process trees),
  :mod:`.preflight` (can grading run here at all?);
- grading: :mod:`.verdicts` (a run into per-check verdicts), :mod:`.judge` (the verdicts of
  graded checks, outside the learner's kernel), :mod:`.grade` (one notebook), :mod:`.batch` (a class),
  :mod:`.cluster` (a class on a dask cluster: workers checked by :mod:`.cluster_worker`, each task's
  files read by :mod:`.cluster_submission`);
- writing: :mod:`.gradebook` (the CSV), :mod:`.feedback` (per student), :mod:`.store` (each
  student's full result), :mod:`.summary`;
- the teacher's week after grading: :mod:`.overrides` (overrides, due dates, penalties),
  :mod:`.exports` (spreadsheet, Canvas, Moodle, nbgrader), :mod:`.report` (the class report).

The command line is ``mpcourse release|collect|grade|gradebook|report`` (:mod:`mpcourse.cli`).

Names are imported lazily, so the pytest plugin of a grading run
(:mod:`mpcourse.pytest_plugins.nbval_record`) loads :mod:`.limits` without the rest.
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
    "GradingUnavailable": "preflight",
    "grade_class": "batch",
    "grade_notebook": "grade",
    "kernel_verdicts": "verdicts",
    "judge_verdicts": "judge",
    "merge_gradebooks": "gradebook",
    "read_gradebook": "gradebook",
    "write_gradebook": "gradebook",
    "InvalidNotebook": "merge",
    "Master": "notebook",
    "MasterError": "notebook",
    "load_master": "notebook",
    "merge": "merge",
    "student_copy": "release",
    "Limits": "limits",
    "RunSettings": "settings",
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
