"""Tests for mpcourse/grading/gradebook.py and ``python -m mpcourse gradebook merge``: merging cannot lose work."""

from __future__ import annotations

import os

import pytest

from mpcourse.cli import main
from mpcourse.grading import gradebook as gb
from mpcourse.grading.feedback import feedback_path
from mpcourse.grading.gradebook import (
    GradebookError,
    MergeConflict,
    atomic_write_text,
    merge_gradebooks,
    read_gradebook,
    write_gradebook,
)
from mpcourse.grading.results import format_points
from mpcourse.grading.store import ResultStore


def _row(total: str, status: str = "ok", **notebooks: str) -> dict[str, str]:
    return {**notebooks, "total": total, "max": "5", "status": status, "details": ""}


def test_write_then_read_round_trips_sorted(tmp_path):
    rows = {"bob": _row("2", **{"01": "2"}), "alice": _row("5", **{"01": "5"})}
    write_gradebook(tmp_path / "g.csv", rows, ["01"])
    assert (tmp_path / "g.csv").read_text().splitlines() == [
        "student,01,total,max,status,details",
        "alice,5,5,5,ok,",
        "bob,2,2,5,ok,",
    ]
    assert read_gradebook(tmp_path / "g.csv")["bob"]["total"] == "2"


def test_format_points():
    assert [format_points(p) for p in (2, 2.0, 2.5, 0)] == ["2", "2", "2.5", "0"]


