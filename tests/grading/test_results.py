"""Tests for mpcourse/grading/results.py: statuses, a student's status and details, the gradebook row."""

from __future__ import annotations

from mpcourse.grading.results import (
    LAST_COLUMNS,
    CheckResult,
    NotebookGrade,
    Outcome,
    Status,
    StudentGrade,
    columns,
    format_points,
)


def _notebook(name: str, status: Status, earned: float = 0, detail: str = "") -> NotebookGrade:
    return NotebookGrade(name, status, (CheckResult("c", 2, earned, Outcome.PASS if earned else Outcome.FAIL),), detail)


def test_statuses_are_their_words():
    """Do the enums write and compare as the words in the CSV and the feedback?"""
    assert [str(s) for s in Status] == [
        "invalid submission", "error", "invalid notebook", "timeout", "missing", "review", "ok"
    ]  # fmt: skip
    assert f"{Status.INVALID_NOTEBOOK}" == "invalid notebook" and Status.OK == "ok"
    assert Status("timeout") is Status.TIMEOUT
    assert [str(o) for o in Outcome] == ["pass", "fail", "not attempted", "not run", "not graded"]


def test_worst_status_is_the_most_serious():
    assert Status.worst([Status.OK, Status.MISSING, Status.TIMEOUT]) is Status.TIMEOUT
    assert Status.worst([Status.INVALID_NOTEBOOK, Status.ERROR]) is Status.ERROR
    assert Status.worst([]) is Status.OK


def test_student_row_has_the_gradebook_columns():
    """Is a student's row: a column per notebook, then total, max, status, details naming what went wrong?"""
    student = StudentGrade(
        "ann", (_notebook("01", Status.OK, 2), _notebook("02", Status.TIMEOUT, detail="stopped after 5 s\nmore"))
    )
    row = student.row()
    assert row == {
        "student": "ann",
        "01": "2",
        "02": "0",
        "total": "2",
        "max": "4",
        "status": "timeout",
        "details": "02: timeout (stopped after 5 s)",
    }
    assert all(type(value) is str for value in row.values())  # plain text, not enums, goes to the CSV
    assert columns([row], ["01", "02"]) == ["student", "01", "02", *LAST_COLUMNS]


def test_invalid_submission_details_are_the_reason():
    student = StudentGrade("bob", (_notebook("01", Status.INVALID_SUBMISSION, detail="zip bomb"),))
    assert student.status is Status.INVALID_SUBMISSION and student.details == "zip bomb"


def test_format_points():
    assert [format_points(p) for p in (2, 2.0, 2.5, 0)] == ["2", "2", "2.5", "0"]
