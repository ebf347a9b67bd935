"""Notebooks for grading: read a master and a submission, and merge the submission's answers into the master.

A *master* is the teacher's executed notebook: answer cells hold working
solutions, check cells hold the expected output.  A *submission* is a learner's
copy; only its ``answer`` cells are used, so editing or deleting anything else
changes nothing.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from .stubs import generated_stub, is_attempted, remove_solution, source_text

__all__ = [
    "ANSWER",
    "CHECK",
    "HIDDEN",
    "Answer",
    "Check",
    "InvalidNotebook",
    "Master",
    "MasterError",
    "Merged",
    "SubmittedCell",
    "cell_tags",
    "load_master",
    "merge",
    "read_submission",
]

ANSWER, CHECK, HIDDEN = "answer", "check", "hidden"


class InvalidNotebook(ValueError):
    """A submitted file this grader cannot read as a notebook."""


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
    """A master notebook, read and checked once, shared by every grading of it."""

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
    """Read and check a master notebook; raise :class:`MasterError` saying what to fix.

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


@dataclass(frozen=True)
class SubmittedCell:
    """What grading reads from a submitted code cell."""

    cell_id: str | None
    tags: tuple[str, ...]
    source: str


def read_submission(data: bytes) -> list[SubmittedCell]:
    """The code cells of a submitted notebook; :class:`InvalidNotebook` says why a file is not one.

    Only the structure grading needs is checked (JSON, nbformat 4, cells with a
    type and a source), so a notebook saved by any Jupyter version is accepted.
    """
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidNotebook("not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidNotebook(f"not a notebook: invalid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InvalidNotebook("not a notebook: JSON nested too deeply") from None
    if not isinstance(raw, dict) or ("cells" not in raw and "worksheets" not in raw):
        raise InvalidNotebook("not a notebook: the JSON has no cells")
    major = raw.get("nbformat")
    if isinstance(major, bool) or major != 4:
        raise InvalidNotebook(f"wrong nbformat {major!r}: expected 4 (save it again with Jupyter)")
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise InvalidNotebook("not a notebook: 'cells' is not a list")
    submitted = []
    for number, cell in enumerate(cells):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise InvalidNotebook(f"cell {number} is not a notebook cell")
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise InvalidNotebook(f"cell {number}: source is not text")
        if cell["cell_type"] == "code":
            cell_id = cell.get("id")
            submitted.append(
                SubmittedCell(
                    cell_id=cell_id if isinstance(cell_id, str) else None,
                    tags=tuple(cell_tags(cell)),
                    source=source_text(source),
                )
            )
    return submitted


@dataclass(frozen=True)
class Merged:
    """The master with a submission's answers in it, and which answers the learner attempted."""

    notebook: nbformat.NotebookNode
    attempted: dict[str, bool]

    def checks_not_attempted(self, master: Master) -> set[str]:
        """Ids of checks whose answer cells all still hold the stub (or are missing).

        A check before every answer cell (it grades no answer) counts as not
        attempted when no answer in the notebook was: an untouched copy scores 0.
        """
        anything = any(self.attempted.values())
        return {
            check.cell_id
            for check in master.checks
            if not any(self.attempted[a] for a in check.answers) and (check.answers or not anything)
        }


def merge(master: Master, submitted: list[SubmittedCell]) -> Merged:
    """Put the submission's answer cells into a copy of the master.

    Each master answer cell takes the submitted code cell with the same id; failing
    that, the submitted ``answer``-tagged cell at the same position among answer
    cells.  An answer the learner deleted gets the stub back (not attempted).
    Answer cells lose their stored outputs, so nbval compares only what the master
    says should be compared: check cells and the cells around them.
    """
    by_id: dict[str, SubmittedCell] = {}
    for cell in submitted:
        if cell.cell_id is not None:
            by_id.setdefault(cell.cell_id, cell)
    tagged = [cell for cell in submitted if ANSWER in cell.tags]
    chosen: dict[str, SubmittedCell] = {}
    used: set[int] = set()
    for answer in master.answers:
        cell = by_id.get(answer.cell_id)
        if cell is not None and id(cell) not in used:
            chosen[answer.cell_id] = cell
            used.add(id(cell))
    for answer in master.answers:
        if answer.cell_id in chosen or answer.position >= len(tagged):
            continue
        cell = tagged[answer.position]
        if id(cell) not in used:
            chosen[answer.cell_id] = cell
            used.add(id(cell))

    notebook = copy.deepcopy(master.notebook)
    attempted = {}
    for answer in master.answers:
        source = chosen[answer.cell_id].source if answer.cell_id in chosen else answer.stub
        cell = notebook.cells[answer.index]
        cell.source = source
        cell.outputs = []
        cell.execution_count = None
        attempted[answer.cell_id] = answer.cell_id in chosen and is_attempted(source, answer.stub)
    return Merged(notebook=notebook, attempted=attempted)
