"""A notebook as the learner's copy holds it: no results from another machine, and what of it is the learner's.

The copy holds no outputs or execution counts (the learner sees their own numbers
when they run the cells) and already carries the metadata the learner's kernel
writes on opening (``kernelspec``, ``language_info``), so opening a notebook does
not change it.  Whether the learner changed a notebook is judged by what they can
change: the cells, their kinds and their sources, never outputs or metadata that
running and saving rewrite.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

__all__ = ["KERNELSPEC", "clean_copy", "kernel_language_info", "learner_digest"]

#: What JupyterLab writes as ``metadata.kernelspec`` when ipykernel's ``python3`` kernel opens a notebook.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Maintainer-machine state a copy must not carry: widget models of the masters' last run.
_DROPPED_METADATA = ("widgets",)


def kernel_language_info() -> dict[str, Any]:
    """``metadata.language_info`` as ipykernel's kernel on this Python reports it (and JupyterLab saves it)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": sys.version.split()[0],
    }


def clean_copy(notebook: Any) -> Any:
    """``notebook`` (an nbformat node, changed in place) without outputs and counts, with this kernel's metadata."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    for key in _DROPPED_METADATA:
        notebook.metadata.pop(key, None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = kernel_language_info()
    return notebook


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def learner_digest(data: bytes) -> str | None:
    """SHA-256 of what a learner can change in a notebook file: its cells' ids, kinds and sources.

    ``None`` when ``data`` is not a notebook (then compare the bytes).
    """
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        content = [[cell.get("id"), cell["cell_type"], _text(cell.get("source"))] for cell in cells]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None
    return hashlib.sha256(json.dumps(content).encode("utf-8")).hexdigest()
