"""The course's own notebooks through the grader: release, paste the solutions back, grade.

Skipped when ``notebooks/`` holds no notebook yet.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import nbformat
import pytest
from grading_fixtures import require_bwrap

from mpcourse.cli import main
from mpcourse.cli.common import default_master_dir
from mpcourse.grading.gradebook import read_gradebook
from mpcourse.grading.notebook import load_master

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MASTERS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _all_text(notebook: dict) -> str:
    """Every source and output text of a notebook, as one string."""
    parts = []
    for cell in notebook["cells"]:
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append(json.dumps(output))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.skipif(not MASTERS, reason="no notebooks in notebooks/ yet")
def test_release_then_solutions_get_full_marks_and_untouched_copies_zero(tmp_path):
    """The real course: no solution in the student copies; solved copies get every point, untouched ones 0."""
    require_bwrap()
    assert default_master_dir() == NOTEBOOKS
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["release", str(tmp_path / "student")]) == 0
    masters = {path.name: load_master(path) for path in MASTERS}
    (tmp_path / "subs" / "solved").mkdir(parents=True)
    (tmp_path / "subs" / "untouched").mkdir()
    for name, master in masters.items():
        released = (tmp_path / "student" / name).read_text(encoding="utf-8")
        student_text = _all_text(json.loads(released))
        given = _all_text({"cells": [c for c in master.notebook.cells if "answer" not in c.metadata.get("tags", [])]})
        solutions = {a.cell_id: master.notebook.cells[a.index].source for a in master.answers}
        for cell_id, solution in solutions.items():
            assert solution.strip() not in student_text, f"{name}: solution of {cell_id} released"
            for line in solution.splitlines():
                if len(line.strip()) >= 20 and line.strip() not in given:
                    assert line.strip() not in student_text, f"{name}: solution line released: {line!r}"
        (tmp_path / "subs" / "untouched" / name).write_text(released, encoding="utf-8")
        copy = nbformat.reads(released, as_version=4)
        for cell in copy.cells:
            if cell.get("id") in solutions:
                cell.source = solutions[cell.id]
        nbformat.write(copy, tmp_path / "subs" / "solved" / name)

    out = tmp_path / "gradebook.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["grade", str(tmp_path / "subs"), "--out", str(out), "--jobs", "2", "--no-progress"])
    assert code == 0
    rows = read_gradebook(out)
    graded = [m for m in masters.values() if m.checks]
    assert rows["solved"]["status"] == "ok", (tmp_path / "feedback" / "solved.md").read_text()
    assert rows["solved"]["total"] == rows["solved"]["max"], (tmp_path / "feedback" / "solved.md").read_text()
    assert rows["untouched"]["status"] == "ok" and rows["untouched"]["total"] == "0"
    feedback = (tmp_path / "feedback" / "untouched.md").read_text(encoding="utf-8")
    assert feedback.count("not attempted") == sum(len(m.checks) for m in graded)
