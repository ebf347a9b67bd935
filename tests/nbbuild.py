"""Build small notebooks in code: the one way tests, fixtures and benchmarks make them.

A cell can be made "as if run" (an execution count, a stored stdout and result),
which is what nbval compares a re-run against.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

__all__ = ["KERNELSPEC", "code_cell", "markdown_cell", "notebook", "write"]

#: The kernel every built notebook names (the one ipykernel installs).
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def code_cell(
    source: str,
    id: str | None = None,
    count: int | None = None,
    stdout: str = "",
    result: str | None = None,
    tags: Iterable[str] = (),
    **meta: object,
) -> nbformat.NotebookNode:
    """A code cell; with ``count`` it looks run: ``stdout`` and ``result`` (``text/plain``) become its outputs.

    ``tags`` go in ``metadata.tags``, any other keyword in ``metadata.mpcourse`` (``points=2``).
    """
    cell = new_code_cell(source, execution_count=count, **({"id": id} if id else {}))
    if stdout:
        cell.outputs.append(new_output("stream", name="stdout", text=stdout))
    if result is not None:
        cell.outputs.append(new_output("execute_result", {"text/plain": result}, execution_count=count))
    if tags:
        cell.metadata["tags"] = list(tags)
    if meta:
        cell.metadata["mpcourse"] = dict(meta)
    return cell


def markdown_cell(source: str, id: str | None = None) -> nbformat.NotebookNode:
    """A markdown cell."""
    return new_markdown_cell(source, **({"id": id} if id else {}))


def notebook(cells: Iterable[nbformat.NotebookNode | str]) -> nbformat.NotebookNode:
    """A notebook of these cells (a plain string becomes a code cell), naming the ``python3`` kernel."""
    built = [code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    return new_notebook(cells=built, metadata={"kernelspec": dict(KERNELSPEC)})


def write(path: str | Path, cells: Iterable[nbformat.NotebookNode | str]) -> Path:
    """Write a notebook of these cells to ``path``; return the path."""
    path = Path(path)
    nbformat.write(notebook(cells), path)
    return path
