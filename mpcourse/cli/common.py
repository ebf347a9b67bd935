"""What every command shares: exit statuses, error messages, and finding and loading the master notebooks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "MASTER_HELP",
    "default_master_dir",
    "error",
    "load_masters",
    "stored_class",
    "stored_grades",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: The help of ``--master`` (release and grade).
MASTER_HELP = "folder of master notebooks (default: the course's notebooks/)"


def default_master_dir() -> Path | None:
    """The course's ``notebooks/``: next to the package (a checkout), here, else the installed course."""
    from ..learner.course import PACKAGED

    checkout = Path(__file__).resolve().parent.parent.parent / "notebooks"
    for candidate in (checkout, Path.cwd() / "notebooks", PACKAGED):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def error(command: str, message: str, code: int = EXIT_USAGE) -> int:
    """Print ``mpcourse COMMAND: error: MESSAGE`` to stderr; return ``code``."""
    print(f"mpcourse {command}: error: {message}", file=sys.stderr)
    return code


def load_masters(directory: Path | None, command: str, executed: bool = True) -> tuple[list[Any] | None, int]:
    """Load every master notebook; return ``(masters, EXIT_OK)`` or ``(None, exit status)`` after an error."""
    from ..grading.notebook import MasterError, load_master

    directory = directory or default_master_dir()
    if directory is None:
        return None, error(command, "no notebooks/ folder found; name the masters with --master DIR")
    paths = sorted(directory.glob("*.ipynb"))
    if not paths:
        return None, error(command, f"no .ipynb files in {directory}")
    try:
        return [load_master(path, executed=executed) for path in paths], EXIT_OK
    except MasterError as exc:
        return None, error(command, f"master notebook: {exc}")


def stored_class(gradebook: Path, feedback: Path | None, command: str) -> tuple[tuple[list, dict] | None, int]:
    """The gradebook's rows and the final grades of its students (from the results beside their feedback);
    or an error."""
    from ..grading.gradebook import GradebookError, read_gradebook
    from ..grading.results import by_name
    from ..grading.store import ResultStore

    try:
        rows = read_gradebook(gradebook)
    except (GradebookError, OSError) as exc:
        return None, error(command, f"{exc}; name the gradebook with --gradebook")
    grades = ResultStore(feedback or gradebook.parent / "feedback").finals(sorted(rows, key=by_name))
    if rows and not grades:
        return None, error(command, f"no graded results beside {gradebook} (grade it with this version first)")
    return (grades, rows), EXIT_OK


def stored_grades(gradebook: Path, feedback: Path | None, command: str) -> tuple[list[Any] | None, int]:
    """The final grades of the gradebook's students, from the results beside their feedback; or an error."""
    found, code = stored_class(gradebook, feedback, command)
    return (found[0] if found else None), code
