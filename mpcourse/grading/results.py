"""What grading produces, in one place: statuses, the results per check, notebook and student, the gradebook's columns.

Every other grading module names a status or an outcome through :class:`Status`
and :class:`Outcome` (both ``str`` enums, so a row read back from the CSV compares
equal to them), and the CSV's columns come from :data:`STUDENT` and
:data:`LAST_COLUMNS` here.  Standard library only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = [
    "ADJUSTED",
    "DETAILS",
    "GRADED",
    "HASH",
    "LAST_COLUMNS",
    "LATE",
    "MAX",
    "OPTIONAL_COLUMNS",
    "PENALTY",
    "STATUS",
    "STUDENT",
    "TOTAL",
    "BatchResult",
    "CheckResult",
    "NotebookGrade",
    "Outcome",
    "Status",
    "StudentGrade",
    "Verdict",
    "by_name",
    "columns",
    "format_duration",
    "format_points",
]


class Status(str, Enum):
    """How grading one notebook ended, the most serious first; a student's status is their worst notebook's."""

    INVALID_SUBMISSION = "invalid submission"  # the student's zip was rejected (path traversal, zip bomb)
    ERROR = "error"  # the run failed, or the grader did: graded again by a re-run
    INVALID_NOTEBOOK = "invalid notebook"  # the file is not a notebook this grader can read
    TIMEOUT = "timeout"  # the run hit its wall-clock limit
    MISSING = "missing"  # no such notebook in the submission
    REVIEW = "review"  # graded, with work the rules may have missed: the details say what to look at
    OK = "ok"

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__

    @classmethod
    def worst(cls, statuses: Iterable[Status]) -> Status:
        """The most serious of ``statuses`` (``OK`` when there are none)."""
        order = list(cls)
        return min(statuses, key=order.index, default=cls.OK)


class Outcome(str, Enum):
    """What happened to one check."""

    PASS = "pass"
    FAIL = "fail"
    NOT_ATTEMPTED = "not attempted"  # its answer cells still hold the release stub
    NOT_RUN = "not run"  # the run stopped before the check
    NOT_GRADED = "not graded"  # the notebook could not be run at all

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__


@dataclass(frozen=True)
class Verdict:
    """The verdict on one check of a run: passed or not, and the line(s) the learner is shown (``PASS: …``,
    ``NOT YET: … Hint: …``, or why the check failed to run)."""

    passed: bool
    output: str = ""
    timed_out: bool = False  # the judged run was killed at its time limit


@dataclass(frozen=True)
class CheckResult:
    """One check of one notebook: its points, what it earned, and what the learner is shown."""

    name: str
    points: float
    earned: float
    outcome: Outcome
    output: str = ""
    hidden: bool = False
    override: str = ""  # the teacher's reason, when their override replaced the automatic points
    automatic: float | None = None  # the automatic points, when overridden


@dataclass(frozen=True)
class NotebookGrade:
    """One student's grade for one notebook; ``detail`` says why a status is not ``ok``, ``note`` advises,
    ``flags`` say what the teacher should look at (work the rules may have missed), ``answers`` fingerprints
    the learner's own answers, ``(exercise, hash)``, to find students who handed in the same (:mod:`.identical`)."""

    notebook: str
    status: Status
    checks: tuple[CheckResult, ...]
    detail: str = ""
    note: str = ""
    flags: tuple[str, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()

    @property
    def score(self) -> float:
        """Points earned."""
        return sum(check.earned for check in self.checks)

    @property
    def max_points(self) -> float:
        """Points available."""
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class StudentGrade:
    """One student's grades for every notebook; what was graded (``digest``, ``graded``, ``submitted``)
    and the lateness (``late_by`` seconds, ``penalty`` points) when known."""

    name: str
    notebooks: tuple[NotebookGrade, ...]
    digest: str = ""
    graded: str = ""  # when, ISO 8601 in UTC
    submitted: float | None = None  # when it was handed in, seconds since the epoch
    late_by: float = 0.0
    penalty: float = 0.0
    extension: str = ""  # the teacher's reason, when an extension moved this student's due date

    @property
    def raw_score(self) -> float:
        """Points earned over all notebooks, before a late penalty."""
        return sum(notebook.score for notebook in self.notebooks)

    @property
    def score(self) -> float:
        """Points earned over all notebooks, after a late penalty."""
        return max(0.0, self.raw_score - self.penalty)

    @property
    def max_points(self) -> float:
        """Points available over all notebooks."""
        return sum(notebook.max_points for notebook in self.notebooks)

    @property
    def status(self) -> Status:
        """The most serious status among the notebooks; ``review`` when all are ``ok`` but one has flags."""
        worst = Status.worst(notebook.status for notebook in self.notebooks)
        return Status.REVIEW if worst == Status.OK and any(n.flags for n in self.notebooks) else worst

    @property
    def details(self) -> str:
        """The notebooks that are not ``ok``, with why, and every flag, for the gradebook."""
        if self.status == Status.INVALID_SUBMISSION:
            return self.notebooks[0].detail
        parts = []
        for notebook in self.notebooks:
            if notebook.status != Status.OK:
                reason = notebook.detail.splitlines()[0][:120] if notebook.detail else ""
                parts.append(f"{notebook.notebook}: {notebook.status}" + (f" ({reason})" if reason else ""))
            parts += [f"{notebook.notebook}: {flag}" for flag in notebook.flags]
        return "; ".join(parts)

    @property
    def overrides(self) -> list[tuple[str, CheckResult]]:
        """``(notebook, check)`` for every check whose points the teacher set."""
        return [(nb.notebook, check) for nb in self.notebooks for check in nb.checks if check.override]

    def row(self) -> dict[str, str]:
        """This student's gradebook row (see :func:`columns`)."""
        row = {STUDENT: self.name}
        row.update({notebook.notebook: format_points(notebook.score) for notebook in self.notebooks})
        row.update(
            {
                TOTAL: format_points(self.score),
                MAX: format_points(self.max_points),
                STATUS: str(self.status),
                DETAILS: self.details,
            }
        )
        if self.late_by > 0:
            row[LATE] = format_duration(self.late_by)
        if self.penalty:
            row[PENALTY] = format_points(self.penalty)
        adjusted = [f"{nb}: {c.name} {format_points(c.earned)} ({c.override})" for nb, c in self.overrides]
        if self.extension:
            adjusted.append(f"extension ({self.extension})")
        if adjusted:
            row[ADJUSTED] = "; ".join(adjusted)
        if self.digest:
            row[GRADED], row[HASH] = self.graded, self.digest
        return row

    def to_json(self) -> dict[str, Any]:
        """This grade as plain JSON data (:meth:`from_json` reads it back)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StudentGrade:
        """The grade :meth:`to_json` wrote; ``ValueError`` or ``TypeError`` when ``data`` is not one."""
        notebooks = tuple(
            NotebookGrade(
                **{
                    **notebook,
                    "status": Status(notebook["status"]),
                    "checks": tuple(
                        CheckResult(**{**check, "outcome": Outcome(check["outcome"])}) for check in notebook["checks"]
                    ),
                    "flags": tuple(notebook.get("flags", ())),
                    "answers": tuple((str(name), str(digest)) for name, digest in notebook.get("answers", ())),
                }
            )
            for notebook in data["notebooks"]
        )
        return cls(**{**data, "notebooks": notebooks})


@dataclass
class BatchResult:
    """What a batch did: the students graded now, the ones skipped or refused, the whole gradebook (its rows, and
    the final grade of each student whose result is stored: the whole class, graded now or before), the sandbox."""

    graded: list[StudentGrade] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # graded again because their submission changed
    adjusted: list[str] = field(default_factory=list)  # not graded again, but their adjustments changed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why) not graded: see .collisions
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    class_grades: list[StudentGrade] = field(default_factory=list)
    sandbox: str = "bwrap"


# The gradebook CSV: ``student``, one column per notebook (points earned), then LAST_COLUMNS, then those of
# OPTIONAL_COLUMNS any row has.
STUDENT = "student"
TOTAL, MAX, STATUS, DETAILS = "total", "max", "status", "details"
LATE, PENALTY, ADJUSTED, GRADED, HASH = "late", "penalty", "adjusted", "graded", "hash"
#: Columns after the notebook columns, in this order.
LAST_COLUMNS = (TOTAL, MAX, STATUS, DETAILS)
#: Columns after those, when a row has them: lateness, the teacher's adjustments, when and what was graded.
OPTIONAL_COLUMNS = (LATE, PENALTY, ADJUSTED, GRADED, HASH)


def columns(rows: Iterable[Mapping[str, str]], notebooks: Sequence[str] = ()) -> list[str]:
    """``student``, the notebook columns (``notebooks`` first, in order, then others sorted), the last columns,
    then the optional columns present."""
    others: set[str] = set()
    for row in rows:
        others.update(row)
    optional = [column for column in OPTIONAL_COLUMNS if column in others]
    others -= {STUDENT, *LAST_COLUMNS, *OPTIONAL_COLUMNS, *notebooks}
    return [STUDENT, *notebooks, *sorted(others), *LAST_COLUMNS, *optional]


def format_duration(seconds: float) -> str:
    """``3 d 4 h``, ``5 h 12 min`` or ``7 min``: a lateness a person reads at a glance."""
    minutes = max(1, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def by_name(name: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders names as a person expects: case-insensitive, numbers by value (``a2`` before ``a10``)."""
    parts = re.split(r"(\d+)", name.casefold())
    return (*((1, int(part)) if part.isdigit() else (0, part) for part in parts if part), (2, name))


def format_points(points: float) -> str:
    """``2`` for whole points, ``2.5`` otherwise."""
    return str(int(points)) if float(points).is_integer() else f"{points:g}"
