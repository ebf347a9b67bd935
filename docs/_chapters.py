"""Write the learner's copy of each chapter into the site's source folder, for MyST-NB to render.

MyST-NB reads only documents under Sphinx's source folder (executablebooks/MyST-NB#297
is open; nbsphinx-link does this for nbsphinx only), and a symlink would not survive
every checkout, so ``conf.py`` calls ``copy_chapters`` at the start of each build.
What is written is the release's student copy (``mpcourse release``): the demos with
their stored outputs, the exercises as stubs, no hidden checks, so the site shows no
answer a learner has not asked for.  A copy is written only when its bytes change, so
Sphinx's incremental build re-renders only what changed.  A link to the course
overview (``README.md`` beside the chapters) goes to the site's index; links that
leave ``notebooks/`` go to the site's own page for the same thing (``../README.md``:
the site's index) or else to the file in the repository.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import nbformat

from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy

_LEAVING_LINK = re.compile(r"\]\(\.\./([^)\s]+)\)")
#: Files beside notebooks/ that the site has a page for, and that page, from docs/chapters/.
SITE_PAGES = {"README.md": "../index.md"}
#: The course overview beside the chapters (notebooks/README.md): the site's index says the same.
_OVERVIEW_LINK = re.compile(r"\]\(README\.md\)")


def _site_link(target: str, repository: str) -> str:
    return SITE_PAGES.get(target) or f"{repository}/blob/main/{target}"


def _site_text(master: Path, repository: str) -> bytes:
    """The learner's copy of ``master``, its links out of ``notebooks/`` made absolute."""
    notebook = student_copy(load_master(master, executed=False))
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _LEAVING_LINK.sub(lambda m: f"]({_site_link(m[1], repository)})", cell.source)
            cell.source = _OVERVIEW_LINK.sub("](../index.md)", cell.source)
    return nbformat.writes(notebook).encode("utf-8")


def _write_if_changed(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    # atomic: two builds at once (a test and a developer) never read half a notebook
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


def copy_chapters(source: Path, target: Path, repository: str) -> list[Path]:
    """Write the learner's copy of each ``source/*.ipynb`` into ``target``, removing stale ones; return them."""
    target.mkdir(exist_ok=True)
    copies = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy = target / notebook.name
        _write_if_changed(copy, _site_text(notebook, repository))
        copies.append(copy)
    for stale in set(target.glob("*.ipynb")) - set(copies):
        stale.unlink()
    return copies
