"""A learner's submission: read its cells, and merge its answer cells into a copy of the master.

Only a submission's answer cells are used, so editing or deleting anything else
changes nothing.  Work the rules may have missed is graded as well as they allow
and flagged for the teacher (:attr:`Merged.flags`): a copied answer cell, answer
code in an untagged cell right below an untouched stub, answers found only by
tag and position (ids removed), no answer cell at all, a ``%solution`` answer.
Learner sources are only compared and scanned line by line here, never parsed.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

import nbformat

from ..course_format import ANSWER, CHECK, canonical_id, cell_tags, inserted_solution, source_text
from ..student_copy import defined_names, stub_names
from .notebook import Answer, Master
from .stubs import is_attempted

__all__ = ["InvalidNotebook", "Merged", "SubmittedCell", "merge", "read_submission"]


class InvalidNotebook(ValueError):
    """A submitted file this grader cannot read as a notebook."""


@dataclass(frozen=True)
class SubmittedCell:
    """What grading reads from a submitted code cell (its id as the masters spell it today)."""

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
            cell_id = canonical_id(cell.get("id"))
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
    """The master with a submission's answers in it, which answers the learner attempted, and what to look at."""

    notebook: nbformat.NotebookNode
    attempted: dict[str, bool]
    flags: tuple[str, ...] = ()
    submitted: tuple[SubmittedCell, ...] = ()  # the learner's own code cells, in their order

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


def _candidates(master: Master, submitted: list[SubmittedCell], flags: list[str]) -> dict[str, list[int]]:
    """The submitted cells (positions) that may hold each master answer, in notebook order.

    A cell with the answer's id; a cell tagged ``answer`` with an id the master
    does not have belongs to the nearest answer above it (a copied cell) or,
    past a check, to the next answer whose own cell is gone.  When
    no id matches an answer (ids removed, or cells copied into a new notebook),
    the tagged cells are matched by position.
    """
    answer_ids = [answer.cell_id for answer in master.answers]
    found: dict[str, list[int]] = {answer_id: [] for answer_id in answer_ids}
    tagged = [position for position, cell in enumerate(submitted) if ANSWER in cell.tags]
    if not any(cell.cell_id in found for cell in submitted):
        if tagged:
            flags.append(
                "no cell id matches the course's (saved without ids, or copied into a new notebook): "
                f"{len(tagged)} cell(s) tagged answer matched by position to {len(answer_ids)} answer(s)"
            )
        elif any(cell.source.strip() for cell in submitted):
            flags.append("no answer cell found (no cell tagged answer, no cell id of the course): look at it by hand")
        for answer_id, position in zip(answer_ids, tagged, strict=False):
            found[answer_id].append(position)
        return found
    matched = {cell.cell_id for cell in submitted if cell.cell_id in found}
    checks = {check.cell_id for check in master.checks}
    index = {cell.get("id"): number for number, cell in enumerate(master.notebook.cells)}
    above, last = None, -1
    for position, cell in enumerate(submitted):
        if cell.cell_id in found:
            above, last = cell.cell_id, index[cell.cell_id]
            found[above].append(position)
        elif cell.cell_id in index:
            above, last = (None if cell.cell_id in checks else above), index[cell.cell_id]
        elif ANSWER in cell.tags:
            free = (a.cell_id for a in master.answers if a.index > last and a.cell_id not in matched)
            above = above or next(free, None)
            if above is None:
                flags.append(f"a cell tagged answer below the last answer's check is not graded ({cell.cell_id!r})")
            else:
                found[above].append(position)
    return found


def _defines(source: str, names: list[str]) -> list[str]:
    """Which of ``names`` a cell binds at its top level (``def``, ``class``, ``name =``), by a line scan."""
    lines = [line for line in source.splitlines() if line[:1].isidentifier()]
    found = []
    for name in names:
        binds = re.compile(rf"(?:(?:async\s+)?def|class)\s+{name}\b|{name}\s*(?::[^=]*)?=(?!=)")
        found += [name] if any(binds.match(line) for line in lines) else []
    return found


def _below_stub(answer: Answer, master: Master, submitted: list[SubmittedCell], position: int) -> list[str]:
    """The exercise's names that a new untagged cell right below ``position`` defines (``[]`` if none)."""
    below = submitted[position + 1] if position + 1 < len(submitted) else None
    master_ids = {cell.get("id") for cell in master.notebook.cells}
    if below is None or {ANSWER, CHECK} & set(below.tags) or below.cell_id in master_ids:
        return []
    names = stub_names(answer.stub) or sorted(defined_names([source_text(master.notebook.cells[answer.index].source)]))
    return _defines(below.source, [name for name in names if name.isidentifier()])


def merge(master: Master, submitted: list[SubmittedCell]) -> Merged:
    """Put the submission's answer cells into a copy of the master, and say what the teacher should look at.

    Each master answer takes, of its candidate cells (see :func:`_candidates`),
    the last one with work in it, else the first.  An untouched answer whose
    next cell is a new untagged cell defining the exercise's names takes that
    cell.  An answer the learner deleted gets the stub back (not attempted).
    Answer cells lose their stored outputs, so nbval compares only what the
    master says should be compared: check cells and the cells around them.
    """
    flags: list[str] = []
    candidates = _candidates(master, submitted, flags)
    notebook = copy.deepcopy(master.notebook)
    attempted = {}
    for answer in master.answers:
        mine = candidates[answer.cell_id]
        worked = [position for position in mine if is_attempted(submitted[position].source, answer.stub)]
        chosen = worked[-1] if worked else mine[0] if mine else None
        source = submitted[chosen].source if chosen is not None else answer.stub
        if len(mine) > 1:
            flags.append(f"answer cell {answer.cell_id}: {len(mine)} cells hold it (a copied cell?); "
                         f"graded the {'last one with work in it' if worked else 'first'}")  # fmt: skip
        names = _below_stub(answer, master, submitted, mine[-1]) if mine else []
        if names and not worked:
            source = submitted[mine[-1] + 1].source
            flags.append(f"answer cell {answer.cell_id} is untouched: graded the untagged cell below it, "
                         f"which defines {', '.join(names)}")  # fmt: skip
        elif names:
            flags.append(f"the untagged cell below answer cell {answer.cell_id} also defines {', '.join(names)}: "
                         "not graded, look at it")  # fmt: skip
        cell = notebook.cells[answer.index]
        cell.source = source
        cell.outputs = []
        cell.execution_count = None
        attempted[answer.cell_id] = is_attempted(source, answer.stub)
    for cell in submitted:
        exercise = inserted_solution(cell.source)
        if exercise:
            flags.append(f"%solution inserted the reference answer of {exercise!r} (cell {cell.cell_id!r})")
    return Merged(notebook=notebook, attempted=attempted, flags=tuple(flags), submitted=tuple(submitted))
