"""Copy the course's notebooks into the site's source folder, for MyST-NB to render.

MyST-NB reads only documents under Sphinx's source folder (executablebooks/MyST-NB#297
is open), and a symlink would not survive every checkout, so ``conf.py`` calls
``copy_chapters`` at the start of each build.  A notebook is written only when its
bytes change, so Sphinx's incremental build re-renders only what changed.  Links that
leave ``notebooks/`` (``../README.md``) point at the repository instead: the site holds
no copy of the files around the notebooks.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

_LEAVING_LINK = re.compile(r"\]\(\.\./([^)\s]+)\)")


def _site_text(notebook: bytes, repository: str) -> bytes:
    """The notebook with its links out of ``notebooks/`` made absolute; everything else as stored."""
    data = json.loads(notebook)
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"]
        lines = source if isinstance(source, list) else [source]
        cell["source"] = [_LEAVING_LINK.sub(rf"]({repository}/blob/main/\1)", line) for line in lines]
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _write_if_changed(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    # atomic: two builds at once (a test and a developer) never read half a notebook
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


def copy_chapters(source: Path, target: Path, repository: str) -> list[Path]:
    """Copy ``source/*.ipynb`` into ``target``, removing copies whose notebook is gone; return the copies."""
    target.mkdir(exist_ok=True)
    copies = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy = target / notebook.name
        _write_if_changed(copy, _site_text(notebook.read_bytes(), repository))
        copies.append(copy)
    for stale in set(target.glob("*.ipynb")) - set(copies):
        stale.unlink()
    return copies
