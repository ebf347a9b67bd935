"""A learner's submission: read its cells, and merge its answer cells into a copy of the master.

Only a submission's ``answer`` cells are used, so editing or deleting anything else
changes nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import nbformat

from .notebook import ANSWER, Master, cell_tags
from .stubs import is_attempted, source_text

__all__ = ["InvalidNotebook", "Merged", "SubmittedCell", "merge", "read_submission"]


class InvalidNotebook(ValueError):
    """A submitted file this grader cannot read as a notebook."""


@dataclass(frozen=True)
class SubmittedCell:
    """What grading reads from a submitted code cell."""

    cell_id: str | None
    tags: tuple[str, ...]
    source: str


def read_submission(data: bytes) -> list[SubmittedCell]:
    """The code cells of a submitted notebook; :class:`InvalidNotebook` says why a file is not one.

    Only the structure grading needs is validated (JSON, nbformat 4, cells with a
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
