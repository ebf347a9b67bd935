"""The whole fixture class through ``python -m mpcourse grade --jobs 2``: every hostile case at once.

Each student (see ``tests/grading_fixtures``) shows one thing the grader must
survive; none may stop the batch or change another student's score, so the
whole gradebook is compared with the expected one.
"""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest
from grading_fixtures import (
    CLASS_TIMEOUT,
    EXPECTED_GRADEBOOK,
    STUDENTS,
    folder_digest,
    make_class,
    make_quick_class,
    orphans,
    require_bwrap,
    stable_columns,
    write_masters,
)

from mpcourse.cli import main
from mpcourse.grading import grade as grade_module
from mpcourse.grading.batch import grade_class
from mpcourse.grading.notebook import load_master
from mpcourse.grading.runner import RunResult
from mpcourse.grading.submissions import discover


@pytest.fixture(autouse=True)
def _sandbox_available():
    """These tests grade, and the grader refuses to run learner code without its sandbox."""
    require_bwrap()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the class once; keep what every test below looks at."""
    root = tmp_path_factory.mktemp("class")
    masters = write_masters(root / "masters")
    submissions = make_class(masters, root / "submissions")
    before = {"masters": folder_digest(masters), "submissions": folder_digest(submissions)}
    home_file = Path.home() / "judy-was-here.txt"
    assert not home_file.exists()
    args = ["grade", str(submissions), "--master", str(masters), "--out", str(root / "gradebook.csv"),
            "--jobs", "2", "--timeout", str(CLASS_TIMEOUT), "--no-progress"]  # fmt: skip
    stdout = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(stdout):
        code = main(args)
    return {
        "root": root,
        "masters": masters,
        "submissions": submissions,
        "args": args,
        "code": code,
        "stdout": stdout.getvalue(),
        "seconds": time.monotonic() - started,
        "before": before,
        "home_file": home_file,
    }


def _feedback(graded, name: str) -> str:
    return (graded["root"] / "feedback" / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_whole_gradebook(graded):
    """Exact scores and statuses for every student; exit code 0 although many failed checks."""
    assert graded["code"] == 0, graded["stdout"]
    assert stable_columns(graded["root"] / "gradebook.csv") == EXPECTED_GRADEBOOK


@pytest.mark.slow
def test_summary_table(graded):
    out = graded["stdout"]
    assert "Graded 13 student(s)." in out
    assert "01_basics" in out and "full marks" in out
    assert "status: invalid notebook 1, invalid submission 2, missing 1, ok 8, timeout 1" in out
    assert "grace: 01_basics: timeout" in out


@pytest.mark.slow
def test_no_process_survives_the_batch(graded):
    """The infinite loop's children and the never-joined processes are all gone.

    They are found by a token unique to this test session, never by a name that
    another grading run on the machine would carry too.
    """
    assert orphans() == []


@pytest.mark.slow
def test_masters_and_submissions_are_untouched(graded):
    """A notebook that writes files (even over its own .ipynb, even in HOME) changes nothing outside its run."""
    assert folder_digest(graded["masters"]) == graded["before"]["masters"]
    assert folder_digest(graded["submissions"]) == graded["before"]["submissions"]
    assert not graded["home_file"].exists()
    assert not (graded["root"] / "evil.ipynb").exists() and not (graded["submissions"].parent / "evil.ipynb").exists()


@pytest.mark.slow
def test_feedback_lists_every_check_with_its_hint(graded):
    assert sorted(p.stem for p in (graded["root"] / "feedback").glob("*.md")) == sorted(STUDENTS)
    bob = _feedback(graded, "bob")
    assert "❌ NOT YET: the answer is 42. Hint: multiply six by seven (you gave 41) (0/2 points)" in bob
    assert "✅ PASS: double doubles (1/1 points)" in bob
    assert "NOT YET: double keeps the sign. Hint: try double(-3) (0/1 points) *(hidden check)*" in bob
    assert _feedback(graded, "carol").count("not attempted") == 4
    assert "NameError: name 'answer' is not defined" in _feedback(graded, "ivan")  # its MemoryError
    assert "did not finish in time" in _feedback(graded, "grace")
    assert "still running at the end and had to be stopped" in _feedback(graded, "peggy")
    assert "points outside the folder" in _feedback(graded, "mallory")
    assert "invalid JSON" in _feedback(graded, "dave")


@pytest.mark.slow
def test_megabytes_of_output_are_capped(graded):
    heidi = _feedback(graded, "heidi")
    assert len(heidi.encode()) < 5_000
    assert "NOT YET: the answer is 42" in heidi


@pytest.mark.slow
def test_rerun_skips_everyone_and_changes_nothing(graded):
    """Resumable: a second run grades nobody (fast) and leaves the gradebook byte for byte."""
    before = (graded["root"] / "gradebook.csv").read_bytes()
    stdout = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(stdout):
        assert main(graded["args"]) == 0
    assert time.monotonic() - started < 10
    assert "Skipped 13 student(s)" in stdout.getvalue()
    assert (graded["root"] / "gradebook.csv").read_bytes() == before


def test_a_grader_failure_on_one_notebook_does_not_stop_the_batch(tmp_path, monkeypatch):
    """An unexpected exception while grading one notebook gives that student 'error'; the rest are graded."""
    masters = write_masters(tmp_path / "masters")
    subs = make_quick_class(masters, tmp_path / "subs")
    (subs / "carol" / "01_basics.ipynb").write_bytes((masters / "01_basics.ipynb").read_bytes())

    def broken(*args, **kwargs) -> RunResult:
        raise RuntimeError("boom")

    monkeypatch.setattr(grade_module, "run_notebook", broken)

    loaded = [load_master(masters / name) for name in ("01_basics.ipynb", "02_processes.ipynb")]
    result = grade_class(loaded, discover(subs), tmp_path / "g.csv", tmp_path / "fb", progress=False, preflight=False)
    rows = result.rows
    assert rows["carol"]["status"] == "error" and "boom" in rows["carol"]["details"]
    assert rows["dave"]["status"] == "invalid notebook" and rows["zoe"]["status"] == "missing"
