"""Tests for mpcourse/grading/release.py and ``python -m mpcourse release``."""

from __future__ import annotations

import nbformat
import pytest
from grading_fixtures import SOLUTIONS, write_masters

from mpcourse.cli import main
from mpcourse.course_format import cell_tags
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import release, student_copy


@pytest.fixture
def released(tmp_path, capsys):
    masters = write_masters(tmp_path / "masters")
    assert main(["release", str(tmp_path / "student"), "--master", str(masters)]) == 0
    assert capsys.readouterr().out.count("wrote") == 2
    return masters, tmp_path / "student"


def test_release_writes_one_copy_per_master(released):
    _, student = released
    assert sorted(p.name for p in student.iterdir()) == ["01_basics.ipynb", "02_processes.ipynb"]


def test_no_solution_text_anywhere_in_the_student_copies(released):
    """Is any line of any solution, or a hidden check, left in a released file?"""
    _, student = released
    text = "\n".join(path.read_text(encoding="utf-8") for path in student.glob("*.ipynb"))
    for solution in SOLUTIONS.values():
        for line in solution.splitlines():
            assert line.strip() not in text
    assert "solution-marker" not in text
    assert "check_double_negative(double)" not in text  # the hidden check's cell
    assert "PASS: double keeps the sign" not in text  # ... and its expected output


def test_check_cells_are_locked_and_answer_cells_are_stubs(released):
    """Do check cells become uneditable and undeletable, with their outputs cleared?"""
    masters, student = released
    copy = nbformat.read(student / "01_basics.ipynb", as_version=4)
    master = load_master(masters / "01_basics.ipynb")
    cells = {cell.id: cell for cell in copy.cells}
    for check_id in ("check-one", "check-two"):
        check = cells[check_id]
        assert check.metadata["editable"] is False and check.metadata["deletable"] is False
        assert check.outputs == [] and check.execution_count is None
    for answer in master.answers:
        cell = cells[answer.cell_id]
        assert cell.source == answer.stub
        assert cell.metadata["editable"] is True and cell.metadata["deletable"] is False
        assert cell.outputs == []
    assert "check-hidden" not in cells
    nbformat.validate(copy)


def test_other_cells_keep_their_outputs(released):
    _, student = released
    copy = nbformat.read(student / "02_processes.ipynb", as_version=4)
    demo = next(cell for cell in copy.cells if cell.get("id") == "demo")
    assert demo.outputs[0]["text"] == "demo output\n"
    assert "editable" not in demo.metadata


def test_written_answers_and_hidden_cells_are_left_out(tmp_path):
    """A markdown answer gets a stub; a hidden cell of any kind is dropped."""
    masters = write_masters(tmp_path / "masters")
    notebook = nbformat.read(masters / "01_basics.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("Because of the GIL.", metadata={"tags": ["answer"]}))
    notebook.cells.append(nbformat.v4.new_markdown_cell("Teacher's note", metadata={"tags": ["hidden"]}))
    nbformat.write(notebook, masters / "01_basics.ipynb")
    copy = student_copy(load_master(masters / "01_basics.ipynb"))
    text = nbformat.writes(copy)
    assert "Because of the GIL" not in text and "Teacher's note" not in text
    assert [cell.source for cell in copy.cells if "answer" in cell_tags(cell)][-1] == "*Write your answer here.*"


def test_release_refuses_to_overwrite_the_masters(tmp_path, capsys):
    masters = write_masters(tmp_path / "masters")
    before = (masters / "01_basics.ipynb").read_bytes()
    with pytest.raises(ValueError, match="overwrite"):
        release([load_master(masters / "01_basics.ipynb")], masters)
    assert main(["release", str(masters), "--master", str(masters)]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert (masters / "01_basics.ipynb").read_bytes() == before


def test_release_without_masters_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["release", str(tmp_path / "out"), "--master", str(tmp_path / "empty")]) == 2
    assert "no .ipynb" in capsys.readouterr().err
