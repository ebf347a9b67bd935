"""Where the course's master notebooks are: inside the installed package, or in a checkout.

A wheel ships the repository's ``notebooks/`` as ``mpcourse/_course/`` (hatch
``force-include``); an editable install reads the checkout's ``notebooks/`` itself.
The masters hold the reference answers, so everything that reads solutions goes
through :func:`course_dir` (grading sandboxes hide ``mpcourse/_course/``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGED", "CourseNotFound", "course_dir", "course_files", "course_notebooks"]

_PACKAGE = Path(__file__).resolve().parent.parent
#: The course data inside an installed package.
PACKAGED = _PACKAGE / "_course"
_CHECKOUT = _PACKAGE.parent / "notebooks"
_SKIPPED = {".ipynb_checkpoints", "__pycache__"}


class CourseNotFound(FileNotFoundError):
    """Neither an installed copy of the course nor a checkout's ``notebooks/`` is there."""


def course_dir() -> Path:
    """The folder of the course's master notebooks (packaged first, then the checkout's ``notebooks/``)."""
    for candidate in (PACKAGED, _CHECKOUT):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise CourseNotFound(
        f"the course's notebooks are not installed ({PACKAGED} is missing) and there is no {_CHECKOUT}; "
        "reinstall mpcourse (pip install -e . in a clone of the course)"
    )


def course_notebooks(course: Path | None = None) -> list[Path]:
    """The master notebooks, in course order (by file name)."""
    return sorted((course or course_dir()).glob("*.ipynb"))


def course_files(course: Path | None = None) -> list[Path]:
    """Every other file of the course (``scripts/*.py`` and the like), relative to the course folder."""
    course = course or course_dir()
    files = []
    for path in sorted(course.rglob("*")):
        relative = path.relative_to(course)
        if not path.is_file() or _SKIPPED & set(relative.parts) or path.suffix in {".pyc", ".ipynb"}:
            continue
        files.append(relative)
    return files
