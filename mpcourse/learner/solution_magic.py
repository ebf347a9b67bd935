"""``%solution NAME``: the reference answer of exercise NAME in the cell that asked for it, when a learner is stuck.

The NOT YET line of a failed check names the exercise (:func:`stuck_hint`, a hint
hook of :mod:`mpcourse.checks`); ``%solution`` alone lists the exercises.  Both are
installed by ``%load_ext mpcourse`` (:func:`register_solution`).

The reference answer replaces ``%solution NAME`` in its own cell and runs there, so
the learner's next Shift+Enter (on the check below) uses it, and running the cell
again (or Run All) runs the answer instead of adding another copy of it.
"""

from __future__ import annotations

from typing import Any

from ..checks import add_hint_hook
from ..course_format import solution_note
from . import solutions


def solution(ipython: Any, line: str) -> None:
    """``%solution NAME [PART]``: an exercise's reference answer, run in place of this cell's text (no NAME: a list)."""
    words = line.split()
    if not words:
        names = ", ".join(solutions.exercises())
        print(f"%solution NAME puts an exercise's reference answer in its cell. The exercises: {names}")
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
    answer = f"{parts[part - 1]}\n{solution_note(exercise.name)}"  # the grader flags the note
    ipython.set_next_input(answer, replace=True)
    where = f"Part {part} of {len(parts)} of the reference answer" if len(parts) > 1 else "The reference answer"
    print(f"{where} of {exercise.name} is now in this cell, in place of %solution, and has run.")
    if part < len(parts):
        print(f"Next, in a new cell below it: %solution {exercise.name} {part + 1}")
    else:
        print("Now run the check cell again.")
    ipython.run_cell(parts[part - 1], store_history=False)


def register_solution(ipython: Any) -> None:
    """Register the ``%solution`` line magic, and the hint that names it under a failed exercise's check."""

    def solution_magic(line: str) -> None:
        """Put the reference answer of an exercise in this cell, and run it: %solution NAME (no NAME lists them)."""
        solution(ipython, line)

    ipython.register_magic_function(solution_magic, magic_kind="line", magic_name="solution")
    add_hint_hook(stuck_hint)


def stuck_hint(title: str) -> str:
    """What a failed check of an exercise adds to its hint: how to bring in the solution ("" if none)."""
    try:
        exercise = next((e for e in solutions.exercises().values() if e.title == title), None)
        if exercise is None:
            return ""
        solutions.check_allowed(exercise)
    except Exception:  # no course, no solutions, a master being edited: a hint must never break a check
        return ""
    return f". Stuck? %solution {exercise.name} brings in the reference answer"
