"""Tests for mpcourse/grading/identical.py: students who handed in the same answer are found, and only they.

The fixture master's exercise 2 (``double``) is graded by two checks; a long answer of
one's own leaves a fingerprint, the release's stub, the reference and a one-liner do not.
"""

from __future__ import annotations

import csv
import io

import nbformat
from grading_fixtures import SOLUTIONS, solved

from mpcourse.grading.identical import (
    COLUMNS,
    MIN_CHARACTERS,
    answer_fingerprints,
    identical_answers,
    write_identical,
)
from mpcourse.grading.merge import merge, read_submission
from mpcourse.grading.release import student_copy
from mpcourse.grading.results import NotebookGrade, Status, StudentGrade

OWN_DOUBLE = (
    "def double(x):\n"
    "    # twice x: x added to itself, which keeps the sign of a negative number as well\n"
    "    return x + x\n"
)


def _fingerprints(basics, answers: dict[str, str]):
    notebook = solved(student_copy(basics), answers)
    return answer_fingerprints(basics, merge(basics, read_submission(nbformat.writes(notebook).encode())))


def _student(name: str, fingerprints) -> StudentGrade:
    return StudentGrade(name, (NotebookGrade("01_basics", Status.OK, (), answers=fingerprints),))


def test_the_untouched_release_leaves_no_fingerprint(basics):
    assert _fingerprints(basics, {}) == ()


def test_the_reference_answer_leaves_no_fingerprint(basics):
    assert _fingerprints(basics, SOLUTIONS) == ()


def test_a_short_answer_leaves_no_fingerprint(basics):
    assert len("".join("answer = 6 * 7".split())) < MIN_CHARACTERS
    assert _fingerprints(basics, {"answer-one": "answer = 6 * 7"}) == ()


def test_a_long_answer_of_ones_own_leaves_one_fingerprint_per_exercise(basics):
    found = _fingerprints(basics, {"answer-two": OWN_DOUBLE})
    double = next(check for check in basics.checks if "answer-two" in check.answers)
    assert [name for name, _ in found] == [double.name]  # the hidden check grades the same cell: one fingerprint


def test_trailing_spaces_and_line_endings_do_not_hide_a_copy(basics):
    spaced = OWN_DOUBLE.replace("\n", "   \r\n")
    assert _fingerprints(basics, {"answer-two": spaced}) == _fingerprints(basics, {"answer-two": OWN_DOUBLE})


def test_a_different_comment_is_a_different_answer(basics):
    other = OWN_DOUBLE.replace("as well", "too")
    assert _fingerprints(basics, {"answer-two": other}) != _fingerprints(basics, {"answer-two": OWN_DOUBLE})


def test_students_with_the_same_own_answer_form_a_group(basics):
    same = _fingerprints(basics, {"answer-two": OWN_DOUBLE})
    other = _fingerprints(basics, {"answer-two": OWN_DOUBLE.replace("as well", "too")})
    grades = [_student("bob", same), _student("Alice", same), _student("carol", other)]
    groups = identical_answers(grades)
    assert [(group.exercise, group.students) for group in groups] == [("01 double doubles", ("Alice", "bob"))]


def test_two_students_who_handed_in_the_untouched_release_are_not_a_group(basics):
    nothing = _fingerprints(basics, {})
    reference = _fingerprints(basics, SOLUTIONS)
    grades = [
        _student("carol", nothing),
        _student("dave", nothing),
        _student("ann", reference),
        _student("al", reference),
    ]
    assert identical_answers(grades) == []


def test_fingerprints_survive_the_stored_result(basics):
    """A student skipped at a regrade keeps their fingerprints: the stored JSON gives them back."""
    grade = _student("bob", _fingerprints(basics, {"answer-two": OWN_DOUBLE}))
    assert StudentGrade.from_json(grade.to_json()) == grade


def test_the_csv_shows_names_as_inert_text(tmp_path):
    names = ('=HYPERLINK("http://x")', "bob\x1b[31m")
    grades = [_student(name, (("double doubles", "ab12"),)) for name in names]
    path = write_identical(tmp_path / "same.csv", identical_answers(grades))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == list(COLUMNS)
    assert {row[2] for row in rows[1:]} == {'\'=HYPERLINK("http://x")', "bob\\x1b[31m"}
    assert all(row[0] == "01 double doubles" and row[1] == "1" for row in rows[1:])


def test_no_group_gives_a_csv_with_its_header_only(tmp_path):
    path = write_identical(tmp_path / "same.csv", [])
    assert path.read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n"