def test_atomic_write_never_leaves_half_a_file(tmp_path, monkeypatch):
    """If writing fails half-way, is the old gradebook intact and no temporary file left?"""
    path = tmp_path / "g.csv"
    atomic_write_text(path, "old\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(gb.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(path, "new\n" * 1000)
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["g.csv"]


def test_atomic_write_keeps_the_file_mode(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("x")
    path.chmod(0o600)
    atomic_write_text(path, "y")
    assert path.stat().st_mode & 0o777 == 0o600 and path.read_text() == "y"


def test_a_file_that_is_not_a_gradebook(tmp_path):
    (tmp_path / "notes.csv").write_text("name,score\nalice,3\n")
    with pytest.raises(GradebookError, match="not a gradebook"):
        read_gradebook(tmp_path / "notes.csv")


def _merge(tmp_path, *args: str) -> int:
    return main(["gradebook", "merge", *args])


def test_merge_parts_with_different_notebook_columns(tmp_path, capsys):
    """Do shard parts join into one gradebook, a student found twice with the same row being no conflict?"""
    write_gradebook(tmp_path / "p1.csv", {"alice": _row("3", **{"01": "3"}), "carol": _row("2", **{"01": "2"})})
    write_gradebook(tmp_path / "p2.csv", {"bob": _row("4", **{"02": "4"}), "carol": _row("2", **{"01": "2"})})
    rows, sources, conflicts = merge_gradebooks([tmp_path / "p1.csv", tmp_path / "p2.csv"])
    assert conflicts == [] and rows["carol"]["total"] == "2" and sources["bob"] == tmp_path / "p2.csv"
    assert _merge(tmp_path, str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv"), "--out", str(tmp_path / "all.csv")) == 0
    assert "3 students from 2 parts" in capsys.readouterr().out
    assert (tmp_path / "all.csv").read_text().splitlines() == [
        "student,01,02,total,max,status,details",
        "alice,3,,3,5,ok,",
        "bob,,4,4,5,ok,",
        "carol,2,,2,5,ok,",
    ]


def _graded_row(total: str, graded: str) -> dict[str, str]:
    return {**_row(total, **{"01": total}), "graded": graded, "hash": f"h{total}"}


def test_merge_cannot_overwrite_one_of_its_parts_in_any_order(tmp_path):
    """``merge p1.csv p2.csv`` (output forgotten), or --out naming a part: refused, and no input changes."""
    write_gradebook(tmp_path / "p1.csv", {"alice": _row("3")})
    write_gradebook(tmp_path / "p2.csv", {"bob": _row("4")})
    before = {name: (tmp_path / name).read_bytes() for name in ("p1.csv", "p2.csv")}
    with pytest.raises(SystemExit):
        _merge(tmp_path, str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv"))
    for out, parts in (
        ("p1.csv", ("p1.csv", "p2.csv")),
        ("p2.csv", ("p1.csv", "p2.csv")),
        ("p1.csv", ("p2.csv", "p1.csv")),
    ):
        assert _merge(tmp_path, *(str(tmp_path / p) for p in parts), "--out", str(tmp_path / out)) == 2
    assert _merge(tmp_path, str(tmp_path / "p1.csv"), "--out", str(tmp_path / "." / "p1.csv")) == 2
    assert {name: (tmp_path / name).read_bytes() for name in ("p1.csv", "p2.csv")} == before


def test_merge_refuses_conflicting_rows_unless_told_which_wins(tmp_path, capsys):
    """Different rows for one student: refused by name; --prefer newest keeps the row graded last, in any order."""
    write_gradebook(tmp_path / "p1.csv", {"carol": _graded_row("4", "2026-12-02T10:00:00+00:00")})
    write_gradebook(tmp_path / "p2.csv", {"carol": _graded_row("1", "2026-12-01T10:00:00+00:00")})
    parts = [str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv")]
    assert _merge(tmp_path, *parts, "--out", str(tmp_path / "all.csv")) == 2
    assert "carol" in capsys.readouterr().err and not (tmp_path / "all.csv").exists()
    for order in (parts, parts[::-1]):
        assert _merge(tmp_path, *order, "--out", str(tmp_path / "all.csv"), "--prefer", "newest") == 0
        assert read_gradebook(tmp_path / "all.csv")["carol"]["total"] == "4"
    assert _merge(tmp_path, *parts[::-1], "--out", str(tmp_path / "all.csv"), "--prefer", "last") == 0
    assert read_gradebook(tmp_path / "all.csv")["carol"]["total"] == "4"
    with pytest.raises(MergeConflict):
        merge_gradebooks(parts)


def test_merge_brings_each_students_feedback_from_their_part(tmp_path):
    """Two machines, each with its feedback/: the merged folder holds every student's feedback and result."""
    for machine, name in (("m1", "alice"), ("m2", "bob")):
        write_gradebook(tmp_path / machine / "gradebook.csv", {name: _row("3")})
        feedback = feedback_path(tmp_path / machine / "feedback", name)
        ResultStore(tmp_path / machine / "feedback").path(name).parent.mkdir(parents=True)
        feedback.write_text(f"feedback of {name}")
        ResultStore(tmp_path / machine / "feedback").path(name).write_text("{}")
    parts = [str(tmp_path / machine / "gradebook.csv") for machine in ("m1", "m2")]
    assert _merge(tmp_path, *parts, "--out", str(tmp_path / "all" / "gradebook.csv")) == 0
    assert (tmp_path / "all" / "feedback" / "alice.md").read_text() == "feedback of alice"
    assert (tmp_path / "all" / "feedback" / "bob.md").read_text() == "feedback of bob"
    assert ResultStore(tmp_path / "all" / "feedback").path("bob").exists()


def test_merge_does_not_replace_a_file_that_is_not_a_gradebook(tmp_path):
    write_gradebook(tmp_path / "p1.csv", {"alice": _row("3")})
    (tmp_path / "notes.csv").write_text("my notes\n")
    assert _merge(tmp_path, str(tmp_path / "p1.csv"), "--out", str(tmp_path / "notes.csv")) == 2
    assert (tmp_path / "notes.csv").read_text() == "my notes\n"


def test_merge_of_a_missing_part_is_an_error(tmp_path, capsys):
    assert _merge(tmp_path, str(tmp_path / "nope.csv"), "--out", str(tmp_path / "all.csv")) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert not (tmp_path / "all.csv").exists()


def test_students_are_sorted_as_a_person_expects(tmp_path):
    """Case-insensitive, numbers by value: a person looks for Bob after alice and student10 after student9."""
    names = ["student10", "Bob", "alice", "student9", "Émile", "carol"]
    write_gradebook(tmp_path / "g.csv", {name: _row("0") for name in names})
    assert list(read_gradebook(tmp_path / "g.csv")) == ["alice", "Bob", "carol", "student9", "student10", "Émile"]


def test_formula_cells_are_stored_inert_and_read_back_as_they_were(tmp_path):
    """A student folder named ``=2+5`` must not become a live spreadsheet formula; the round trip keeps names."""
    names = ["=2+5", "+1", "-x", "@SUM(A1)", "'quoted", "plain"]
    write_gradebook(tmp_path / "g.csv", {name: _row("0") for name in names})
    lines = (tmp_path / "g.csv").read_text().splitlines()[1:]
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    assert "'=2+5,0,5,ok," in lines
    assert sorted(read_gradebook(tmp_path / "g.csv")) == sorted(names)
