"""Tests for mpcourse/grading/grade.py: the steps of grading one notebook that need no kernel."""

from __future__ import annotations

import nbformat
from grading_fixtures import solved

from mpcourse.grading import grade as grade_module
from mpcourse.grading.feedback import render_feedback
from mpcourse.grading.grade import grade_notebook, merge_submission, score_checks
from mpcourse.grading.release import student_copy
from mpcourse.grading.results import Outcome, Status, StudentGrade, Verdict
from mpcourse.grading.runner import RunResult
from mpcourse.grading.submissions import Submission


def _submit(tmp_path, basics, answers):
    folder = tmp_path / "ann"
    folder.mkdir()
    nbformat.write(solved(student_copy(basics), answers), folder / "01_basics.ipynb")
    return Submission("ann", folder)


def test_score_checks_gives_points_only_for_passing_attempted_checks(basics):
    one, two, _hidden = basics.checks
    verdicts = {one.cell_id: Verdict(True, "PASS: one"), two.cell_id: Verdict(True, "PASS: two")}
    results = score_checks(basics, {two.cell_id}, verdicts)
    assert [(r.outcome, r.earned, r.output) for r in results] == [
        (Outcome.PASS, 2, "PASS: one"),
        (Outcome.NOT_ATTEMPTED, 0, ""),  # passing, but its answer is still the stub
        (Outcome.NOT_RUN, 0, ""),  # no verdict
    ]
    assert results[2].hidden


def test_missing_notebook_and_untouched_copy_need_no_run(tmp_path, basics, monkeypatch):
    """No file: status missing; a copy with nothing attempted: 0 points, and no run at all."""
    monkeypatch.setattr(grade_module, "run_notebook", None)  # any run would fail
    (tmp_path / "zoe").mkdir()
    missing = grade_notebook(basics, Submission("zoe", tmp_path / "zoe"))
    assert missing.status is Status.MISSING and {c.outcome for c in missing.checks} == {Outcome.NOT_GRADED}
    untouched = grade_notebook(basics, _submit(tmp_path, basics, {}))
    assert untouched.status is Status.OK and {c.outcome for c in untouched.checks} == {Outcome.NOT_ATTEMPTED}


def test_the_verdict_step_decides_the_points(tmp_path, basics, monkeypatch):
    """grade_notebook scores what its verdicts step says, whatever the run's cells showed."""
    monkeypatch.setattr(grade_module, "run_notebook", lambda *args: RunResult(Status.OK, {}, leftovers=1))
    seen = []

    def judge(master, merged, run, settings, learner):
        seen.append((master, run.leftovers, merged.attempted))
        return {check.cell_id: Verdict(True, f"PASS: {check.name}") for check in master.checks}

    grade = grade_notebook(basics, _submit(tmp_path, basics, {"answer-one": "answer = 1"}), verdicts=judge)
    assert seen == [(basics, 1, {"answer-one": True, "answer-two": False})]
    assert [c.outcome for c in grade.checks] == [Outcome.PASS, Outcome.NOT_ATTEMPTED, Outcome.NOT_ATTEMPTED]
    assert grade.score == 2 and "1 process" in grade.note


def _folder(tmp_path, notebooks):
    folder = tmp_path / "ann"
    folder.mkdir()
    for name, notebook in notebooks.items():
        nbformat.write(notebook, folder / name)
    return Submission("ann", folder)


def test_a_renamed_notebook_alone_is_graded_and_flagged_not_missing(tmp_path, basics, monkeypatch):
    """The name a browser gives a second download: graded, and the teacher and the student see why."""
    monkeypatch.setattr(grade_module, "run_notebook", None)  # untouched: no run needed
    grade = grade_notebook(basics, _folder(tmp_path, {"01_basics (1).ipynb": student_copy(basics)}))
    assert grade.status is Status.OK and {c.outcome for c in grade.checks} == {Outcome.NOT_ATTEMPTED}
    assert grade.flags == ("graded '01_basics (1).ipynb', which holds 0 answer(s), instead: no file '01_basics.ipynb'",)
    student = StudentGrade("ann", (grade,))
    assert student.status is Status.REVIEW and student.details == f"01_basics: {grade.flags[0]}"
    assert grade.flags[0] in render_feedback(student)


def test_the_near_named_copy_holding_the_answers_is_graded_beside_an_untouched_one(tmp_path, basics):
    worked = solved(student_copy(basics), {"answer-one": "answer = 42"})
    submission = _folder(tmp_path, {"01_basics.ipynb": student_copy(basics), "Copy of 01_basics.ipynb": worked})
    merged = merge_submission(basics, submission)
    assert merged.attempted["answer-one"]
    expected = "graded 'Copy of 01_basics.ipynb', which holds 1 answer(s), instead: '01_basics.ipynb' holds 0"
    assert merged.flags == (expected,)


def test_the_expected_notebook_wins_a_tie_and_a_worked_copy_beside_it_is_flagged(tmp_path, basics):
    worked = solved(student_copy(basics), {"answer-one": "answer = 42"})
    submission = _folder(tmp_path, {"01_basics.ipynb": worked, "01_basics-Copy1.ipynb": worked})
    merged = merge_submission(basics, submission)
    assert merged.attempted["answer-one"]
    assert merged.flags == ("'01_basics-Copy1.ipynb' holds 1 answer(s) too, not graded: look at it",)
