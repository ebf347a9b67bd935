"""What a learner finds in an answer cell of the student copy: a stub, never the solution."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable

__all__ = ["BEGIN_SOLUTION", "END_SOLUTION", "generated_stub", "is_attempted", "remove_solution", "source_text"]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


def source_text(source: str | list[str]) -> str:
    """A cell's source as one string (notebook JSON may store it as a list of lines)."""
    return "".join(source) if isinstance(source, list) else str(source)


def remove_solution(source: str) -> str:
    """Replace each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by ``...  # YOUR CODE HERE``.

    The code around the markers stays (a scaffold for the learner); ``...`` keeps
    an indented block valid Python.  Raises :class:`ValueError` for an unclosed block.
    """
    kept: list[str] = []
    inside = False
    for line in source.splitlines(keepends=True):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if inside:
                raise ValueError(f"nested {BEGIN_SOLUTION!r}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}...  # YOUR CODE HERE\n")
        elif marker == END_SOLUTION:
            if not inside:
                raise ValueError(f"{END_SOLUTION!r} without {BEGIN_SOLUTION!r}")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise ValueError(f"{BEGIN_SOLUTION!r} without {END_SOLUTION!r}")
    return "".join(kept).rstrip("\n")


def _python(source: str) -> ast.Module | None:
    """Parse a cell as Python, ignoring IPython magics and shell lines; ``None`` if it is not Python."""
    if source.lstrip().startswith("%%"):
        return None
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def defined_names(sources: Iterable[str]) -> set[str]:
    """Names that cells bind at top level (assignments, imports, defs)."""
    names: set[str] = set()
    for source in sources:
        tree = _python(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def used_names(source: str) -> list[str]:
    """Names a check cell reads, in order, except the functions it calls."""
    tree = _python(source)
    if tree is None:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called:
            seen.setdefault(node.id)
    return list(seen)


def _cell_magic(source: str) -> str | None:
    """The cell magic line a cell starts with (``%%worker``), if any."""
    first = source.lstrip().split("\n", 1)[0].strip()
    return first if first.startswith("%%") else None


def generated_stub(solution: str, check_sources: Iterable[str], given_sources: Iterable[str]) -> str:
    """A stub that tells the learner what to write: the names the checks below read.

    ``given_sources`` are the notebook's other code cells: names they define are
    not the learner's job, so they are not listed.  When several answer cells feed
    one check, each stub lists the names its own ``solution`` defines.  A cell
    magic the solution starts with (``%%worker``) is kept: it says what kind of
    cell this is, not how to solve the exercise.
    """
    given = defined_names(given_sources) | set(dir(builtins))
    wanted: dict[str, None] = {}
    for source in check_sources:
        for name in used_names(source):
            if name not in given:
                wanted.setdefault(name)
    magic = _cell_magic(solution)
    body = solution.lstrip().split("\n", 1)[1] if magic and "\n" in solution.lstrip() else solution
    own = [name for name in wanted if name in defined_names([body])]
    lines = [magic] if magic else []
    lines += [
        "# YOUR ANSWER: write your code in this cell, run it, then run the check cell below.",
        "# The check prints PASS when your answer is right, or NOT YET with a hint.",
    ]
    if wanted:
        lines.append("# Define here: " + ", ".join(own or wanted))
        # placeholders, so the check below runs and says NOT YET with its hint (not a NameError)
        lines += [f"{name} = ...  # replace ... with your answer" for name in own or wanted]
    return "\n".join(lines)


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def is_attempted(source: str, stub: str) -> bool:
    """Did the learner write something: not the stub, and not only comments and blank lines?"""
    if _normalized(source) == _normalized(stub):
        return False
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())
