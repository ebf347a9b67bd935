"""The course format: what a notebook's tags, check cells, answer cells and stubs mean, in one place.

Everything here works on notebooks as plain nbformat-4 JSON (``dict``; an
nbformat ``NotebookNode`` is one) and uses the standard library only, so the
learner's kernel, the grader and the judge's sandboxed child read a notebook by
the same rules.  The student copy built by these rules is :mod:`mpcourse.student_copy`;
contributors read ``docs/contributing/course-format.md``.
"""

from __future__ import annotations

import ast
import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ANSWER", "BEGIN_SOLUTION", "CHECK", "CHECKS_PACKAGE", "END_SOLUTION", "FAIL_MARK", "HIDDEN",
    "IGNORE_OUTPUT", "OPTIONS", "PASS_MARK", "RAISES_EXCEPTION", "RENAMED_CELL_IDS", "SELF_CHECK", "SOLUTIONS",
    "WORKER_MAGIC", "Exercise", "FormatError", "called_check", "canonical_id", "cell_magic", "cell_options",
    "cell_tags", "check_points", "check_title", "exercises", "imported_checks", "inserted_solution", "parse_python",
    "parse_verdict", "python_source", "solution_note", "solution_source", "source_text", "worker_module_name",
]  # fmt: skip

# Cell tags (``metadata.tags``).
ANSWER = "answer"  # the learner writes it: a solution in the master, a stub in the student copy
CHECK = "check"  # calls a check and prints one line, PASS or NOT YET; graded
HIDDEN = "hidden"  # with CHECK: only the master has it; left out of the student copy, run when grading
SELF_CHECK = "self-check"  # calls a check of the learner's own measurement: shown, never graded
IGNORE_OUTPUT = "nbval-ignore-output"  # run, output not compared
RAISES_EXCEPTION = "raises-exception"  # meant to raise (a pitfall shown on purpose)

#: The key of the course's own options in cell and notebook metadata (``points``, ``stub``, ``solutions``).
OPTIONS = "mpcourse"
#: The notebook option ``release --no-solutions`` sets to false: ``%solution`` then gives none.
SOLUTIONS = "solutions"
#: The last line of a cell ``%solution NAME`` inserts (a frontend keeps no metadata of an inserted cell).
_SOLUTION_NOTE = "# inserted by %solution "
#: What a check prints first: ``PASS: title`` or ``NOT YET: title. Hint: …``.
PASS_MARK, FAIL_MARK = "PASS", "NOT YET"
#: The package whose ``check_*`` functions check cells call.
CHECKS_PACKAGE = "mpcourse.checks"
#: The cell magic that saves a cell as an importable module (``%%worker``).
WORKER_MAGIC = "worker"
_WORKER_PREFIX = "mpcourse_cell_"
#: Cell magics whose body is Python run in the notebook's namespace (or, for ``%%worker``, saved as a module).
_PYTHON_CELL_MAGICS = (WORKER_MAGIC, "time", "capture")

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"

#: Cell ids of the masters that were renamed, old -> new: a submission made on an earlier copy still matches.
RENAMED_CELL_IDS = {
    "burhan-notebook": "greet-in-notebook",
    "burhan-worker": "greet-in-workers",
    "burhan-spawn-intro": "greet-spawn-intro",
    "burhan-spawn": "greet-spawn",
    "seed-fixed": "process-with-context",
    "seed-code": "apply-in-a-loop",
    "seed-code-explained": "apply-in-a-loop-explained",
    "seed-code-timing": "apply-in-a-loop-timing",
}


class FormatError(ValueError):
    """A notebook that breaks the course format (the message says what to fix)."""


def source_text(source: Any) -> str:
    """A cell's source (or an output's text) as one string: notebook JSON may store a list of lines."""
    return "".join(source) if isinstance(source, list) else str(source or "")


def cell_tags(cell: Any) -> list[str]:
    """The cell's ``metadata.tags`` (an empty list when absent or malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def cell_options(cell: Any) -> dict[str, Any]:
    """The cell's ``metadata.mpcourse`` (an empty dict when absent or malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    options = metadata.get(OPTIONS) if isinstance(metadata, dict) else None
    return options if isinstance(options, dict) else {}


def canonical_id(cell_id: Any) -> Any:
    """A cell id as the masters spell it today (see :data:`RENAMED_CELL_IDS`)."""
    return RENAMED_CELL_IDS.get(cell_id, cell_id) if isinstance(cell_id, str) else cell_id


def cell_magic(source: str) -> str | None:
    """The name of the cell magic a cell starts with (``worker`` for ``%%worker``), if any."""
    first = source.lstrip().split("\n", 1)[0].strip()
    return first[2:].split(" ", 1)[0] if first.startswith("%%") else None


def python_source(source: str) -> tuple[str, bool] | None:
    """A cell as Python, and whether it is a ``%%worker`` cell; ``None`` for a cell magic whose body is not Python.

    The ``%%worker``, ``%%time`` or ``%%capture`` line goes; line magics and shell
    lines become blank (so line numbers stay).
    """
    magic = cell_magic(source)
    if magic not in (None, *_PYTHON_CELL_MAGICS):
        return None
    lines = source.lstrip().splitlines()[1:] if magic else source.splitlines()
    kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in lines]
    return "\n".join(kept) + "\n", magic == WORKER_MAGIC


