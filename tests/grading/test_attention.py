"""Tests for mpcourse/grading/attention.py: who needs a look, and why, in one definition."""

from __future__ import annotations

from mpcourse.grading.attention import needs_a_look
from mpcourse.grading.results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade


def _grade(name: str, earned: float, status: Status = Status.OK, **extra) -> StudentGrade:
    check = CheckResult("the answer", 4, earned, Outcome.PASS if earned else Outcome.FAIL, **extra.pop("check", {}))
    answers = extra.pop("answers", ())
    return StudentGrade(name, (NotebookGrade("01_basics", status, (check,), "no file", answers=answers),), **extra)


def _reasons(grades, rows=None) -> dict[str, tuple[str, ...]]:
    return {item.name: item.reasons for item in needs_a_look(grades, rows)}


def test_a_student_with_full_points_on_time_and_unadjusted_needs_no_look():
    assert _reasons([_grade("alice", 4)]) == {}


def test_each_reason_is_said():
    grades = [
        _grade("late", 4, late_by=3600.0),
        _grade("adjusted", 4, extension="illness"),
        _grade("low", 1),
        _grade("missing", 4, Status.MISSING),
    ]
    assert _reasons(grades) == {
        "late": ("late by 1 h",),
        "adjusted": ("adjusted by the teacher",),
        "low": ("under half the points",),
        "missing": ("01_basics: missing (no file)",),
    }


def test_same_answers_name_the_other_students():
    same = (("the answer", "ab12"),)
    found = _reasons([_grade("bob", 4, answers=same), _grade("Alice", 4, answers=same)])
    assert found == {
        "Alice": ("same answer to 01 the answer as bob",),
        "bob": ("same answer to 01 the answer as Alice",),
    }
    assert list(found) == ["Alice", "bob"]  # sorted as a person expects


def test_the_gradebook_rows_status_wins_and_a_row_without_a_result_is_listed():
    rows = {
        "alice": {"total": "4", "max": "4", "status": "error", "details": "feedback not written (disk full)"},
        "ghost": {"total": "2", "max": "4", "status": "ok", "details": ""},
    }
    found = needs_a_look([_grade("alice", 4)], rows)
    assert [(item.name, item.total, item.why) for item in found] == [
        ("alice", "4 / 4", "feedback not written (disk full)"),
        ("ghost", "2 / 4", "no stored result (ok)"),
    ]
