"""``%solution NAME``: the reference answer of exercise NAME in a new cell below, when a learner is stuck.

The NOT YET line of a failed check names the exercise; ``%solution`` alone lists
the exercises.  It is registered by ``%load_ext mpcourse`` and, the first time a
check fails, by :func:`stuck_hint`.
"""

from __future__ import annotations

from typing import Any

from ..course_format import solution_note
from . import solutions


def solution(ipython: Any, line: str) -> None:
    """``%solution NAME [PART]``: the reference answer of one exercise in a new cell below; no NAME lists them."""
    words = line.split()
    if not words:
        names = ", ".join(solutions.exercises())
        print(f"%solution NAME puts an exercise's reference answer in a new cell. The exercises: {names}")
        return
    try:
        exercise = solutions.find(words[0])
        solutions.check_allowed(exercise)
    except (solutions.UnknownExercise, solutions.NoSolutions) as exc:
        print(exc.args[0])
        return
    parts = solutions.solution_parts(exercise)
    part = int(words[1]) if len(words) > 1 and words[1].isdigit() else 1
    if not 1 <= part <= len(parts):
        print(f"{exercise.name} has {len(parts)} part(s): %solution {exercise.name} 1 to {len(parts)}")
        return
    ipython.set_next_input(f"{parts[part - 1]}\n{solution_note(exercise.name)}")  # the grader flags the note
    where = f"part {part} of {len(parts)} of the reference answer" if len(parts) > 1 else "the reference answer"
    print(f"{exercise.name}: {where} is in the new cell below. Run it, then run the check cell again.")
    if part < len(parts):
        print(f"Then, in a new cell below it: %solution {exercise.name} {part + 1}")


def register_solution(ipython: Any) -> None:
    """Register the ``%solution`` line magic."""

    def solution_magic(line: str) -> None:
        """Put the reference answer of an exercise in a new cell: %solution NAME (no NAME lists them)."""
        solution(ipython, line)

    ipython.register_magic_function(solution_magic, magic_kind="line", magic_name="solution")


def _register_magic() -> None:
    """Make ``%solution`` usable in this kernel, as the hint promises (no ``%load_ext`` needed)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell: Any = get_ipython()
    if shell is not None and "solution" not in shell.magics_manager.magics["line"]:
        register_solution(shell)


def stuck_hint(title: str) -> str:
    """What a failed check of an exercise adds to its hint: how to bring in the solution ("" if none)."""
    try:
        exercise = next((e for e in solutions.exercises().values() if e.title == title), None)
        if exercise is None:
            return ""
        solutions.check_allowed(exercise)
        _register_magic()
    except Exception:  # no course, no solutions, a master being edited: a hint must never break a check
        return ""
    return f". Stuck? %solution {exercise.name} brings in the reference answer"
