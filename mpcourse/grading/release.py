"""``mpcourse release``: write the student copies of the master notebooks."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path

import nbformat

from .notebook import ANSWER, HIDDEN, Master, cell_tags

__all__ = ["MARKDOWN_STUB", "release", "student_copy"]

#: What a markdown cell tagged ``answer`` (a written answer) shows in the student copy.
MARKDOWN_STUB = "*Write your answer here.*"


def _lock(cell: nbformat.NotebookNode, editable: bool) -> None:
    cell.metadata["editable"] = editable
    cell.metadata["deletable"] = False


def student_copy(master: Master) -> nbformat.NotebookNode:
    """The notebook a learner gets: stubs for answers, locked checks, no hidden cells, no solutions.

    Answer and check cells lose their outputs (they would show the solution's
    results); every other cell keeps its outputs, so the text reads as executed.
    """
    notebook = copy.deepcopy(master.notebook)
    stubs = {answer.index: answer.stub for answer in master.answers}
    checks = {check.index for check in master.checks}
    cells = []
    for index, cell in enumerate(notebook.cells):
        tags = cell_tags(cell)
        if HIDDEN in tags:
            continue
        if index in stubs:
            cell.source = stubs[index]
            _lock(cell, editable=True)
        elif ANSWER in tags:
            cell.source = MARKDOWN_STUB if cell.cell_type == "markdown" else ""
            _lock(cell, editable=True)
        elif index in checks:
            _lock(cell, editable=False)
        else:
            cells.append(cell)
            continue
        cell.pop("attachments", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    notebook.cells = cells
    nbformat.validate(notebook)
    return notebook


def release(masters: Iterable[Master], out_dir: str | Path, *, solutions: bool = True) -> list[Path]:
    """Write one student copy per master into ``out_dir``; return the paths written.

    Refuses to write into the masters' own folder, which would overwrite them.
    Without ``solutions`` each copy's metadata says so (``"mpcourse": {"solutions": false}``),
    and ``%solution`` then gives no reference answer in it (for graded work).
    """
    out_dir = Path(out_dir)
    masters = list(masters)
    for master in masters:
        if out_dir.resolve() == master.path.parent.resolve():
            raise ValueError(f"{out_dir} is the masters' folder: releasing there would overwrite them")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for master in masters:
        target = out_dir / master.path.name
        notebook = student_copy(master)
        if not solutions:
            notebook.metadata.setdefault("mpcourse", {})["solutions"] = False
        nbformat.write(notebook, target)
        written.append(target)
    return written
