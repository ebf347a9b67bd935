"""Sphinx configuration of the mpcourse site: the chapters, the guides, the architecture, the API.

Build it from the repository's root (the ``docs`` extra installs what it needs):

    sphinx-build -W -n --keep-going -b html docs docs/_build/html

The chapters are the learner's copies of the notebooks of ``notebooks/``, rendered from
their stored outputs (never executed here: nbval and ``mpcourse.tools.refresh`` run them).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))  # _chapters.py, beside this file
sys.path.insert(0, str(ROOT))  # autodoc imports mpcourse from this checkout

from _chapters import copy_chapters  # noqa: E402

project = "mpcourse"
author = "mpcourse developers"
copyright = "mpcourse developers"
REPOSITORY = "https://github.com/mpcourse/mpcourse"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

# MyST-NB reads only files under this folder (executablebooks/MyST-NB#297), so each build
# writes the learner's copy of every notebook into chapters/ (git ignores it); see _chapters.py.
copy_chapters(ROOT / "notebooks", DOCS / "chapters", REPOSITORY)

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "off"  # the stored outputs, the ones nbval compares
nb_merge_streams = True  # a cell's stdout lines in one block, as in JupyterLab
# Widgets need a kernel: the site shows their text form, and loads no widget JavaScript from a CDN.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "mpcourse: Python multiprocessing, properly"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# No network at build time (CI has none), so no intersphinx: names of the standard library and of
# the course's dependencies in signatures stay plain text rather than links.
_OUTSIDE = sorted({*sys.stdlib_module_names, "numpy", "matplotlib", "ipywidgets", "IPython", "nbformat", "psutil"})
nitpick_ignore_regex = [
    ("py:.*", rf"({'|'.join(_OUTSIDE)})(\..*)?"),
    # docstrings that name a class by its short name; the API page documents it under its module's name
    ("py:class", r"TaskRecord|WorkerExplorer"),
]
