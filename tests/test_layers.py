"""The package's layers: the order docs/architecture.md states, the child side on the stdlib, no cycles.

Children of every start method import ``mpcourse.workers`` and the backend's
modules (a spawned child imports them from scratch), so anything heavy they
pull in is paid once per process, in every measurement the course shows.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mpcourse"
# The layer list: the fenced block after this marker, one entry per line ("  backend/", "  workers.py").
LAYERS_DOC = PACKAGE.parent / "docs" / "architecture.md"
LAYERS_MARKER = "<!-- layers -->"
# The imports that break the order, as LAYERS_DOC names them: (importing folder, imported folder).
ORDER_EXCEPTIONS: set[tuple[str, str]] = set()
OUTSIDE_THE_ORDER = {"mpcourse", "mpcourse.__main__"}  # the package's own facade and `python -m mpcourse`
CHILD_SIDE = [
    "mpcourse.workers",
    "mpcourse.program_workers",
    "mpcourse.block_lifetime",
    *sorted(f"mpcourse.backend.{p.stem}" for p in (PACKAGE / "backend").glob("[a-z]*.py")),
]
MAX_LINES = 300

_PROBE = """
import json, sys
before = set(sys.modules)
import {module}
print(json.dumps(sorted({{name.partition(".")[0] for name in set(sys.modules) - before}})))
"""


#: The course format (tags, grouping, titles, stubs, the student copy): below learner/ and grading/, which ask it.
COURSE_FORMAT = ["mpcourse.course_format", "mpcourse.student_copy"]


def _loaded_outside_the_standard_library(module: str) -> list[str]:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module=module)], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(probe.stdout)) - {"mpcourse"}
    return sorted(name for name in loaded if name not in sys.stdlib_module_names and not name.startswith("_"))


@pytest.mark.parametrize("module", CHILD_SIDE)
def test_child_side_module_loads_only_the_standard_library(module):
    outside = _loaded_outside_the_standard_library(module)
    assert not outside, f"importing {module} loaded {outside}, which are not in the standard library"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


def test_no_import_cycle():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_module_over_300_lines():
    long = {
        str(path.relative_to(PACKAGE.parent)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by concern): {long}"


@pytest.mark.parametrize("module", COURSE_FORMAT)
def test_course_format_loads_only_the_standard_library(module):
    """The judge's sandboxed child and a learner's kernel read notebooks with it: no nbformat, no IPython."""
    outside = _loaded_outside_the_standard_library(module)
    assert not outside, f"importing {module} loaded {outside}, which are not in the standard library"


def test_course_format_imports_nothing_of_the_package_above_it():
    modules = _modules()
    for name in COURSE_FORMAT:
        above = _imports(name, modules[name], set(modules)) - {*COURSE_FORMAT, "mpcourse"}
        assert not above, f"{name} imports {sorted(above)}: the course format sits below every other folder"


def test_learner_and_grading_ask_the_course_format_and_learner_never_asks_grading():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    asking = {name for name, targets in graph.items() if targets & set(COURSE_FORMAT)}
    for folder in ("mpcourse.learner.", "mpcourse.grading.", "mpcourse.kernel."):
        assert any(name.startswith(folder) for name in asking), f"no module of {folder[:-1]} asks the course format"
    into_grading = {name for name in graph if name.startswith("mpcourse.learner.") and
                    any(target.startswith("mpcourse.grading") for target in graph[name])}  # fmt: skip
    assert not into_grading, f"{sorted(into_grading)} import grading: learner/ sits below it"


def documented_layers() -> list[str]:
    """The folders (and top-level modules) of the package, bottom first, as LAYERS_DOC lists them."""
    text = LAYERS_DOC.read_text(encoding="utf-8")
    assert LAYERS_MARKER in text, f"{LAYERS_DOC.name} lost its {LAYERS_MARKER} marker before the layer list"
    block = text.split(LAYERS_MARKER, 1)[1].split("```", 2)[1]
    entries = re.findall(r"^  ([a-z_]+)(?:/|\.py)\s", block, flags=re.MULTILINE)
    assert entries, f"no layer entries in the block after {LAYERS_MARKER} in {LAYERS_DOC.name}"
    return entries


def _layer(module: str) -> str:
    return module.split(".")[1]


def test_the_layer_list_names_exactly_the_packages_folders():
    layers = documented_layers()
    actual = {_layer(name) for name in _modules() if name not in OUTSIDE_THE_ORDER}
    missing, stale = sorted(actual - set(layers)), sorted(set(layers) - actual)
    assert not missing, f"{missing} are not in the layer list of {LAYERS_DOC.name}: add them where they belong"
    assert not stale, f"the layer list of {LAYERS_DOC.name} names {stale}, which the package does not have"
    assert len(layers) == len(set(layers)), f"the layer list of {LAYERS_DOC.name} names a folder twice: {layers}"


def test_no_folder_imports_from_a_layer_above_it():
    rank = {layer: index for index, layer in enumerate(documented_layers())}
    modules = _modules()
    upward: dict[tuple[str, str], list[str]] = {}
    for name, path in modules.items():
        if name in OUTSIDE_THE_ORDER:
            continue
        for target in _imports(name, path, set(modules)) - OUTSIDE_THE_ORDER:
            below, above = _layer(name), _layer(target)
            if rank.get(above, -1) > rank.get(below, -1):
                upward.setdefault((below, above), []).append(f"{name} -> {target}")
    unexpected = {pair: found for pair, found in upward.items() if pair not in ORDER_EXCEPTIONS}
    assert not unexpected, f"imports from a layer above (see {LAYERS_DOC.name}): {unexpected}"
    gone = ORDER_EXCEPTIONS - set(upward)
    assert not gone, f"these exceptions do not occur: remove them here and in {LAYERS_DOC.name}: {gone}"


#: The package facades: a module-level ``__getattr__`` imports each name of ``__all__`` from its
#: module on first use (PEP 562), so the facade defines none of them and imports none at load time.
FACADES = ["mpcourse", "mpcourse.grading", "mpcourse.grading.judge"]
#: Where the package is imported from: the package itself, the tests, the benchmarks, the docs.
IMPORTERS = [PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "benchmarks", PACKAGE.parent / "docs"]


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """The module's statements, with those inside module-level ``if``/``try`` blocks."""
    statements, todo = [], list(tree.body)
    while todo:
        node = todo.pop(0)
        statements.append(node)
        if isinstance(node, ast.If):
            todo.extend([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            todo.extend([*node.body, *node.orelse, *node.finalbody, *(h for x in node.handlers for h in x.body)])
    return statements


def _defined_and_imported(path: Path) -> tuple[set[str], set[str]]:
    """The names a module defines (def, class, assignment) and those it only imports, at module level."""
    defined, imported = set(), set()
    for node in _top_level(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            imported.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
    return defined, imported - defined


def _declared_all(path: Path) -> list[str]:
    for node in _top_level(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                return [elt.value for elt in node.value.elts if isinstance(elt, ast.Constant)]
    return []


def _imports_of_names(path: Path, name: str | None) -> list[tuple[str, str, int]]:
    """``(module, imported name, line)`` for each ``from mpcourse... import name`` in the file."""
    package = None
    if name is not None:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = node.module or ""
        if node.level:
            if package is None:
                continue
            parent = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parent, base] if base else parent)
        if base == "mpcourse" or base.startswith("mpcourse."):
            found.extend((base, alias.name, node.lineno) for alias in node.names)
    return found


def test_no_module_re_exports_names_of_another_module():
    """``__all__`` lists names the module defines; a name is imported from the module that defines it."""
    modules = _modules()
    names = {module: _defined_and_imported(path) for module, path in modules.items()}
    re_exported = {
        module: sorted(set(_declared_all(path)) & names[module][1])
        for module, path in modules.items()
        if module not in FACADES and set(_declared_all(path)) & names[module][1]
    }
    assert not re_exported, f"__all__ lists names these modules import from elsewhere: {re_exported}"
    sideways = []
    for root in IMPORTERS:
        for path in sorted(root.rglob("*.py")):
            if "_build" in path.parts:
                continue
            own = next((m for m, p in modules.items() if p == path), None)
            for base, imported, line in _imports_of_names(path, own):
                if base in FACADES or f"{base}.{imported}" in modules or base not in modules:
                    continue
                if imported in names[base][1]:
                    where = path.relative_to(PACKAGE.parent)
                    sideways.append(f"{where}:{line} imports {imported} from {base}, which only imports it")
    assert not sideways, "import each name from the module that defines it:\n" + "\n".join(sideways)


@pytest.mark.parametrize("facade", FACADES)
def test_each_name_of_a_facade_resolves_by_import_on_first_use(facade):
    defined, imported = _defined_and_imported(_modules()[facade])
    assert "__getattr__" in defined, f"{facade} lists names it does not define and has no __getattr__ to import them"
    module = importlib.import_module(facade)
    lazy = set(module.__all__) - defined
    assert not lazy & imported, f"{facade} imports {sorted(lazy & imported)} at load time instead of on first use"
    for name in sorted(lazy):
        getattr(module, name)  # raises AttributeError if the facade points at the wrong module
