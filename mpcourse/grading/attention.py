"""Which students need a look, and why: one definition for the terminal summary and the class report.

A student needs a look when their gradebook row's status is not ``ok`` (its
details say why), they were late, the teacher adjusted their grade, they earned
under half the points, or they handed in the same answer to an exercise as
another student (:mod:`.identical`).  A row with no stored result (graded by a
version that kept none, or its result could not be written) is listed too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .identical import identical_answers
from .results import DETAILS, MAX, STATUS, TOTAL, Status, StudentGrade, by_name, format_duration, format_points

__all__ = ["Attention", "needs_a_look"]


@dataclass(frozen=True)
class Attention:
    """A student to look at: their name, total (``3 / 5``, or as the row says) and every reason."""

    name: str
    total: str
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        """The reasons on one line."""
        return "; ".join(self.reasons)


def _status_reason(status: str, details: str) -> str:
    return details or str(status)


def needs_a_look(
    grades: Sequence[StudentGrade], rows: Mapping[str, Mapping[str, str]] | None = None
) -> list[Attention]:
    """The students of the class to look at, sorted by name; ``rows``: the gradebook's, whose status wins."""
    rows = rows or {}
    copies: dict[str, list[str]] = {}
    for group in identical_answers(grades):
        for name in group.students:
            others = ", ".join(other for other in group.students if other != name)
            copies.setdefault(name, []).append(f"same answer to {group.exercise} as {others}")
    found = []
    for grade in grades:
        row = rows.get(grade.name, {})
        status, details = row.get(STATUS, str(grade.status)), row.get(DETAILS, grade.details)
        reasons = [] if status == Status.OK else [_status_reason(status, details)]
        if grade.late_by:
            reasons.append(f"late by {format_duration(grade.late_by)}")
        if grade.overrides or grade.extension:
            reasons.append("adjusted by the teacher")
        if grade.max_points and grade.score < grade.max_points / 2:
            reasons.append("under half the points")
        reasons += copies.get(grade.name, [])
        if reasons:
            total = f"{format_points(grade.score)} / {format_points(grade.max_points)}"
            found.append(Attention(grade.name, total, tuple(reasons)))
    stored = {grade.name for grade in grades}
    for name, row in rows.items():
        if name not in stored:
            why = f"no stored result ({_status_reason(row.get(STATUS, ''), row.get(DETAILS, ''))})"
            found.append(Attention(name, f"{row.get(TOTAL, '?')} / {row.get(MAX, '?')}", (why,)))
    return sorted(found, key=lambda item: by_name(item.name))
