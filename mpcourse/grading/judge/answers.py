"""What the judge reads from a submission: its answer cells, as text, and values written as literals.

Nothing here runs learner code.  A value the learner wrote as a literal
(``choices = {...}``, ``predicted_parent_counter = 0``) is read with
:func:`ast.literal_eval`; anything else is code, run only in a sandboxed child
(:mod:`.run`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ..notebook import Master
from ..stubs import source_text

__all__ = ["NOT_LITERAL", "AnswerCell", "answer_cells", "literal_values", "plain_source"]

WORKER_MAGIC = "%%worker"


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


#: What :func:`literal_values` gives for a name assigned something other than a literal.
NOT_LITERAL: Any = _NotLiteral()


@dataclass(frozen=True)
class AnswerCell:
    """One answer cell of a submission: its source (without ``%%worker``) and whether it was a ``%%worker`` cell."""

    cell_id: str
    source: str
    worker: bool

    def job(self) -> dict[str, Any]:
        """The cell as :mod:`._child` takes it."""
        return {"worker": self.worker, "source": self.source}


def plain_source(source: str) -> tuple[str, bool]:
    """``source`` without a first ``%%worker`` line, and whether it had one; other magic lines become blank."""
    lines = source.splitlines()
    worker = bool(lines) and lines[0].strip().split(" ")[0] == WORKER_MAGIC
    if worker:
        lines = lines[1:]
    kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in lines]
    return "\n".join(kept) + ("\n" if kept else ""), worker


def answer_cells(master: Master, notebook: Any, before: int) -> list[AnswerCell]:
    """The answer cells of ``notebook`` (the master with a submission's answers merged in) above cell ``before``."""
    cells = []
    for answer in master.answers:
        if answer.index < before:
            source, worker = plain_source(source_text(notebook.cells[answer.index].source))
            cells.append(AnswerCell(answer.cell_id, source, worker))
    return cells


def literal_values(cells: list[AnswerCell], names: tuple[str, ...]) -> dict[str, Any]:
    """The value last assigned to each of ``names`` at the top level of ``cells``, if that value is a literal.

    A name assigned something else (a call, a comprehension) maps to
    :data:`NOT_LITERAL`; a name never assigned is left out.
    """
    found: dict[str, Any] = {}
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) and node.value is not None else []  # fmt: skip
            for target in targets:
                if isinstance(target, ast.Name) and target.id in names:
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                        found[target.id] = NOT_LITERAL
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.For, ast.With)):
                for name in names:
                    if name in _bound(node):
                        found[name] = NOT_LITERAL
    return found


def _bound(node: ast.AST) -> set[str]:
    """Names a statement other than a plain assignment binds at the top level."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
