"""Exercises and their reference answers, shown only when the learner asks (``%solution NAME``).

An exercise is a check cell of a master notebook with the answer cells it grades
(:func:`mpcourse.course_format.exercises`).  Its NAME is the check function the
check cell calls, without ``check_`` (``check_run_all(run_all)`` → ``run_all``),
or, failing that, the check cell's id; a name two notebooks share is prefixed
with the notebook's number (``03_cubes``).  A notebook released with
``release --no-solutions`` says so in its metadata (``"mpcourse": {"solutions": false}``),
and then no solution of it is given.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from pathlib import Path

from ..course_format import ANSWER, OPTIONS, SOLUTIONS, Exercise, cell_tags, solution_source, source_text
from ..course_format import exercises as exercises_of
from .course import course_dir, course_notebooks

__all__ = [
    "NoSolutions",
    "UnknownExercise",
    "check_allowed",
    "exercises",
    "find",
    "notebook_allows_solutions",
    "solution_parts",
]


class UnknownExercise(LookupError):
    """No exercise of the course has that name."""


class NoSolutions(PermissionError):
    """The learner's notebook was released without solutions."""


def _notebook_exercises(path: Path, found: list[Exercise], sources: dict[tuple[str, str], str]) -> None:
    """Read one master as plain JSON (fast: a kernel reads it at its first NOT YET)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and ANSWER in cell_tags(cell):
            sources[(path.name, cell["id"])] = solution_source(source_text(cell.get("source")))
    found += [e for e in exercises_of(notebook, path.name) if not e.hidden and e.answers]


@functools.lru_cache(maxsize=4)
def _index(course: Path) -> tuple[dict[str, Exercise], dict[tuple[str, str], str]]:
    """Exercises by name, and every answer cell's solution by (notebook, cell id)."""
    found: list[Exercise] = []
    sources: dict[tuple[str, str], str] = {}
    for path in course_notebooks(course):
        _notebook_exercises(path, found, sources)
    counts: dict[str, int] = {}
    for exercise in found:
        counts[exercise.name] = counts.get(exercise.name, 0) + 1
    named = {}
    for exercise in found:
        if counts[exercise.name] > 1:
            prefix = exercise.notebook.split("_", 1)[0]
            exercise = dataclasses.replace(exercise, name=f"{prefix}_{exercise.name}")
        named[exercise.name] = exercise
    return named, sources


def exercises(course: Path | None = None) -> dict[str, Exercise]:
    """Every exercise of the course by name, in course order."""
    return _index((course or course_dir()).resolve())[0]


def find(name: str, course: Path | None = None) -> Exercise:
    """The exercise called ``name``; :class:`UnknownExercise` lists the names there are."""
    known = exercises(course)
    if name in known:
        return known[name]
    import difflib

    close = difflib.get_close_matches(name, known, n=3)
    maybe = f"did you mean {' or '.join(close)}? " if close else ""
    raise UnknownExercise(f"no exercise is called {name!r}; {maybe}the exercises are: {', '.join(known)}")


def solution_parts(exercise: Exercise, course: Path | None = None) -> list[str]:
    """The reference answer of ``exercise``: one source per answer cell, in notebook order."""
    sources = _index((course or course_dir()).resolve())[1]
    return [sources[(exercise.notebook, cell_id)] for cell_id in exercise.answer_ids]


def _learner_notebook(exercise: Exercise) -> Path | None:
    """The learner's notebook an exercise is in: the kernel's own notebook, else its namesake here."""
    session = os.environ.get("JPY_SESSION_NAME", "")  # set by Jupyter Server for the kernels it starts
    candidates = [Path(session)] if session.endswith(".ipynb") else []
    candidates.append(Path.cwd() / exercise.notebook)
    return next((path for path in candidates if path.is_file()), None)


def notebook_allows_solutions(path: Path | None) -> bool:
    """False when the notebook at ``path`` was released with ``--no-solutions``."""
    if path is None:
        return True
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return True
    options = metadata.get(OPTIONS) if isinstance(metadata, dict) else None
    return not (isinstance(options, dict) and options.get(SOLUTIONS) is False)


def check_allowed(exercise: Exercise) -> None:
    """Raise :class:`NoSolutions` when the learner's notebook of ``exercise`` was released without them."""
    notebook = _learner_notebook(exercise)
    if not notebook_allows_solutions(notebook):
        raise NoSolutions(
            f"{notebook.name} was released without solutions (graded work): %solution gives none. "
            "Read the check's hint again, or ask your teacher."
        )
