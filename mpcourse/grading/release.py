"""``mpcourse release``: write the student copies of the master notebooks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat

from .. import student_copy as copies
from ..course_format import OPTIONS, SOLUTIONS
from .notebook import Master

__all__ = ["release", "student_copy"]


def student_copy(master: Master) -> nbformat.NotebookNode:
    """The notebook a learner gets from ``master`` (see :func:`mpcourse.student_copy.student_copy`), validated."""
    notebook = nbformat.from_dict(copies.student_copy(master.notebook))
    nbformat.validate(notebook)
    return notebook


def release(masters: Iterable[Master], out_dir: str | Path, *, solutions: bool = True) -> list[Path]:
    """Write one student copy per master into ``out_dir``; return the paths written.

    Refuses to write into the masters' own folder, which would overwrite them.
    Without ``solutions`` each copy's metadata says so (``"mpcourse": {"solutions": false}``),
    and ``%solution`` then gives no reference answer in it (for graded work).
    """
    out_dir = Path(out_dir)
    masters = list(masters)
    for master in masters:
        if out_dir.resolve() == master.path.parent.resolve():
            raise ValueError(f"{out_dir} is the masters' folder: releasing there would overwrite them")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for master in masters:
        target = out_dir / master.path.name
        notebook = student_copy(master)
        if not solutions:
            notebook.metadata.setdefault(OPTIONS, {})[SOLUTIONS] = False
        nbformat.write(notebook, target)
        written.append(target)
    return written
