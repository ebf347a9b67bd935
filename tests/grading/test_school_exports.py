"""Tests for mpcourse/grading/exports.py: each format's layout, the roster, what spreadsheets need."""

from __future__ import annotations

import csv
import io

import pytest

from mpcourse.grading.exports import BOM, RosterEntry, RosterError, build_export, read_roster
from mpcourse.grading.results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade


def _grade(name: str, earned: float) -> StudentGrade:
    checks = (CheckResult("the answer is 42", 2, earned, Outcome.PASS if earned else Outcome.FAIL),)
    return StudentGrade(name, (NotebookGrade("01_basics", Status.OK, checks),))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def test_a_student_missing_from_the_roster_is_left_out_and_named(tmp_path):
    (tmp_path / "roster.csv").write_text("\ufeffstudent,id,email\nann,7,ann@x.example\n", encoding="utf-8")
    roster = read_roster(tmp_path / "roster.csv")
    text, missing = build_export("canvas", [_grade("ann", 2), _grade("bob", 0)], roster, "HW")
    assert missing == ["bob"] and [row[1] for row in _rows(text)[2:]] == ["7"]


def test_table_sorts_as_a_person_expects_and_keeps_accents_for_excel():
    text, _ = build_export("table", [_grade(name, 2) for name in ("s10", "Émile", "s9", "bob")])
    assert text.startswith(BOM)
    assert [row[0] for row in _rows(text)[1:]] == ["bob", "s9", "s10", "Émile"]


def test_a_name_that_looks_like_a_formula_stays_text_in_every_export():
    roster = {"=cmd": RosterEntry("=cmd", id="1", email="a@x.example")}
    for kind in ("table", "canvas", "moodle", "nbgrader"):
        text, _ = build_export(kind, [_grade("=cmd", 2)], roster)
        assert not any(cell.startswith("=") for row in _rows(text) for cell in row), kind


def test_a_roster_without_a_student_column_is_an_error(tmp_path):
    (tmp_path / "roster.csv").write_text("name,id\nann,7\n")
    with pytest.raises(RosterError, match="'student' column"):
        read_roster(tmp_path / "roster.csv")


def test_a_roster_name_finds_the_student_of_a_latin1_named_zip(tmp_path):
    """A zip named "josé" in Latin-1 is graded as jos\\xe9; the roster's "josé" is that student too."""
    from mpcourse.grading.neutralise import student_name

    roster = tmp_path / "roster.csv"
    roster.write_text("student,email\njosé,jose@example.org\n", encoding="utf-8")
    entries = read_roster(roster)
    assert entries[student_name("josé".encode("latin-1"))].email == "jose@example.org"
    assert entries["josé"].email == "jose@example.org"
