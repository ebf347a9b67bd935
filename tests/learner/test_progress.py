"""Progress (mpcourse/learner/progress.py, ``mpcourse progress``): what the learner's check cells recorded."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from grading_fixtures import write_masters
from nbformat.v4 import new_output

from mpcourse.cli import main
from mpcourse.learner.progress import NOT_RUN, NOT_YET, PASSED, read_progress
from mpcourse.learner.workspace import prepare


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    prepare(folder, write_masters(tmp_path / "course"))
    return folder


def _record(path: Path, cell_id: str, line: str) -> None:
    """What a check cell holds after the learner ran it and saved the notebook."""
    notebook = nbformat.read(path, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.id == cell_id)
    cell.outputs = [new_output("stream", name="stdout", text=line + "\n")]
    nbformat.write(notebook, path)


def test_progress_reads_pass_not_yet_and_not_run(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _record(workspace / "01_basics.ipynb", "check-one", "PASS: the answer is 42")
    _record(workspace / "01_basics.ipynb", "check-two", "NOT YET: double doubles. Hint: return the number times two")
    results = {r.cell_id: r for r in read_progress(workspace)}
    assert set(results) == {"check-one", "check-two", "check-pool"}  # the hidden check is not in the copy
    assert [results[i].state for i in ("check-one", "check-two", "check-pool")] == [PASSED, NOT_YET, NOT_RUN]
    assert results["check-two"].title == "double doubles"
    assert main(["progress", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "01_basics: 1 of 2 passed" in out and "02_processes: 0 of 1 passed" in out
    assert "In all: 1 of 3 exercises passed." in out


def test_progress_of_a_folder_that_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", str(tmp_path / "nothing")]) == 2
    assert "mpcourse start" in capsys.readouterr().err


def test_progress_of_a_fresh_copy_of_the_course(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["start", str(tmp_path / "mine"), "--no-lab"]) == 0
    results = read_progress(tmp_path / "mine")
    assert results and {r.state for r in results} == {NOT_RUN}
    assert all(r.name != r.cell_id for r in results), "every check of the course is an exercise with a name"
