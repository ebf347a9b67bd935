"""Tests for mpcourse/grading/overrides.py: the teacher's overrides, due date, extensions and late penalty."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mpcourse.grading.overrides import (
    Adjustments,
    AdjustmentsError,
    Extension,
    Override,
    exercise_name,
    parse_due,
    read_extensions,
    read_overrides,
)
from mpcourse.grading.results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)


def _student(name="ann", earned=0.0, submitted=None) -> StudentGrade:
    checks = (
        CheckResult("the answer is 42", 2, earned, Outcome.PASS if earned else Outcome.FAIL),
        CheckResult("double doubles", 2, 2, Outcome.PASS),
    )
    return StudentGrade(name, (NotebookGrade("01_basics", Status.OK, checks),), submitted=submitted)


def test_exercise_short_names_are_the_notebook_number_and_the_check():
    assert exercise_name("01_basics", "the answer is 42") == "01 the answer is 42"
    assert exercise_name("intro", "x" * 50).endswith("…") and len(exercise_name("intro", "x" * 50)) == 32


def test_an_override_sets_the_points_and_keeps_the_automatic_ones():
    adjustments = Adjustments(overrides=(Override("ann", "01 the answer is 42", 1.5, "partly right"),))
    adjusted = adjustments.apply(_student())
    check = adjusted.notebooks[0].checks[0]
    assert (check.earned, check.automatic, check.override) == (1.5, 0, "partly right")
    assert adjusted.score == 3.5 and "partly right" in adjusted.row()["adjusted"]
    assert adjustments.apply(_student("bob")).score == 2  # another student: untouched


def test_lateness_penalty_per_day_begun_and_an_extension_moves_the_due_date():
    late = DUE.timestamp() + 26 * 3600  # 1 day 2 hours: 2 days begun
    adjustments = Adjustments(due=DUE, penalty_percent_per_day=10)
    graded = adjustments.apply(_student(earned=2, submitted=late))
    assert graded.late_by == 26 * 3600 and graded.penalty == 0.8 and graded.score == 3.2
    assert graded.row()["late"] == "1 d 2 h"
    extension = {"ann": Extension("ann", parse_due("2026-12-04T00:00+00:00"), "illness")}
    extended = Adjustments(due=DUE, penalty_percent_per_day=10, extensions=extension)
    assert extended.apply(_student(earned=2, submitted=late)).late_by == 0


def test_files_with_a_bad_line_say_which_line(tmp_path):
    (tmp_path / "o.csv").write_text("student,exercise,points,reason\nann,01 x,two,because\n")
    with pytest.raises(AdjustmentsError, match="line 2: points must be a number"):
        read_overrides(tmp_path / "o.csv")
    (tmp_path / "o.csv").write_text("student,exercise,points,reason\nann,01 x,2,\n")
    with pytest.raises(AdjustmentsError, match="give a reason"):
        read_overrides(tmp_path / "o.csv")
    (tmp_path / "e.csv").write_text("student,due\nann,2026-12-01\n")
    with pytest.raises(AdjustmentsError, match="missing: reason"):
        read_extensions(tmp_path / "e.csv")
    with pytest.raises(AdjustmentsError, match="2026-12-01T23:59"):
        parse_due("next friday")


def test_students_the_adjustments_name_but_the_gradebook_lacks_are_named():
    adjustments = Adjustments(overrides=(Override("zoe", "01 x", 1, "r"),))
    assert adjustments.unknown_students(["ann"]) == ["zoe"]


def test_an_override_naming_no_exercise_is_found():
    adjustments = Adjustments(overrides=(Override("ann", "01 the answr is 42", 1, "typo"),))
    assert adjustments.unknown_exercises([("01_basics", "the answer is 42")]) == ["01 the answr is 42"]
    assert (
        Adjustments(overrides=(Override("ann", "THE ANSWER IS 42", 1, "r"),)).unknown_exercises(
            [("01_basics", "the answer is 42")]
        )
        == []
    )


def test_an_override_may_name_a_long_exercise_whole_as_the_feedback_shows_it():
    """The export header cuts a long name ("01 sum_of_squares runs in…"); the whole name is found too."""
    title = "sum_of_squares runs in child processes and returns the right sums"
    whole = Adjustments(overrides=(Override("ann", f"01 {title}", 1, "r"),))
    assert whole.unknown_exercises([("01_what_is_multiprocessing", title)]) == []
    cut = Adjustments(overrides=(Override("ann", exercise_name("01_what_is_multiprocessing", title), 1, "r"),))
    assert cut.unknown_exercises([("01_what_is_multiprocessing", title)]) == []
