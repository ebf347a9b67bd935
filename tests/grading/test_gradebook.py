"""Tests for mpcourse/grading/gradebook.py and ``python -m mpcourse gradebook merge``."""

from __future__ import annotations

import os

import pytest

from mpcourse.cli import main
from mpcourse.grading import gradebook as gb
from mpcourse.grading.gradebook import (
    GradebookError,
    atomic_write_text,
    merge_gradebooks,
    read_gradebook,
    write_gradebook,
)
from mpcourse.grading.results import format_points


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


def test_merge_parts_with_different_notebook_columns(tmp_path, capsys):
    """Do shard parts join into one gradebook, the last part winning for a student found twice?"""
    write_gradebook(tmp_path / "p1.csv", {"alice": _row("3", **{"01": "3"}), "carol": _row("1", **{"01": "1"})})
    write_gradebook(tmp_path / "p2.csv", {"bob": _row("4", **{"02": "4"}), "carol": _row("2", **{"01": "2"})})
    rows, twice = merge_gradebooks([tmp_path / "p1.csv", tmp_path / "p2.csv"])
    assert twice == ["carol"] and rows["carol"]["total"] == "2"
    assert (
        main(["gradebook", "merge", str(tmp_path / "all.csv"), str(tmp_path / "p1.csv"), str(tmp_path / "p2.csv")]) == 0
    )
    out, err = capsys.readouterr()
    assert "3 students from 2 parts" in out and "carol" in err
    assert (tmp_path / "all.csv").read_text().splitlines() == [
        "student,01,02,total,max,status,details",
        "alice,3,,3,5,ok,",
        "bob,,4,4,5,ok,",
        "carol,2,,2,5,ok,",
    ]


def test_merge_of_a_missing_part_is_an_error(tmp_path, capsys):
    assert main(["gradebook", "merge", str(tmp_path / "all.csv"), str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    assert not (tmp_path / "all.csv").exists()


def test_formula_cells_are_stored_inert_and_read_back_as_they_were(tmp_path):
    """A student folder named ``=2+5`` must not become a live spreadsheet formula; the round trip keeps names."""
    names = ["=2+5", "+1", "-x", "@SUM(A1)", "'quoted", "plain"]
    write_gradebook(tmp_path / "g.csv", {name: _row("0") for name in names})
    lines = (tmp_path / "g.csv").read_text().splitlines()[1:]
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    assert "'=2+5,0,5,ok," in lines
    assert sorted(read_gradebook(tmp_path / "g.csv")) == sorted(names)
