"""Tests for mpcourse/grading/submissions.py: folders, zips (traversal, bombs, links) and shards."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from mpcourse.grading import submissions as subs
from mpcourse.grading.submissions import Submission, TooLarge, discover, near_key, shard, survey, zip_problem


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_discover_finds_folders_and_zips_sorted(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "alice").mkdir()
    _zip(tmp_path / "carol.zip", {"a.ipynb": b"{}"})
    _zip(tmp_path / "bob.zip", {"a.ipynb": b"{}"})  # the folder wins
    (tmp_path / "loose.ipynb").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    found = discover(tmp_path)
    assert [(s.name, s.path.name) for s in found] == [("alice", "alice"), ("bob", "bob"), ("carol", "carol.zip")]
    assert all(s.problem is None for s in found)


def test_notebook_found_at_any_depth_shallowest_first_never_in_checkpoints(tmp_path):
    root = tmp_path / "alice"
    (root / "deep" / "deeper").mkdir(parents=True)
    (root / ".ipynb_checkpoints").mkdir()
    (root / "deep" / "deeper" / "01.ipynb").write_bytes(b"deeper")
    (root / "deep" / "01.ipynb").write_bytes(b"deep")
    (root / ".ipynb_checkpoints" / "01.ipynb").write_bytes(b"checkpoint")
    assert Submission("alice", root).read("01.ipynb") == b"deep"
    assert Submission("alice", root).read("02.ipynb") is None


def test_notebook_in_zip(tmp_path):
    archive = _zip(tmp_path / "bob.zip", {"bob/01.ipynb": b"one", "__MACOSX/bob/01.ipynb": b"junk"})
    assert zip_problem(archive) is None
    assert Submission("bob", archive).read("01.ipynb") == b"one"
    assert Submission("bob", archive).read("02.ipynb") is None


@pytest.mark.parametrize("name", ["../x.ipynb", "a/../../x.ipynb", "/etc/x.ipynb", "C:/x.ipynb", "..\\x.ipynb"])
def test_zip_with_path_traversal_is_rejected(tmp_path, name):
    """Is a member that would land outside the folder refused (and nothing written)?"""
    archive = _zip(tmp_path / "mallory.zip", {name: b"{}", "ok.ipynb": b"{}"})
    assert "points outside the folder" in zip_problem(archive)
    assert {p.name for p in tmp_path.iterdir()} == {"mallory.zip"}


def test_zip_with_symlink_is_rejected(tmp_path):
    info = zipfile.ZipInfo("link.ipynb")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "eve.zip", "w") as archive:
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in zip_problem(tmp_path / "eve.zip")


def test_zip_bomb_is_rejected_without_inflating_it(tmp_path, monkeypatch):
    monkeypatch.setattr(subs, "MAX_ZIP_BYTES", 2**20)
    with zipfile.ZipFile(tmp_path / "oscar.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01.ipynb", bytes(4 * 2**20))
    assert (tmp_path / "oscar.zip").stat().st_size < 2**16
    assert "zip bomb" in zip_problem(tmp_path / "oscar.zip")


def test_zip_that_lies_about_its_size_cannot_be_read_past_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(subs, "MAX_NOTEBOOK_BYTES", 1000)
    archive = _zip(tmp_path / "x.zip", {"01.ipynb": bytes(5000)})
    with pytest.raises(TooLarge):
        Submission("x", archive).read("01.ipynb")


def test_not_a_zip_and_too_many_members(tmp_path, monkeypatch):
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert "not a readable zip" in zip_problem(tmp_path / "junk.zip")
    monkeypatch.setattr(subs, "MAX_MEMBERS", 3)
    archive = _zip(tmp_path / "many.zip", {f"{i}.txt": b"" for i in range(4)})
    assert "more than 3 members" in zip_problem(archive)
    assert discover(tmp_path)[0].problem is not None


def test_symlinked_notebook_is_not_followed(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "01.ipynb").write_text("bob's work")
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "01.ipynb").symlink_to(tmp_path / "bob" / "01.ipynb")
    with pytest.raises(OSError, match="symbolic link"):
        Submission("eve", tmp_path / "eve").read("01.ipynb")


def test_oversized_notebook_in_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(subs, "MAX_NOTEBOOK_BYTES", 10)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "01.ipynb").write_bytes(bytes(11))
    with pytest.raises(TooLarge):
        Submission("a", tmp_path / "a").read("01.ipynb")


def test_shards_partition_sorted_students():
    students = [Submission(name, None) for name in "edcba"]
    parts = [[s.name for s in shard(students, k, 2)] for k in (1, 2)]
    assert parts == [["a", "c", "e"], ["b", "d"]]
    with pytest.raises(ValueError):
        shard(students, 3, 2)


def test_survey_lists_every_entry_it_does_not_grade(tmp_path):
    """Hidden entries, loose files, links, FIFOs and a zip beside its folder: not graded, each with a reason."""
    (tmp_path / "alice").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "link").symlink_to(tmp_path / "alice")
    os.mkfifo(tmp_path / "fifo.zip")
    _zip(tmp_path / "alice.zip", {"a.ipynb": b"{}"})
    found, unread = survey(tmp_path)
    assert [s.name for s in found] == ["alice"]
    reasons = dict(unread)
    assert sorted(reasons) == [".hidden", "alice.zip", "fifo.zip", "link", "notes.txt"]
    assert "hidden" in reasons[".hidden"] and "symbolic link" in reasons["link"]
    assert "FIFO" in reasons["fifo.zip"] and "not a folder or a .zip" in reasons["notes.txt"]
    assert "alice/ is graded instead" in reasons["alice.zip"]


def test_a_fifo_named_like_a_notebook_is_refused_at_once(tmp_path):
    """Opening a FIFO for reading would wait for a writer forever; the grader refuses it instead."""
    (tmp_path / "fiona").mkdir()
    os.mkfifo(tmp_path / "fiona" / "a.ipynb")
    with pytest.raises(OSError, match="not a regular file"):
        Submission("fiona", tmp_path / "fiona").read("a.ipynb")


@pytest.mark.parametrize(
    "name",
    [
        "05_creating_a_pool (1).ipynb",  # a browser's second download
        "05_Creating_A_Pool.ipynb",
        "Copy of 05_creating_a_pool.ipynb",  # a drive's copy
        "05_creating_a_pool-Copy1.ipynb",  # JupyterLab's Duplicate
        "05_creating_a_pool copy 2.ipynb",  # a file manager's copy
        "05 creating a pool.ipynb",
    ],
)
def test_a_copys_name_is_near_the_notebooks(name):
    assert near_key(name) == near_key("05_creating_a_pool.ipynb") == "05_creating_a_pool"


@pytest.mark.parametrize("name", ["06_processes.ipynb", "05_creating_a_pool.py", "x" * 300 + ".ipynb"])
def test_other_files_are_not_near(name):
    assert near_key(name) != "05_creating_a_pool"


def test_near_named_notebooks_are_listed_in_folders_and_zips(tmp_path):
    members = {"ann/05_a (1).ipynb": b"{}", "ann/Copy of 05_A.ipynb": b"{}", "ann/05_a.ipynb": b"{}",
               "ann/06_b.ipynb": b"{}", "ann/.ipynb_checkpoints/05_a-copy.ipynb": b"{}"}  # fmt: skip
    archive = _zip(tmp_path / "ann.zip", members)
    for name, data in members.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    for submission in (Submission("ann", archive), Submission("ann", tmp_path / "ann")):
        assert submission.near_named("05_a.ipynb") == ["05_a (1).ipynb", "Copy of 05_A.ipynb"]
        assert submission.read("05_a (1).ipynb") == b"{}"
