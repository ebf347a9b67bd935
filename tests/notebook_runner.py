"""Build small notebooks in code and execute them in a real kernel (nbclient)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

import nbformat
from nbclient import NotebookClient


def build_notebook(sources: Iterable[str]) -> nbformat.NotebookNode:
    """Return a notebook with one code cell per source string."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@contextmanager
def environment(changes: Mapping[str, str | None]):
    """Set (or, with ``None``, remove) environment variables for a kernel we start."""
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(sources: Iterable[str], env: Mapping[str, str | None] = {}, timeout: int = 60) -> nbformat.NotebookNode:
    """Execute cells in a fresh ``python3`` kernel; return the notebook with outputs (errors kept).

    The kernel gets Jupyter's environment, not pytest's (see :mod:`mpcourse.nbval_kernel`).
    """
    notebook = build_notebook(sources)
    with environment({"PYTEST_CURRENT_TEST": None, **env}):
        NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True).execute()
    return notebook


def stream_text(cell: nbformat.NotebookNode, name: str = "stdout") -> str:
    """All text a cell wrote to one stream."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == name)


def error_names(cell: nbformat.NotebookNode) -> list[str]:
    """Exception class names a cell ended with."""
    return [o.ename for o in cell.outputs if o.output_type == "error"]
