"""The learner's code cells a judged name depends on, found by which names each cell binds and uses.

Runs only inside a judge's sandboxed child (:mod:`._child`), never in the grader's
process: parsing learner source is learner work.  Standard library only.

A cell *binds* a name when it assigns it, imports it, defines it, loops over it, or
changes it in place at its top level (``choices["x"] = ...``, ``results.append(...)``);
it *uses* every name it reads, inside its functions too.  :func:`needed_cells` walks
the cells backwards from the names a probe needs and keeps every cell that binds one
of them, adding what that cell uses: the answer, wherever the learner wrote it (a
pasted copy below the original, an untagged cell below a stub), and the cells it
stands on, but none of the demos.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...course_format import CHECK, HIDDEN, SELF_CHECK, python_source

__all__ = ["CHECK_TAGS", "Cell", "needed_cells", "prepare", "without_unused_imports"]

#: Tags of cells that are never run when judging (a check would judge the learner by the learner's own kernel).
CHECK_TAGS = frozenset({CHECK, SELF_CHECK, HIDDEN})
#: Methods that change a container in place: ``results.append(x)`` at a cell's top level changes ``results``.
_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "remove", "discard", "clear"}
)


@dataclass(frozen=True)
class Cell:
    """One learner code cell, ready to run: its Python source, whether it is a ``%%worker`` module, and its names."""

    number: int
    source: str
    worker: bool
    binds: frozenset[str]
    uses: frozenset[str]


def _calls_a_check(tree: ast.Module) -> bool:
    """Does the cell call a ``check_*`` function at its top level (a check cell without its tag)?"""
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id.startswith("check_"):
                return True
    return False


def _base(node: ast.AST) -> str | None:
    """The name at the root of ``a.b[c].d``, or ``None``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _top_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of ``body`` and of its blocks (loops, ifs, withs, trys), not of functions or classes."""
    found = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            found.extend(_top_statements(getattr(statement, field, []) or []))
        for handler in getattr(statement, "handlers", []) or []:
            found.extend(_top_statements(handler.body))
    return found


def _binds(tree: ast.Module) -> set[str]:
    """The names a cell binds or changes in place at its top level."""
    names: set[str] = set()
    for statement in _top_statements(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func  # results.append(x), choices.update(...)
            base = _base(func)
            if base is not None and isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                names.add(base)
        targets: list[ast.AST] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
            targets = [statement.target]
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            targets = [statement.target]
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in statement.items if item.optional_vars is not None]
        elif isinstance(statement, ast.Delete):
            targets = list(statement.targets)
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
                    base = _base(node)
                    if base is not None:
                        names.add(base)
    for node in ast.walk(tree):  # walrus at any depth outside functions is rare; count it anywhere
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _free(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The names a function reads that it does not bind itself (its globals, roughly)."""
    arguments = function.args
    local = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    local |= {arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None}
    loads: set[str] = set()
    declared: set[str] = set()
    body = function.body if isinstance(function.body, list) else [function.body]
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else local).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                local.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                local.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, ast.Global):
                declared.update(node.names)
            elif isinstance(node, ast.arg):
                local.add(node.arg)
    return loads - (local - declared)


def _uses(tree: ast.Module, binds: set[str]) -> set[str]:
    """The names a cell reads before binding them itself: at its top level, and the globals its functions read.

    A name the cell changes in place (``choices["x"] = ...``) is read too: the earlier
    cells that made it are needed.
    """
    loads: set[str] = set()
    assigned: set[str] = set()
    free: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assigned.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned.add(node.name)
        if isinstance(node, _SCOPES):
            free.update(_free(node))
            outer = [*getattr(node, "decorator_list", []), *node.args.defaults, *node.args.kw_defaults]
            for child in outer:
                if child is not None:
                    visit(child)
            return
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    changed = binds - assigned
    return ((loads | free) - assigned) | changed


def prepare(cells: list[dict]) -> tuple[list[Cell], list[str]]:
    """The learner's runnable cells (no check cells, no non-Python cells), and notes on cells that do not parse."""
    prepared, notes = [], []
    for number, cell in enumerate(cells, start=1):
        tags = set(cell.get("tags") or ())
        if tags & CHECK_TAGS:
            continue
        python = python_source(str(cell.get("source", "")))
        if python is None:
            continue
        source, worker = python
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            notes.append(f"code cell {number} is not valid Python ({type(exc).__name__})")
            continue
        if _calls_a_check(tree):
            continue
        binds = _binds(tree)
        prepared.append(Cell(number, source, worker, frozenset(binds), frozenset(_uses(tree, binds))))
    return prepared, notes


def needed_cells(
    cells: list[Cell], names: set[str], given: frozenset[str] = frozenset(), needed: set[str] | None = None
) -> list[Cell]:
    """The cells ``names`` depend on, in their order: each cell binding a needed name, and what it uses.

    Names in ``given`` (the judge's own inputs) are never looked for in the cells.  ``needed``,
    if given, is filled with every name the kept cells need.
    """
    needed = set() if needed is None else needed
    needed |= set(names) - given
    kept: list[Cell] = []
    for cell in reversed(cells):
        if cell.binds & needed:
            kept.append(cell)
            needed |= cell.uses - given
    return kept[::-1]


def without_unused_imports(cell: Cell, needed: set[str]) -> str:
    """``cell``'s source without its top-level imports of names nothing needs (``import matplotlib.pyplot as plt``).

    A kept cell runs whole otherwise: an import is dropped only when no later cell needs
    and the cell itself never reads any name it binds.
    """
    tree = ast.parse(cell.source)
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    needed = needed | read
    kept = []
    for statement in tree.body:
        if isinstance(statement, ast.Import) or (
            isinstance(statement, ast.ImportFrom) and statement.module != "__future__"
        ):
            names = {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
            if not names & needed and "*" not in names:
                continue
        kept.append(statement)
    if len(kept) == len(tree.body):
        return cell.source
    tree.body = kept
    return ast.unparse(tree) + "\n"
