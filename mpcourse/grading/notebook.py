"""Master notebooks: read and check the teacher's notebook, and find its answer and check cells.

A *master* is the teacher's executed notebook: answer cells hold working
solutions, check cells hold the expected output (see :mod:`.merge` for how a
learner's answers go into it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..course_format import FormatError, exercises
from ..student_copy import answer_stubs

__all__ = ["Answer", "Check", "Master", "MasterError", "load_master"]


class MasterError(ValueError):
    """A master notebook that cannot be graded against (a problem on the teacher's side)."""


@dataclass(frozen=True)
class Answer:
    """An answer cell of a master: where it is, and the stub the student copy shows instead."""

    cell_id: str
    index: int
    position: int
    stub: str


@dataclass(frozen=True)
class Check:
    """A check cell of a master, with the answer cells it grades."""

    cell_id: str
    index: int
    code_index: int
    name: str
    points: float
    hidden: bool
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Master:
    """A master notebook, read and validated once, shared by every grading of it."""

    path: Path
    notebook: nbformat.NotebookNode
    answers: tuple[Answer, ...]
    checks: tuple[Check, ...]

    @property
    def name(self) -> str:
        """The notebook's name without ``.ipynb``: its gradebook column."""
        return self.path.stem

    @property
    def max_points(self) -> float:
        """Points for a perfect notebook (hidden checks included)."""
        return sum(check.points for check in self.checks)


def load_master(path: str | Path, *, executed: bool = True) -> Master:
    """Read and validate a master notebook; raise :class:`MasterError` saying what to fix.

    With ``executed`` (needed to grade), every check cell must hold its stored
    output: nbval compares against it, and an unexecuted cell would pass anything.
    """
    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # nbformat raises many kinds; all mean "fix this master"
        raise MasterError(f"{path.name}: not a valid notebook ({type(exc).__name__}: {exc})") from None
    cells = notebook.cells
    if any(cell.get("id") is None for cell in cells):
        raise MasterError(f"{path.name}: cells have no ids; save it with Jupyter (nbformat 4.5 or later)")
    try:
        found = exercises(notebook)
        stubs = answer_stubs(notebook, found)
    except FormatError as exc:
        raise MasterError(f"{path.name}, {exc}") from None
    code_index = {index: number for number, index in enumerate(i for i, c in enumerate(cells) if c.cell_type == "code")}
    for exercise in found:
        cell = cells[exercise.index]
        if executed and (cell.execution_count is None or not cell.outputs):
            raise MasterError(f"{path.name}, check cell {cell.id}: no stored output; execute the master notebook first")
    checks = tuple(
        Check(e.check_id, e.index, code_index[e.index], e.title, e.points, e.hidden, e.answer_ids) for e in found
    )
    answers = tuple(
        Answer(cell_id=cells[index].id, index=index, position=position, stub=stub)
        for position, (index, stub) in enumerate(sorted(stubs.items()))
    )
    return Master(path=path, notebook=notebook, answers=answers, checks=checks)
