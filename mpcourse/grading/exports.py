"""Exports a school imports: a readable table, Canvas's and Moodle's gradebook CSV, nbgrader's export columns.

Each is built from the students' stored results (:mod:`.store`, adjustments applied)
and, for an LMS, a roster that maps each student (as named in the gradebook) to
their LMS ids and e-mail: ``student`` plus any of ``id``, ``sis_user_id``,
``sis_login_id``, ``email``, ``first_name``, ``last_name``, ``section``.  Every
cell goes through :func:`.neutralise.for_csv`; students are sorted as a person
expects; the files a spreadsheet or an LMS opens start with a UTF-8 byte order
mark, so accents show right in Excel.

The layouts, as their documentation gives them:

- Canvas (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per assignment (``Homework 1 (1234)`` to update an existing one); a second row
  ``Points Possible`` as Canvas's own export writes it.
- Moodle (Grades > Import > CSV file): a header row; a column that identifies the user
  (``Email address`` or ``ID number``, chosen in "Identify user by"), a column per grade
  item, and a feedback column, each mapped on the import page.
- nbgrader (``nbgrader export``): ``assignment, duedate, timestamp, student_id, last_name,
  first_name, email, raw_score, late_submission_penalty, score, max_score``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from .gradebook import atomic_write_text
from .neutralise import for_csv, student_name
from .overrides import exercise_name
from .results import StudentGrade, by_name, format_duration, format_points

__all__ = [
    "BOM",
    "FORMATS",
    "RosterEntry",
    "RosterError",
    "build_export",
    "exercise_columns",
    "read_roster",
    "write_export",
]

#: The export formats, and whether each needs a roster.
FORMATS = {"table": False, "canvas": True, "moodle": True, "nbgrader": False}
#: The UTF-8 byte order mark that makes Excel read a CSV as UTF-8.
BOM = "\ufeff"
NBGRADER_COLUMNS = (
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
    "raw_score", "late_submission_penalty", "score", "max_score",
)  # fmt: skip


class RosterError(ValueError):
    """A roster file this tool cannot read (the message says what to fix)."""


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster: their name in the gradebook and what the LMS knows them by."""

    student: str
    id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    section: str = ""

    @property
    def sortable_name(self) -> str:
        """``Last, First`` as Canvas writes it (the student's name when the roster has none)."""
        if self.last_name or self.first_name:
            return ", ".join(part for part in (self.last_name, self.first_name) if part)
        return self.student


def _legacy_spellings(name: str) -> set[str]:
    """How ``name`` reads as a folder or zip name written in Latin-1 or Windows-1252 (see ``student_name``)."""
    spellings = set()
    for encoding in ("latin-1", "cp1252"):
        try:
            spellings.add(student_name(name.encode(encoding)))
        except UnicodeEncodeError:
            continue
    return spellings - {name}


def read_roster(path: str | Path) -> dict[str, RosterEntry]:
    """``{student: entry}`` from a roster CSV (``student`` and any of the entry's columns)."""
    known = {field.name for field in fields(RosterEntry)}
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            header = [name.strip() for name in reader.fieldnames or []]
            if "student" not in header:
                raise RosterError(f"{path}: a roster needs a 'student' column (the names in the gradebook)")
            roster = {}
            for row in reader:
                values = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
                entry = RosterEntry(**{k: v for k, v in values.items() if k in known})
                if entry.student:
                    roster[entry.student] = entry
                    for name in _legacy_spellings(entry.student):  # "josé" also finds a Latin-1 "jos\xe9.zip"
                        roster.setdefault(name, entry)
            return roster
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"{path}: cannot be read ({exc})") from None


def exercise_columns(grades: Sequence[StudentGrade]) -> list[tuple[str, str, str]]:
    """``(short name, notebook, check)`` for every exercise any student has, in notebook order."""
    seen: dict[tuple[str, str], str] = {}
    for grade in grades:
        for notebook in grade.notebooks:
            for check in notebook.checks:
                seen.setdefault((notebook.notebook, check.name), exercise_name(notebook.notebook, check.name))
    return [(name, notebook, check) for (notebook, check), name in seen.items()]


