"""Per-student feedback: a Markdown file listing every check, pass or not, with the check's own hint.

Everything from the submission (the student's name, outputs, hints quoting their
values, details) goes through :func:`.neutralise.for_markdown` on a line of text,
or sits in an indented code block after :func:`.neutralise.show_controls` and
:func:`.neutralise.hide_paths`, so nothing in it renders as Markdown or HTML.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .gradebook import atomic_write_text
from .neutralise import for_markdown, hide_paths, show_controls
from .results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade, format_duration, format_points

__all__ = ["UNSANDBOXED", "feedback_path", "file_stem", "render_feedback", "write_feedback"]

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


def _code_line(line: str) -> str:
    """A line of learner output for an indented code block (inert): no control character, no teacher's path."""
    return show_controls(hide_paths(line))


def _check_lines(check: CheckResult) -> list[str]:
    points = f"({format_points(check.earned)}/{format_points(check.points)} points)"
    hidden = " *(hidden check)*" if check.hidden else ""
    lines = _clip(check.output)
    name = for_markdown(check.name)
    if check.outcome == Outcome.PASS:
        head = for_markdown(lines[0]) if lines else f"PASS: {name}"
    elif check.outcome == Outcome.FAIL:
        first = lines[0] if lines else "the check did not pass"
        head = for_markdown(first) if first.startswith("NOT YET") else f"{name}: {for_markdown(first)}"
    elif check.outcome == Outcome.NOT_RUN:
        head = f"{name}: not run (the notebook stopped before this check)"
    else:
        head = f"{name}: {check.outcome}"
    result = [f"- {_MARKS.get(check.outcome, '-')} {head} {points}{hidden}"]
    if check.outcome == Outcome.FAIL and len(lines) > 1:  # an indented code block inside the item: inert
        result += ["", *(f"      {_code_line(line)}" for line in lines[1:]), ""]
    if check.override:
        automatic = format_points(check.automatic or 0)
        result.append(
            f"  - ✏️ set by your teacher to {format_points(check.earned)} points (automatic: {automatic}): "
            f"{for_markdown(check.override)}"
        )
    return result


def _notebook_lines(notebook: NotebookGrade) -> list[str]:
    title = f"## {notebook.notebook}: {format_points(notebook.score)} / {format_points(notebook.max_points)} points"
    lines = [title, ""]
    if notebook.status != Status.OK:
        detail = for_markdown(notebook.detail.splitlines()[0]) if notebook.detail else ""
        text = _STATUS_TEXT.get(notebook.status, "{detail}").format(detail=detail)
        lines += [f"**{notebook.status}**: {text}", ""]
    for check in notebook.checks:
        lines += _check_lines(check)
    if notebook.note:
        lines += ["", f"> **Note:** {for_markdown(notebook.note)}"]
    if notebook.flags:
        lines += ["", "Your teacher will look at this notebook by hand:"]
        lines += [f"- {for_markdown(flag)}" for flag in notebook.flags]
    return [*lines, ""]


def render_feedback(student: StudentGrade, unsandboxed: bool = False) -> str:
    """The Markdown feedback for one student (``unsandboxed``: say that grading ran without a sandbox)."""
    lines = [
        f"# Feedback for {for_markdown(student.name)}",
        "",
        f"**Total: {format_points(student.score)} / {format_points(student.max_points)} points**",
        "",
    ]
    if student.late_by:
        penalty = f": {format_points(student.penalty)} points taken off" if student.penalty else ""
        lines += [f"> **Late:** handed in {format_duration(student.late_by)} after the due date{penalty}.", ""]
    if student.extension:
        lines += [f"> **Extension:** {for_markdown(student.extension)}", ""]
    if unsandboxed:
        lines += [f"> **Note:** {UNSANDBOXED}", ""]
    for notebook in student.notebooks:
        lines += _notebook_lines(notebook)
    return "\n".join(lines).rstrip() + "\n"


#: Longest file name most filesystems allow, in bytes.
_MAX_NAME_BYTES = 255


def file_stem(name: str) -> str:
    """The file name (without suffix) of a student's files: their name, made short and safe for any filesystem.

    A name that is too long (with a ``.json`` suffix) or that a filesystem would
    refuse is cut and given a hash of the whole name, so two students never share a file.
    """
    safe = name.replace("/", "\\x2f").replace("\0", "\\x00")
    if safe in {"", ".", ".."} or safe != name or len(safe.encode("utf-8", "surrogateescape")) > _MAX_NAME_BYTES - 5:
        tag = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        cut = safe.encode("utf-8", "surrogateescape")[:200].decode("utf-8", "ignore")
        safe = f"{cut}-{tag}"
    return safe


def feedback_path(folder: str | Path, name: str) -> Path:
    """Where a student's feedback goes: ``<folder>/<file_stem(name)>.md``."""
    return Path(folder) / f"{file_stem(name)}.md"


def write_feedback(folder: str | Path, student: StudentGrade, unsandboxed: bool = False) -> Path:
    """Write (atomically) and return a student's feedback file."""
    path = feedback_path(folder, student.name)
    atomic_write_text(path, render_feedback(student, unsandboxed))
    return path
