"""The teacher's adjustments on top of the automatic grade: overrides, a due date, extensions, a late penalty.

They are files the teacher keeps (never the gradebook, which a regrade rewrites), applied
to every student each time ``mpcourse grade`` runs, so they survive any regrade:

- an overrides CSV, ``student,exercise,points,reason``: the exercise's points for that
  student, whatever the automatic grade (``exercise`` is its short name as in the
  exports, e.g. ``01 the answer is 42``, or the check's name);
- a due date (``--due 2026-12-01T23:59``, local time unless it names a zone) and an
  extensions CSV, ``student,due,reason``: a student's own due date;
- a late penalty (``--late-penalty 10``): that percent of the points per day late
  (a day begun counts), at most all of them.

Standard library only.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .results import CheckResult, NotebookGrade, StudentGrade, by_name

__all__ = [
    "Adjustments",
    "AdjustmentsError",
    "Extension",
    "Override",
    "exercise_name",
    "parse_due",
    "read_extensions",
    "read_overrides",
]

_DAY = 24 * 3600


class AdjustmentsError(ValueError):
    """An overrides or extensions file, or a due date, this tool cannot read (the message says where)."""


def exercise_name(notebook: str, check: str, width: int | None = 32) -> str:
    """An exercise's short name: the notebook's number (or name) and the check's name, ``01 the answer is 42``
    (cut to ``width`` characters with an ellipsis; ``None``: whole)."""
    number = notebook.split("_", 1)[0] if notebook[:1].isdigit() else notebook
    name = f"{number} {check}"
    return name if width is None or len(name) <= width else name[: width - 1].rstrip() + "…"


def parse_due(text: str) -> datetime:
    """A due date from ISO 8601 text (``2026-12-01T23:59``, ``2026-12-01 23:59+01:00``); local time without a zone."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AdjustmentsError(f"not a date and time: {text!r} (write it as 2026-12-01T23:59)") from None
    return when if when.tzinfo else when.astimezone()


@dataclass(frozen=True)
class Override:
    """The teacher's points for one exercise of one student, and why."""

    student: str
    exercise: str
    points: float
    reason: str


@dataclass(frozen=True)
class Extension:
    """A student's own due date, and why."""

    student: str
    due: datetime
    reason: str


def _rows(path: str | Path, needed: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = [column for column in needed if column not in (reader.fieldnames or [])]
            if missing:
                raise AdjustmentsError(f"{path}: needs the columns {', '.join(needed)} (missing: {', '.join(missing)})")
            for row in reader:
                if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                    yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AdjustmentsError(f"{path}: cannot be read ({exc})") from None


def read_overrides(path: str | Path) -> tuple[Override, ...]:
    """The overrides of a ``student,exercise,points,reason`` CSV; :class:`AdjustmentsError` names a bad line."""
    overrides = []
    for line, row in _rows(path, ("student", "exercise", "points", "reason")):
        try:
            points = float(row["points"])
        except ValueError:
            raise AdjustmentsError(f"{path}, line {line}: points must be a number, not {row['points']!r}") from None
        if not math.isfinite(points) or points < 0:
            raise AdjustmentsError(f"{path}, line {line}: points must be 0 or more, not {row['points']!r}")
        if not row["reason"]:
            raise AdjustmentsError(f"{path}, line {line}: give a reason (the student reads it in their feedback)")
        overrides.append(Override(row["student"], row["exercise"], points, row["reason"]))
    return tuple(overrides)


def read_extensions(path: str | Path) -> dict[str, Extension]:
    """``{student: extension}`` from a ``student,due,reason`` CSV; :class:`AdjustmentsError` names a bad line."""
    extensions = {}
    for line, row in _rows(path, ("student", "due", "reason")):
        try:
            due = parse_due(row["due"])
        except AdjustmentsError as exc:
            raise AdjustmentsError(f"{path}, line {line}: {exc}") from None
        extensions[row["student"]] = Extension(row["student"], due, row["reason"] or "extension")
    return extensions


def _names(notebook: str, check: str) -> set[str]:
    """The names an override may give an exercise: its short name (cut or whole), the check's name (what the
    feedback shows), ``<notebook> <check>``."""
    names = {exercise_name(notebook, check), exercise_name(notebook, check, None), check, f"{notebook} {check}"}
    return {name.casefold() for name in names}


def _matches(override: Override, notebook: str, check: CheckResult) -> bool:
    return override.exercise.casefold() in _names(notebook, check.name)


@dataclass(frozen=True)
class Adjustments:
    """Everything the teacher set on top of the automatic grade (see the module's docstring)."""

    overrides: tuple[Override, ...] = ()
    extensions: Mapping[str, Extension] = field(default_factory=dict)
    due: datetime | None = None
    penalty_percent_per_day: float = 0.0

    def unknown_students(self, names: Iterable[str]) -> list[str]:
        """Students named in the overrides or extensions who are not among ``names``."""
        known = set(names)
        named = {override.student for override in self.overrides} | set(self.extensions)
        return sorted(named - known, key=by_name)

    def _override(self, student: str, notebook: NotebookGrade, check: CheckResult) -> CheckResult:
        for override in self.overrides:
            if override.student == student and _matches(override, notebook.notebook, check):
                automatic = check.earned if check.automatic is None else check.automatic
                return dataclasses.replace(check, earned=override.points, override=override.reason, automatic=automatic)
        return check

    def apply(self, student: StudentGrade) -> StudentGrade:
        """``student``'s automatic grade with the overrides, the lateness and the penalty applied."""
        notebooks = tuple(
            dataclasses.replace(
                notebook, checks=tuple(self._override(student.name, notebook, c) for c in notebook.checks)
            )
            for notebook in student.notebooks
        )
        extension = self.extensions.get(student.name)
        due = extension.due if extension else self.due
        late_by = 0.0
        if due is not None and student.submitted is not None:
            late_by = max(0.0, student.submitted - due.timestamp())
        adjusted = dataclasses.replace(
            student, notebooks=notebooks, late_by=late_by, penalty=0.0, extension=extension.reason if extension else ""
        )
        if late_by and self.penalty_percent_per_day:
            share = min(1.0, math.ceil(late_by / _DAY) * self.penalty_percent_per_day / 100)
            adjusted = dataclasses.replace(adjusted, penalty=round(adjusted.raw_score * share, 2))
        return adjusted

    def unknown_exercises(self, exercises: Iterable[tuple[str, str]]) -> list[str]:
        """The exercises overrides name that none of ``exercises`` (``(notebook, check name)``) is."""
        known = set().union(*(_names(notebook, check) for notebook, check in exercises))
        return sorted({o.exercise for o in self.overrides if o.exercise.casefold() not in known}, key=by_name)
