"""Tests for ``python -m mpcourse grade``: options, resuming, shards, exit codes (no kernel needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from grading_fixtures import QUICK_GRADEBOOK, make_quick_class, require_bwrap, stable_columns, write_masters

from mpcourse.cli import main
from mpcourse.grading.batch import grade_class
from mpcourse.grading.gradebook import read_gradebook, write_gradebook
from mpcourse.grading.notebook import load_master
from mpcourse.grading.submissions import discover


@pytest.fixture(autouse=True)
def _sandbox_available():
    """These tests grade, and the grader refuses to run learner code without its sandbox."""
    require_bwrap()


@pytest.fixture
def course(tmp_path):
    masters = write_masters(tmp_path / "masters")
    submissions = make_quick_class(masters, tmp_path / "submissions")
    return masters, submissions, tmp_path


def _grade(masters, submissions, out, *extra):
    return main(["grade", str(submissions), "--master", str(masters), "--out", str(out), "--no-progress", *extra])


def test_grade_help_explains_every_option_with_examples():
    result = subprocess.run(
        [sys.executable, "-m", "mpcourse", "grade", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    options = ("--out", "--feedback", "--master", "--jobs", "--timeout", "--memory-mb", "--processes", "--disk-mb",
               "--sandbox", "--shard", "--force")  # fmt: skip
    for option in options:
        assert option in result.stdout
    assert "examples:" in result.stdout and "python -m mpcourse grade submissions/" in result.stdout
    assert "exit status:" in result.stdout


def test_quick_class_gradebook_feedback_and_summary(course, capsys):
    """Untouched, malformed, rejected and empty submissions: graded without a kernel, exit 0."""
    masters, submissions, tmp = course
    assert _grade(masters, submissions, tmp / "gradebook.csv") == 0
    assert stable_columns(tmp / "gradebook.csv") == QUICK_GRADEBOOK
    assert sorted(p.name for p in (tmp / "feedback").glob("*.md")) == ["carol.md", "dave.md", "mallory.md", "zoe.md"]
    assert "not attempted" in (tmp / "feedback" / "carol.md").read_text()
    out = capsys.readouterr().out
    assert "Graded 4 student(s)" in out and "needs a look:" in out and "zoe: 01_basics: missing" in out


def test_rerun_skips_graded_students_unless_forced(course, capsys):
    """Is a re-run resumable: graded students kept, failed gradings retried, --force grades all again?"""
    masters, submissions, tmp = course
    out = tmp / "gradebook.csv"
    assert _grade(masters, submissions, out) == 0
    rows = read_gradebook(out)
    rows["carol"]["total"] = "99"  # a mark the re-run must keep
    rows["dave"]["status"] = "error"  # a grading that failed: retried
    write_gradebook(out, rows, ["01_basics", "02_processes"])
    capsys.readouterr()
    assert _grade(masters, submissions, out) == 0
    assert "Skipped 3 student(s)" in capsys.readouterr().out
    rows = read_gradebook(out)
    assert rows["carol"]["total"] == "99" and rows["dave"]["status"] == "invalid notebook"
    assert _grade(masters, submissions, out, "--force") == 0
    assert stable_columns(out) == QUICK_GRADEBOOK


def test_feedback_folder_inside_submissions_is_not_a_student(course):
    masters, submissions, _ = course
    assert _grade(masters, submissions, submissions / "gradebook.csv") == 0
    assert _grade(masters, submissions, submissions / "gradebook.csv", "--force") == 0
    assert "feedback" not in read_gradebook(submissions / "gradebook.csv")


def test_gradebook_is_complete_after_every_student(course):
    """Written atomically after each student: an interrupted batch leaves a whole, readable gradebook."""
    masters, submissions, tmp = course
    seen = []

    def look(student):
        rows = read_gradebook(tmp / "g.csv")
        seen.append(student.name)
        assert set(rows) == set(seen)
        assert [p.name for p in tmp.iterdir() if p.name.startswith(".g.csv")] == []  # no temporary file left

    loaded = [load_master(masters / name) for name in ("01_basics.ipynb", "02_processes.ipynb")]
    grade_class(loaded, discover(submissions), tmp / "g.csv", tmp / "fb", progress=False, on_student=look)
    assert sorted(seen) == ["carol", "dave", "mallory", "zoe"]


def test_shards_then_merge_give_the_whole_gradebook(course):
    masters, submissions, tmp = course
    for k in (1, 2):
        assert _grade(masters, submissions, tmp / f"part{k}.csv", "--shard", f"{k}/2") == 0
    assert list(read_gradebook(tmp / "part1.csv")) == ["carol", "mallory"]
    assert list(read_gradebook(tmp / "part2.csv")) == ["dave", "zoe"]
    assert (
        main(["gradebook", "merge", "--out", str(tmp / "all.csv"), str(tmp / "part1.csv"), str(tmp / "part2.csv")]) == 0
    )
    assert stable_columns(tmp / "all.csv") == QUICK_GRADEBOOK


def test_progress_bar_on_stderr(course, capsys):
    masters, submissions, tmp = course
    assert main(["grade", str(submissions), "--master", str(masters), "--out", str(tmp / "g.csv")]) == 0
    err = capsys.readouterr().err
    assert "grading" in err and "4/4" in err


@pytest.mark.parametrize(
    "args",
    [["--jobs", "0"], ["--timeout", "0"], ["--memory-mb", "-1"], ["--shard", "3/2"], ["--shard", "x"]],
)
def test_bad_options_are_usage_errors(course, args):
    masters, submissions, tmp = course
    with pytest.raises(SystemExit) as exit_info:
        _grade(masters, submissions, tmp / "g.csv", *args)
    assert exit_info.value.code == 2


def test_missing_folder_bad_master_and_foreign_gradebook_exit_2(course, capsys):
    masters, submissions, tmp = course
    assert _grade(masters, tmp / "nope", tmp / "g.csv") == 2
    (tmp / "broken").mkdir()
    (tmp / "broken" / "01.ipynb").write_text("not json")
    assert _grade(tmp / "broken", submissions, tmp / "g.csv") == 2
    (tmp / "foreign.csv").write_text("name,score\n")
    assert _grade(masters, submissions, tmp / "foreign.csv") == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and "master notebook" in err and "not a gradebook" in err


def test_a_changed_submission_is_graded_again_and_said_so(course, capsys):
    """Regrading follows the work: only the student whose notebook changed is graded again."""
    masters, submissions, tmp = course
    out = tmp / "gradebook.csv"
    assert _grade(masters, submissions, out) == 0
    before = read_gradebook(out)
    (submissions / "dave" / "01_basics.ipynb").write_bytes(b"still not json, but other bytes")
    capsys.readouterr()
    assert _grade(masters, submissions, out) == 0
    printed = capsys.readouterr().out
    assert "Graded again 1 student(s) whose submission changed: dave" in printed and "Graded 1 student(s)." in printed
    after = read_gradebook(out)
    assert after["dave"]["hash"] != before["dave"]["hash"] and after["carol"] == before["carol"]


def test_student_option_grades_just_those_again(course, capsys):
    masters, submissions, tmp = course
    out = tmp / "gradebook.csv"
    assert _grade(masters, submissions, out) == 0
    capsys.readouterr()
    assert _grade(masters, submissions, out, "--student", "zoe", "--student", "CAROL") == 0
    assert "Graded 2 student(s)." in capsys.readouterr().out
    assert _grade(masters, submissions, out, "--student", "nobody") == 2
    assert "no submission named nobody" in capsys.readouterr().err


def test_one_students_folder_says_how_to_grade_it(course, capsys):
    """Pointing grade at one student's folder (notebooks inside, no sub-folders) explains what to run instead."""
    masters, submissions, tmp = course
    (tmp / "ann").mkdir()
    (tmp / "ann" / "01_basics.ipynb").write_bytes((submissions / "carol" / "01_basics.ipynb").read_bytes())
    assert _grade(masters, tmp / "ann", tmp / "g.csv") == 2
    err = capsys.readouterr().err
    assert "looks like one student's submission" in err and "--student ann" in err
    assert not (tmp / "g.csv").exists()


def test_summary_after_one_student_is_regraded_describes_the_whole_class(course, capsys):
    """``--student`` grades one student; the statistics, statuses and who needs a look still cover all four."""
    masters, submissions, tmp = course
    out = tmp / "gradebook.csv"
    assert _grade(masters, submissions, out) == 0
    capsys.readouterr()
    assert _grade(masters, submissions, out, "--student", "carol") == 0
    printed = capsys.readouterr().out
    assert "Graded 1 student(s)." in printed
    assert "The class in the gradebook: 4 student(s), 1 graded in this run." in printed
    assert "status: invalid notebook 1, invalid submission 1, missing 1, ok 1" in printed
    table = {line.split()[0]: line.split()[1:] for line in printed.splitlines() if line.startswith("0")}
    assert table["01_basics"][-1] == "3"  # not ok: dave, mallory and zoe, none of them graded in this run
    look = printed.split("needs a look:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(":")[0].strip() for line in look.splitlines()] == ["carol", "dave", "mallory", "zoe"]
