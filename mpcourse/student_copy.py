"""The student copy of a master notebook: stubs in place of answers, checks locked, hidden checks and solutions out.

The stub rules of the course format (:mod:`mpcourse.course_format`): an author's
own stub (``metadata.mpcourse.stub``), else the scaffold around ``### BEGIN
SOLUTION`` / ``### END SOLUTION``, else a generated stub whose ``# Define here:``
line names what the checks below read.  Plain nbformat JSON, standard library only.
"""

from __future__ import annotations

import ast
import builtins
import copy
from collections.abc import Iterable

from .course_format import (
    ANSWER,
    BEGIN_SOLUTION,
    CHECK,
    END_SOLUTION,
    HIDDEN,
    Exercise,
    FormatError,
    cell_magic,
    cell_options,
    cell_tags,
    exercises,
    parse_python,
    source_text,
)

__all__ = [
    "MARKDOWN_STUB",
    "answer_stubs",
    "defined_names",
    "generated_stub",
    "remove_solution",
    "stub_names",
    "student_copy",
    "used_names",
]

#: What a markdown cell tagged ``answer`` (a written answer) shows in the student copy.
MARKDOWN_STUB = "*Write your answer here.*"
_DEFINE_HERE = "# Define here: "


def defined_names(sources: Iterable[str]) -> set[str]:
    """Names that cells bind (assignments, imports, defs)."""
    names: set[str] = set()
    for tree in filter(None, map(parse_python, sources)):
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def used_names(source: str) -> list[str]:
    """Names a cell reads, in order, except the functions it calls."""
    tree = parse_python(source)
    if tree is None:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    loads = (n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return list(dict.fromkeys(node.id for node in loads if id(node) not in called))


def remove_solution(source: str) -> str:
    """Replace each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by ``...  # YOUR CODE HERE``.

    The code around the markers stays (a scaffold for the learner); ``...`` keeps
    an indented block valid Python.  Raises :class:`FormatError` for an unclosed block.
    """
    kept: list[str] = []
    inside = False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if inside:
                raise FormatError(f"nested {BEGIN_SOLUTION!r}")
            inside = True
            kept.append(f"{line[: len(line) - len(line.lstrip())]}...  # YOUR CODE HERE\n")
        elif marker == END_SOLUTION:
            if not inside:
                raise FormatError(f"{END_SOLUTION!r} without {BEGIN_SOLUTION!r}")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise FormatError(f"{BEGIN_SOLUTION!r} without {END_SOLUTION!r}")
    return "".join(kept).rstrip("\n")


def generated_stub(solution: str, check_sources: Iterable[str], given_sources: Iterable[str]) -> str:
    """A stub that tells the learner what to write: the names the checks below read.

    Names the notebook's other code cells (``given_sources``) or the builtins
    define are not the learner's job.  When several answer cells feed one check,
    each stub lists the names its own ``solution`` defines.  A ``%%worker`` line
    is kept: it says what kind of cell this is, not how to solve the exercise.
    """
    given = defined_names(given_sources) | set(dir(builtins))
    wanted = [name for source in check_sources for name in used_names(source) if name not in given]
    wanted = list(dict.fromkeys(wanted))
    own = [name for name in wanted if name in defined_names([solution])] or wanted
    lines = [solution.lstrip().split("\n", 1)[0].strip()] if cell_magic(solution) else []
    lines += [
        "# YOUR ANSWER: write your code in this cell, run it, then run the check cell below.",
        "# The check prints PASS when your answer is right, or NOT YET with a hint.",
    ]
    if wanted:
        lines.append(_DEFINE_HERE + ", ".join(own))
        # placeholders, so the check below runs and says NOT YET with its hint (not a NameError)
        lines += [f"{name} = ...  # replace ... with your answer" for name in own]
    return "\n".join(lines)


def stub_names(stub: str) -> list[str]:
    """The names a stub asks the learner to define (its ``# Define here:`` line)."""
    line = next((line for line in stub.splitlines() if line.startswith(_DEFINE_HERE)), "")
    return [name.strip() for name in line.removeprefix(_DEFINE_HERE).split(",") if name.strip()]


def answer_stub(cell: dict, check_sources: list[str], given_sources: list[str]) -> str:
    """An answer cell's stub: the author's own (``mpcourse.stub``), a scaffold around the markers, or generated."""
    custom = cell_options(cell).get("stub")
    if isinstance(custom, (str, list)):
        return source_text(custom)
    source = source_text(cell.get("source"))
    scaffold = remove_solution(source)
    return scaffold if scaffold != source.rstrip("\n") else generated_stub(source, check_sources, given_sources)


def answer_stubs(notebook: dict, found: list[Exercise]) -> dict[int, str]:
    """The stub of every code answer cell of ``notebook`` (by index), given its :func:`exercises`."""
    cells = notebook.get("cells") or []
    answers = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and ANSWER in cell_tags(c)]
    checks = {exercise.index for exercise in found}
    given = [
        source_text(c.get("source"))
        for i, c in enumerate(cells)
        if c.get("cell_type") == "code" and i not in answers and i not in checks
    ]
    stubs = {}
    for index in answers:
        below = [source_text(cells[e.index].get("source")) for e in found if index in e.answers and not e.hidden]
        try:
            stubs[index] = answer_stub(cells[index], below, given)
        except FormatError as exc:
            raise FormatError(f"answer cell {cells[index].get('id', index)}: {exc}") from None
    return stubs


def _lock(cell: dict, editable: bool) -> None:
    cell.setdefault("metadata", {}).update(editable=editable, deletable=False)


def student_copy(notebook: dict) -> dict:
    """The notebook a learner gets: stubs for answers, locked checks, no hidden cells, no solutions.

    Answer and check cells lose their outputs (they would show the solution's
    results); every other cell keeps its outputs, so the text reads as executed.
    """
    copied = copy.deepcopy(notebook)
    stubs = answer_stubs(copied, exercises(copied))
    cells = []
    for index, cell in enumerate(copied.get("cells") or []):
        tags = cell_tags(cell)
        if HIDDEN in tags:
            continue
        if ANSWER in tags:
            cell["source"] = stubs.get(index, MARKDOWN_STUB if cell.get("cell_type") == "markdown" else "")
        if ANSWER in tags or CHECK in tags:
            _lock(cell, editable=ANSWER in tags)
            cell.pop("attachments", None)
            if cell.get("cell_type") == "code":
                cell.update(outputs=[], execution_count=None)
        cells.append(cell)
    copied["cells"] = cells
    return copied
