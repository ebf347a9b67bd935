"""What grading produces, in one place: statuses, the results per check, notebook and student, the gradebook's columns.

Every other grading module names a status or an outcome through :class:`Status`
and :class:`Outcome` (both ``str`` enums, so a row read back from the CSV compares
equal to them), and the CSV's columns come from :data:`STUDENT` and
:data:`LAST_COLUMNS` here.  Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "DETAILS",
    "LAST_COLUMNS",
    "MAX",
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
    "columns",
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


@dataclass(frozen=True)
class CheckResult:
    """One check of one notebook: its points, what it earned, and what the learner is shown."""

    name: str
    points: float
    earned: float
    outcome: Outcome
    output: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class NotebookGrade:
    """One student's grade for one notebook; ``detail`` says why a status is not ``ok``, ``note`` advises,
    ``flags`` say what the teacher should look at (work the rules may have missed)."""

    notebook: str
    status: Status
    checks: tuple[CheckResult, ...]
    detail: str = ""
    note: str = ""
    flags: tuple[str, ...] = ()

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
    """One student's grades for every notebook."""

    name: str
    notebooks: tuple[NotebookGrade, ...]

    @property
    def score(self) -> float:
        """Points earned over all notebooks."""
        return sum(notebook.score for notebook in self.notebooks)

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
        return row


@dataclass
class BatchResult:
    """What a batch did: the students graded now, the ones skipped, the whole gradebook, the sandbox used."""

    graded: list[StudentGrade] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    sandbox: str = "bwrap"


# The gradebook CSV: ``student``, one column per notebook (points earned), then LAST_COLUMNS.
STUDENT = "student"
TOTAL, MAX, STATUS, DETAILS = "total", "max", "status", "details"
#: Columns after the notebook columns, in this order.
LAST_COLUMNS = (TOTAL, MAX, STATUS, DETAILS)


def columns(rows: Iterable[Mapping[str, str]], notebooks: Sequence[str] = ()) -> list[str]:
    """``student``, the notebook columns (``notebooks`` first, in order, then others sorted), the last columns."""
    others: set[str] = set()
    for row in rows:
        others.update(row)
    others -= {STUDENT, *LAST_COLUMNS, *notebooks}
    return [STUDENT, *notebooks, *sorted(others), *LAST_COLUMNS]


def format_points(points: float) -> str:
    """``2`` for whole points, ``2.5`` otherwise."""
    return str(int(points)) if float(points).is_integer() else f"{points:g}"
