"""Per-student feedback: a Markdown file listing every check, pass or not, with the check's own hint."""

from __future__ import annotations

from pathlib import Path

from .gradebook import atomic_write_text
from .results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade, format_points

__all__ = ["UNSANDBOXED", "feedback_path", "render_feedback", "write_feedback"]

#: Said in every feedback file and in the summary of a batch graded with ``--sandbox none``.
UNSANDBOXED = (
    "Graded without a sandbox (--sandbox none): the notebooks ran as the teacher's user, "
    "with the teacher's files and network."
)

_MAX_LINES = 8
_MAX_LINE = 300

_STATUS_TEXT = {
    Status.TIMEOUT: "The notebook did not finish in time ({detail}). Look for a loop that never ends, or a "
    "process or pool that is never joined.",
    Status.MISSING: "This notebook was not found in your submission ({detail}).",
    Status.INVALID_NOTEBOOK: "This file could not be read as a notebook: {detail}. Save it again from Jupyter.",
    Status.INVALID_SUBMISSION: "Your submission could not be opened: {detail}.",
    Status.ERROR: "This notebook could not be graded; please tell your teacher.",
}

_MARKS = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.NOT_ATTEMPTED: "⬜",
    Outcome.NOT_RUN: "⏹",
    Outcome.NOT_GRADED: "⬜",
}


def _clip(text: str) -> list[str]:
    lines = [line[:_MAX_LINE] + ("…" if len(line) > _MAX_LINE else "") for line in text.splitlines()]
    return lines[:_MAX_LINES] + (["…"] if len(lines) > _MAX_LINES else [])


def _check_lines(check: CheckResult) -> list[str]:
    points = f"({format_points(check.earned)}/{format_points(check.points)} points)"
    hidden = " *(hidden check)*" if check.hidden else ""
    lines = _clip(check.output)
    if check.outcome == Outcome.PASS:
        head = lines[0] if lines else f"PASS: {check.name}"
    elif check.outcome == Outcome.FAIL:
        first = lines[0] if lines else "the check did not pass"
        head = first if first.startswith("NOT YET") else f"{check.name}: {first}"
    elif check.outcome == Outcome.NOT_RUN:
        head = f"{check.name}: not run (the notebook stopped before this check)"
    else:
        head = f"{check.name}: {check.outcome}"
    result = [f"- {_MARKS.get(check.outcome, '-')} {head} {points}{hidden}"]
    if check.outcome == Outcome.FAIL and len(lines) > 1:
        result += ["", *(f"      {line}" for line in lines[1:]), ""]
    return result


def _notebook_lines(notebook: NotebookGrade) -> list[str]:
    title = f"## {notebook.notebook}: {format_points(notebook.score)} / {format_points(notebook.max_points)} points"
    lines = [title, ""]
    if notebook.status != Status.OK:
        detail = notebook.detail.splitlines()[0] if notebook.detail else ""
        text = _STATUS_TEXT.get(notebook.status, "{detail}").format(detail=detail)
        lines += [f"**{notebook.status}**: {text}", ""]
    for check in notebook.checks:
        lines += _check_lines(check)
    if notebook.note:
        lines += ["", f"> **Note:** {notebook.note}"]
    if notebook.flags:
        lines += ["", "Your teacher will look at this notebook by hand:", *(f"- {flag}" for flag in notebook.flags)]
    return [*lines, ""]


def render_feedback(student: StudentGrade, unsandboxed: bool = False) -> str:
    """The Markdown feedback for one student (``unsandboxed``: say that grading ran without a sandbox)."""
    lines = [
        f"# Feedback for {student.name}",
        "",
        f"**Total: {format_points(student.score)} / {format_points(student.max_points)} points**",
        "",
    ]
    if unsandboxed:
        lines += [f"> **Note:** {UNSANDBOXED}", ""]
    for notebook in student.notebooks:
        lines += _notebook_lines(notebook)
    return "\n".join(lines).rstrip() + "\n"


def feedback_path(folder: str | Path, name: str) -> Path:
    """Where a student's feedback goes: ``<folder>/<name>.md``."""
    return Path(folder) / f"{name}.md"


def write_feedback(folder: str | Path, student: StudentGrade, unsandboxed: bool = False) -> Path:
    """Write (atomically) and return a student's feedback file."""
    path = feedback_path(folder, student.name)
    atomic_write_text(path, render_feedback(student, unsandboxed))
    return path
