"""``%%worker``: a function written in a notebook cell, importable by any child.

Spawn and forkserver children import a task's function by module and name, and
cannot see a notebook's cells.  ``%%worker`` saves the cell as a module in a
per-kernel folder on ``sys.path`` (children inherit ``sys.path``), imports it and
binds its names in the notebook.  The module is named after a hash of the cell,
so re-running an edited cell gives a new module and children pick up the change.

Load it once per notebook with ``%load_ext mpcourse``, then::

    %%worker
    def shout(word):
        return word.upper()
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from ..course_format import WORKER_MAGIC, worker_module_name

__all__ = ["cell_directory", "define_worker", "public_names", "register_worker"]

_directory: Path | None = None


def cell_directory() -> Path:
    """Return this process's folder of saved cells, creating it and putting it on ``sys.path``."""
    global _directory
    if _directory is None:
        _directory = Path(tempfile.mkdtemp(prefix="mpcourse-cells-"))
        atexit.register(shutil.rmtree, _directory, ignore_errors=True)
    if str(_directory) not in sys.path:
        sys.path.insert(0, str(_directory))
    return _directory


def define_worker(source: str) -> ModuleType:
    """Save ``source`` as an importable module and return it (imported)."""
    name = worker_module_name(source)
    if name in sys.modules:
        return sys.modules[name]
    path = cell_directory() / f"{name}.py"
    compile(source, f"<%%worker cell {name}>", "exec")  # a syntax error leaves no file behind
    path.write_text(source, encoding="utf-8")
    importlib.invalidate_caches()
    try:
        return importlib.import_module(name)
    except BaseException:
        sys.modules.pop(name, None)
        path.unlink(missing_ok=True)
        raise


def public_names(module: ModuleType) -> dict[str, Any]:
    """Return the names a cell defined (not dunders, not private names)."""
    return {k: v for k, v in vars(module).items() if not k.startswith("_")}


def register_worker(ipython: Any) -> None:
    """Register the ``%%worker`` cell magic."""

    def worker(line: str, cell: str) -> None:
        """Define importable worker functions: the cell is saved as a module (import what it uses)."""
        module = define_worker(cell)
        ipython.user_ns.update(public_names(module))

    ipython.register_magic_function(worker, magic_kind="cell", magic_name=WORKER_MAGIC)
