"""Master notebooks: read and check the teacher's notebook, and find its answer and check cells.

A *master* is the teacher's executed notebook: answer cells hold working
solutions, check cells hold the expected output (see :mod:`.merge` for how a
learner's answers go into it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from .stubs import generated_stub, remove_solution, source_text

__all__ = [
    "ANSWER",
    "CHECK",
    "HIDDEN",
    "Answer",
    "Check",
    "Master",
    "MasterError",
    "cell_tags",
    "load_master",
]

ANSWER, CHECK, HIDDEN = "answer", "check", "hidden"


class MasterError(ValueError):
    """A master notebook that cannot be graded against (a problem on the teacher's side)."""


def cell_tags(cell: Any) -> list[str]:
    """The cell's ``metadata.tags`` (an empty list when absent or malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _points(cell: Any, where: str) -> float:
    """A check cell's points: ``metadata.mpcourse.points``, default 1."""
    options = cell.metadata.get("mpcourse", {})
    points = options.get("points", 1) if isinstance(options, dict) else 1
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points):
        raise MasterError(f"{where}: points must be a number, not {points!r}")
    if points < 0:
        raise MasterError(f"{where}: points must not be negative ({points})")
    return points


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _check_name(cell: Any) -> str:
    """What a check is called: its master output line without ``PASS:``, else its source."""
    for output in cell.outputs:
        if output.get("output_type") == "stream":
            line = _first_line(source_text(output.get("text", "")))
            if line:
                return line.removeprefix("PASS:").strip() or line
    return _first_line(source_text(cell.source))


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


def _stub(cell: Any, check_sources: list[str], given_sources: list[str], where: str) -> str:
    """The stub of one answer cell: the author's own, the scaffold around the markers, or a generated one."""
    options = cell.metadata.get("mpcourse", {})
    custom = options.get("stub") if isinstance(options, dict) else None
    if isinstance(custom, (str, list)):
        return source_text(custom)
    source = source_text(cell.source)
    try:
        scaffold = remove_solution(source)
    except ValueError as exc:
        raise MasterError(f"{where}: {exc}") from None
    if scaffold != source.rstrip("\n"):
        return scaffold
    return generated_stub(source, check_sources, given_sources)


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
    ids = [cell.get("id") for cell in cells]
    if None in ids:
        raise MasterError(f"{path.name}: cells have no ids; save it with Jupyter (nbformat 4.5 or later)")
    code_index, code_number = {}, 0
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            code_index[index] = code_number
            code_number += 1

    for cell in cells:
        if {ANSWER, CHECK} <= set(cell_tags(cell)):
            raise MasterError(f"{path.name}, cell {cell.id}: a cell cannot be both answer and check")
    answer_cells = [i for i, c in enumerate(cells) if c.cell_type == "code" and ANSWER in cell_tags(c)]
    groups: dict[int, tuple[str, ...]] = {}
    pending: list[str] = []
    group: tuple[str, ...] = ()
    for index, cell in enumerate(cells):
        tags = cell_tags(cell)
        if index in answer_cells:
            pending.append(cell.id)
        elif CHECK in tags:
            where = f"{path.name}, check cell {cell.id}"
            if cell.cell_type != "code":
                raise MasterError(f"{where}: a check cell must be a code cell")
            if executed and (cell.execution_count is None or not cell.outputs):
                raise MasterError(f"{where}: no stored output; execute the master notebook first")
            if pending:
                group, pending = tuple(pending), []
            groups[index] = group

    checks = tuple(
        Check(
            cell_id=cells[i].id,
            index=i,
            code_index=code_index[i],
            name=_check_name(cells[i]),
            points=_points(cells[i], f"{path.name}, check cell {cells[i].id}"),
            hidden=HIDDEN in cell_tags(cells[i]),
            answers=answers,
        )
        for i, answers in groups.items()
    )
    given = [
        source_text(c.source)
        for i, c in enumerate(cells)
        if c.cell_type == "code" and i not in answer_cells and i not in groups
    ]
    answers = tuple(
        Answer(
            cell_id=cells[i].id,
            index=i,
            position=position,
            stub=_stub(
                cells[i],
                [source_text(cells[c.index].source) for c in checks if cells[i].id in c.answers and not c.hidden],
                given,
                f"{path.name}, answer cell {cells[i].id}",
            ),
        )
        for position, i in enumerate(answer_cells)
    )
    return Master(path=path, notebook=notebook, answers=answers, checks=checks)
