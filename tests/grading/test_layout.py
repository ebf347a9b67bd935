"""Is mpcourse/grading/ a pipeline you can read: no import cycle between its modules, none over 300 lines?"""

from __future__ import annotations

import ast
from pathlib import Path

import mpcourse.grading

GRADING = Path(mpcourse.grading.__file__).parent


def _imports(path: Path) -> set[str]:
    """The grading modules ``path`` imports, also under ``TYPE_CHECKING`` and inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found & {p.stem for p in GRADING.glob("*.py")}


def test_no_import_cycle():
    graph = {path.stem: _imports(path) for path in GRADING.glob("*.py") if path.stem != "__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module not in done:
            for imported in graph.get(module, ()):
                visit(imported, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())


def test_no_module_over_300_lines():
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in GRADING.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > 300} == {}