def worker_module_name(body: str) -> str:
    """The module a ``%%worker`` cell with ``body`` becomes: named by a hash, so an edited cell is a new module."""
    return _WORKER_PREFIX + hashlib.sha256(body.encode()).hexdigest()[:12]


def parse_python(source: str) -> ast.Module | None:
    """A cell as a Python syntax tree (see :func:`python_source`); ``None`` if it is not Python."""
    python = python_source(source)
    try:
        return ast.parse(python[0]) if python else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def called_check(source: str) -> str | None:
    """The function a check cell calls (``check_squares(f)`` -> ``check_squares``): its one ``check_*`` call."""
    tree = parse_python(source)
    calls = [
        node.value.func.id
        for node in (tree.body if tree else [])
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
    ]
    checks = [name for name in calls if name.startswith("check_")]
    return checks[0] if len(checks) == 1 else calls[0] if len(calls) == 1 else None


def imported_checks(cells: Iterable[Any]) -> dict[str, str]:
    """Names the notebook's code cells import from ``mpcourse.checks`` and its modules (name -> module)."""
    names: dict[str, str] = {}
    for cell in cells:
        tree = parse_python(source_text(cell.get("source"))) if cell.get("cell_type") == "code" else None
        for node in ast.walk(tree) if tree else ():
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module == CHECKS_PACKAGE or module.startswith(CHECKS_PACKAGE + "."):
                names.update({alias.asname or alias.name: module for alias in node.names})
    return names


def parse_verdict(line: str) -> tuple[str, str] | None:
    """``(PASS or NOT YET, title)`` from a line a check printed, or ``None`` for any other line."""
    for mark in (PASS_MARK, FAIL_MARK):
        if line.startswith(f"{mark}: "):
            return mark, re.split(r"\. (?:Hint:|Stuck\?) ", line[len(mark) + 2 :], maxsplit=1)[0].strip()
    return None


def check_title(cell: dict) -> str:
    """What a check is called: its stored ``PASS:`` line's title, else its first printed line, else its source's."""
    printed = [source_text(o.get("text")) for o in cell.get("outputs") or [] if o.get("output_type") == "stream"]
    lines = [line.strip() for text in printed for line in text.splitlines() if line.strip()]
    verdicts = [verdict for verdict in map(parse_verdict, lines) if verdict]
    if verdicts:
        return verdicts[0][1]
    source = [line.strip() for line in source_text(cell.get("source")).splitlines() if line.strip()]
    return (lines or source or [""])[0]


def check_points(cell: dict) -> float:
    """A check cell's points: ``metadata.mpcourse.points``, default 1."""
    points = cell_options(cell).get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points):
        raise FormatError(f"points must be a number, not {points!r}")
    if points < 0:
        raise FormatError(f"points must not be negative ({points})")
    return points


@dataclass(frozen=True)
class Exercise:
    """A check cell and the answer cells it grades: those since the previous check, else that check's."""

    index: int
    check_id: str
    answers: tuple[int, ...]  # indices of the answer cells
    answer_ids: tuple[str, ...]
    check_function: str | None  # the function the check cell calls
    title: str
    points: float
    hidden: bool
    notebook: str = ""  # the notebook's file name, when known
    name: str = ""  # what %solution and progress call it: the check function without check_, else the cell id

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", (self.check_function or "").removeprefix("check_") or self.check_id)


def exercises(notebook: dict, filename: str = "") -> list[Exercise]:
    """Every check cell of ``notebook`` (file ``filename``) with its answers, in order.

    Raises :class:`FormatError` naming a cell that breaks the format.
    """
    cells = notebook.get("cells") or []
    found, pending, group = [], [], ()
    for index, cell in enumerate(cells):
        tags, where = set(cell_tags(cell)), f"cell {cell.get('id', index)}"
        if {ANSWER, CHECK} <= tags:
            raise FormatError(f"{where}: a cell cannot be both answer and check")
        if {SELF_CHECK, CHECK} <= tags:
            raise FormatError(f"{where}: a self-check is shown, never graded: drop its 'check' tag")
        if ANSWER in tags and cell.get("cell_type") == "code":
            pending.append(index)
        elif CHECK in tags:
            if cell.get("cell_type") != "code":
                raise FormatError(f"{where}: a check cell must be a code cell")
            group, pending = (tuple(pending), []) if pending else (group, pending)
            try:
                points = check_points(cell)
            except FormatError as exc:
                raise FormatError(f"{where}: {exc}") from None
            source = source_text(cell.get("source"))
            ids = tuple(str(cells[i].get("id")) for i in group)
            found.append(Exercise(index, str(cell.get("id")), group, ids, called_check(source),
                                  check_title(cell), points, HIDDEN in tags, filename))  # fmt: skip
    return found


def solution_note(name: str) -> str:
    """The line ``%solution`` ends the cell it inserts with, so a grader can tell the teacher."""
    return _SOLUTION_NOTE + name


def inserted_solution(source: str) -> str | None:
    """The exercise whose reference answer ``%solution`` inserted in a cell with ``source``, if it says so."""
    notes = [line.strip() for line in source.splitlines() if line.strip().startswith(_SOLUTION_NOTE)]
    return notes[-1].removeprefix(_SOLUTION_NOTE).strip() or None if notes else None


def solution_source(source: str) -> str:
    """The reference answer of an answer cell: its source without the solution markers."""
    lines = [line for line in source.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    return "\n".join(lines).strip("\n")