def _points(grade: StudentGrade, notebook: str, check: str) -> str:
    for graded in grade.notebooks:
        if graded.notebook == notebook:
            for result in graded.checks:
                if result.name == check:
                    return format_points(result.earned)
    return ""


def _percent(grade: StudentGrade) -> str:
    return f"{100 * grade.score / grade.max_points:.1f}" if grade.max_points else ""


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[for_csv(str(cell)) for cell in row] for row in rows])
    return buffer.getvalue()


def _table(grades: Sequence[StudentGrade]) -> list[list[str]]:
    exercises = exercise_columns(grades)
    header = ["student", *(name for name, _, _ in exercises), "total", "max", "percent", "late", "penalty", "status"]
    rows = [header]
    for grade in grades:
        rows.append(
            [
                grade.name,
                *(_points(grade, notebook, check) for _, notebook, check in exercises),
                format_points(grade.score),
                format_points(grade.max_points),
                _percent(grade),
                format_duration(grade.late_by) if grade.late_by else "",
                format_points(grade.penalty) if grade.penalty else "",
                str(grade.status),
            ]
        )
    return rows


def _canvas(grades: Sequence[StudentGrade], roster: Mapping[str, RosterEntry], assignment: str) -> list[list[str]]:
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]]
    maximum = max((grade.max_points for grade in grades), default=0)
    rows.append(["Points Possible", "", "", "", "", format_points(maximum)])
    for grade in grades:
        entry = roster[grade.name]
        rows.append(
            [entry.sortable_name, entry.id, entry.sis_user_id, entry.sis_login_id, entry.section,
             format_points(grade.score)]
        )  # fmt: skip
    return rows


def _moodle(grades: Sequence[StudentGrade], roster: Mapping[str, RosterEntry], assignment: str) -> list[list[str]]:
    rows = [["First name", "Last name", "ID number", "Email address", assignment, "Feedback"]]
    for grade in grades:
        entry = roster[grade.name]
        feedback = f"{format_points(grade.score)} / {format_points(grade.max_points)} points"
        if grade.late_by:
            feedback += f"; late by {format_duration(grade.late_by)}"
        rows.append([entry.first_name, entry.last_name, entry.id, entry.email, format_points(grade.score), feedback])
    return rows


def _iso(seconds: float | None) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(sep=" ") if seconds is not None else ""


def _nbgrader(
    grades: Sequence[StudentGrade], roster: Mapping[str, RosterEntry], assignment: str, due: datetime | None
) -> list[list[str]]:
    rows = [list(NBGRADER_COLUMNS)]
    for grade in grades:
        entry = roster.get(grade.name) or RosterEntry(grade.name)
        rows.append(
            [
                assignment,
                due.astimezone(timezone.utc).isoformat(sep=" ") if due else "",
                _iso(grade.submitted),
                entry.id or grade.name,
                entry.last_name,
                entry.first_name,
                entry.email,
                format_points(grade.raw_score),
                format_points(grade.penalty),
                format_points(grade.score),
                format_points(grade.max_points),
            ]
        )
    return rows


def build_export(
    kind: str,
    grades: Sequence[StudentGrade],
    roster: Mapping[str, RosterEntry] | None = None,
    assignment: str = "mpcourse",
    due: datetime | None = None,
) -> tuple[str, list[str]]:
    """The text of export ``kind`` (see :data:`FORMATS`), and the students left out (not in the roster)."""
    if kind not in FORMATS:
        raise ValueError(f"unknown export {kind!r}; choose one of {', '.join(FORMATS)}")
    ordered = sorted(grades, key=lambda grade: by_name(grade.name))
    roster = roster or {}
    missing = [grade.name for grade in ordered if FORMATS[kind] and grade.name not in roster]
    kept = [grade for grade in ordered if grade.name not in missing]
    if kind == "table":
        return BOM + _csv(_table(kept)), missing
    if kind == "canvas":
        return BOM + _csv(_canvas(kept, roster, assignment)), missing
    if kind == "moodle":
        return BOM + _csv(_moodle(kept, roster, assignment)), missing
    return _csv(_nbgrader(kept, roster, assignment, due)), missing


def write_export(path: str | Path, text: str) -> None:
    """Write an export atomically."""
    atomic_write_text(path, text)
