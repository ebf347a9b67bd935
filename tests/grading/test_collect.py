"""Tests for mpcourse/grading/collect.py: nbgrader's exchange and LMS downloads into a folder of folders."""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone

import pytest

from mpcourse.grading.collect import TIMES_FILE, CollectError, attach_times, collect_lms, collect_nbgrader
from mpcourse.grading.submissions import survey


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, (when, data) in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def test_nbgrader_submitted_layout_gives_one_folder_per_student_with_its_time(tmp_path):
    """Is ``submitted/<student>/<assignment>/`` read, other assignments ignored, timestamp.txt kept?"""
    for student in ("alice", "bob"):
        work = tmp_path / "submitted" / student / "ps1"
        work.mkdir(parents=True)
        (work / "01_basics.ipynb").write_text(f"{student}'s work")
        (work / "timestamp.txt").write_text("2026-12-01 22:10:03.123456 UTC")
    (tmp_path / "submitted" / "carol" / "ps2").mkdir(parents=True)
    folders = collect_nbgrader(tmp_path / "submitted", "ps1", tmp_path / "out")
    assert [folder.name for folder in folders] == ["alice", "bob"]
    assert (tmp_path / "out" / "bob" / "01_basics.ipynb").read_text() == "bob's work"
    found, unread = attach_times(tmp_path / "out", *survey(tmp_path / "out"))
    assert [s.name for s in found] == ["alice", "bob"] and unread == []
    expected = datetime(2026, 12, 1, 22, 10, 3, 123456, tzinfo=timezone.utc).timestamp()
    assert found[0].submitted == pytest.approx(expected, abs=1e-3)


def test_nbgrader_without_the_assignment_is_an_error(tmp_path):
    (tmp_path / "submitted" / "alice" / "ps2").mkdir(parents=True)
    with pytest.raises(CollectError, match=r"no student .* has a folder ps1/"):
        collect_nbgrader(tmp_path / "submitted", "ps1", tmp_path / "out")


def test_lms_archive_student_from_file_names_latest_attempt_wins(tmp_path):
    """Canvas and Moodle names give the student; of several attempts at one file, the latest is kept."""
    archive = _zip(
        tmp_path / "download.zip",
        {
            "smithjane_101_9001_01_basics.ipynb": ((2026, 12, 1, 10, 0, 0), b"first"),
            "smithjane_LATE_101_9002_01_basics-1.ipynb": ((2026, 12, 2, 10, 0, 0), b"second"),
            "smithjane_101_9003_notes.txt": ((2026, 12, 2, 11, 0, 0), b"not a notebook"),
            "Jo Brown_2002_assignsubmission_file_/01_basics.ipynb": ((2026, 12, 1, 9, 0, 0), b"jo"),
            "Ann Lee_2003_assignsubmission_file_01_basics.ipynb": ((2026, 12, 1, 8, 0, 0), b"ann"),
            "Ann Lee_2003_assignsubmission_onlinetext_onlinetext.html": ((2026, 12, 1, 8, 0, 0), b"<p>"),
            "readme.txt": ((2026, 12, 1, 8, 0, 0), b"?"),
        },
    )
    folders = collect_lms(archive, tmp_path / "out")
    assert sorted(folder.name for folder in folders) == ["Ann Lee", "Jo Brown", "smithjane"]
    assert (tmp_path / "out" / "smithjane" / "01_basics.ipynb").read_bytes() == b"second"
    assert sorted(p.name for p in (tmp_path / "out" / "smithjane").iterdir()) == ["01_basics.ipynb"]
    assert "smithjane" in (tmp_path / "out" / TIMES_FILE).read_text()


def test_lms_archive_member_names_cannot_leave_the_student_folder(tmp_path):
    """A member named to climb out is refused as a whole, like a submission zip."""
    archive = _zip(tmp_path / "evil.zip", {"x_1_2_../../evil.ipynb": ((2026, 12, 1, 0, 0, 0), b"{}")})
    with pytest.raises(CollectError, match="points outside the folder"):
        collect_lms(archive, tmp_path / "out")
    assert not (tmp_path / "evil.ipynb").exists()


def test_lms_student_names_cannot_be_paths_or_hidden(tmp_path):
    """A "student" part that is a folder path, a hidden name or dots is not collected; the others are."""
    when = (2026, 12, 1, 0, 0, 0)
    archive = _zip(
        tmp_path / "odd.zip",
        {
            "..hidden_1_2_01.ipynb": (when, b"{}"),
            "a/b_1_assignsubmission_file_01.ipynb": (when, b"{}"),
            "ann_1_2_01.ipynb": (when, b"ann"),
        },
    )
    assert [folder.name for folder in collect_lms(archive, tmp_path / "out")] == ["ann"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [TIMES_FILE, "ann"]
