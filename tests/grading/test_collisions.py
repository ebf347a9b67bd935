"""Tests for mpcourse/grading/collisions.py: names that would share a file on macOS or Windows never lose work.

``Alice/`` and ``alice/`` (or ``josé`` in NFC and NFD) are two folders on Linux but one
file name on a case- or normalisation-insensitive file system: grade, merge and
collect refuse them, say how to fix it, and handle every other student as usual.
"""

from __future__ import annotations

import shutil
import unicodedata
import zipfile

import pytest
from grading_fixtures import make_quick_class, require_bwrap, write_masters

from mpcourse.cli import main
from mpcourse.grading.collect import CollectError, collect_lms
from mpcourse.grading.collisions import clashes, file_key, refused
from mpcourse.grading.gradebook import read_gradebook

NFC = unicodedata.normalize("NFC", "josé")
NFD = unicodedata.normalize("NFD", "josé")


def test_case_and_unicode_normalisation_give_the_same_file_key():
    assert NFC != NFD
    assert file_key("Alice") == file_key("alice") == file_key("ALICE")
    assert file_key(NFC) == file_key(NFD) == file_key("JOSÉ")
    assert file_key("Straße") == file_key("STRASSE")
    assert file_key("alice") != file_key("alice2")


def test_only_names_that_clash_are_reported_with_the_names_they_clash_with():
    assert clashes(["Alice", "alice", "bob", NFC, NFD]) == {
        "Alice": ["alice"],
        "alice": ["Alice"],
        NFC: [NFD],
        NFD: [NFC],
    }
    assert clashes(["alice", "alice", "bob"]) == {}  # the same name twice is one student


def test_a_new_name_that_clashes_with_a_graded_student_is_refused_the_graded_one_keeps_their_files():
    found = refused(["Alice", "alice", "bob"], known=["alice", "bob"])
    assert list(found) == ["Alice"] and "'alice'" in found["Alice"] and "rename" in found["Alice"]


def test_two_new_names_that_clash_are_both_refused():
    assert sorted(refused(["Alice", "alice", "bob"])) == ["Alice", "alice"]


@pytest.fixture
def course(tmp_path):
    require_bwrap()
    masters = write_masters(tmp_path / "masters")
    return masters, make_quick_class(masters, tmp_path / "submissions"), tmp_path


def _grade(masters, submissions, out):
    return main(["grade", str(submissions), "--master", str(masters), "--out", str(out), "--no-progress"])


def test_grading_refuses_folders_that_differ_only_in_case_and_grades_the_others(course, capsys):
    masters, submissions, tmp = course
    shutil.copytree(submissions / "carol", submissions / "Carol")
    assert _grade(masters, submissions, tmp / "gradebook.csv") == 0
    printed = capsys.readouterr().out
    assert "Carol: its name differs from 'carol' only in case or accents" in printed
    assert "carol: its name differs from 'Carol'" in printed and "rename one of the folders" in printed
    assert sorted(read_gradebook(tmp / "gradebook.csv")) == ["dave", "mallory", "zoe"]
    assert sorted(path.name for path in (tmp / "feedback").glob("*.md")) == ["dave.md", "mallory.md", "zoe.md"]


def test_grading_refuses_a_name_in_nfd_beside_the_same_name_in_nfc(course, capsys):
    masters, submissions, tmp = course
    shutil.copytree(submissions / "carol", submissions / NFC)
    shutil.copytree(submissions / "carol", submissions / NFD)
    assert _grade(masters, submissions, tmp / "gradebook.csv") == 0
    assert "only in case or accents" in capsys.readouterr().out
    assert NFC not in read_gradebook(tmp / "gradebook.csv") and NFD not in read_gradebook(tmp / "gradebook.csv")


def test_a_student_graded_before_keeps_their_feedback_when_a_clashing_folder_appears(course, capsys):
    masters, submissions, tmp = course
    out = tmp / "gradebook.csv"
    assert _grade(masters, submissions, out) == 0
    before = (tmp / "feedback" / "carol.md").read_bytes(), read_gradebook(out)["carol"]
    shutil.copytree(submissions / "zoe", submissions / "CAROL")
    capsys.readouterr()
    assert _grade(masters, submissions, out) == 0
    assert "CAROL: its name differs from 'carol'" in capsys.readouterr().out
    assert ((tmp / "feedback" / "carol.md").read_bytes(), read_gradebook(out)["carol"]) == before
    assert "CAROL" not in read_gradebook(out)


def test_merging_parts_with_clashing_names_is_refused_and_writes_nothing(tmp_path, capsys):
    header = "student,01,total,max,status,details\n"
    (tmp_path / "p1.csv").write_text(header + "Alice,1,1,5,ok,\nbob,2,2,5,ok,\n")
    (tmp_path / "p2.csv").write_text(header + "alice,3,3,5,ok,\n")
    code = main(
        ["gradebook", "merge", str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv"), "--out", str(tmp_path / "m.csv")]
    )
    assert code == 2
    assert "differ only in case or accents: Alice, alice" in capsys.readouterr().err
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "feedback").exists()


def test_collecting_two_students_whose_names_clash_writes_the_others_and_names_them(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, data in {
            "Alice_101_9001_01_basics.ipynb": b"Alice's",
            "alice_102_9002_01_basics.ipynb": b"alice's",
            "bob_103_9003_01_basics.ipynb": b"bob's",
        }.items():
            bundle.writestr(name, data)
    with pytest.raises(
        CollectError, match=r"collected 1 students .* but not Alice \(like alice\); alice \(like Alice\)"
    ):
        collect_lms(archive, tmp_path / "out")
    assert sorted(path.name for path in (tmp_path / "out").iterdir() if path.is_dir()) == ["bob"]


def test_collecting_a_name_that_clashes_with_a_folder_already_collected_leaves_that_folder_alone(tmp_path):
    (tmp_path / "out" / "Alice").mkdir(parents=True)
    (tmp_path / "out" / "Alice" / "01_basics.ipynb").write_bytes(b"Alice's")
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("alice_102_9002_01_basics.ipynb", b"alice's")
    with pytest.raises(CollectError, match="not alice"):
        collect_lms(archive, tmp_path / "out")
    assert (tmp_path / "out" / "Alice" / "01_basics.ipynb").read_bytes() == b"Alice's"
