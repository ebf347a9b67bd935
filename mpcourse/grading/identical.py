"""Students who handed in the same answer to an exercise: a signal for the teacher, never a verdict.

When a notebook is graded, :func:`answer_fingerprints` hashes the learner's own
answer to each exercise: the answer cells that exercise's check grades, as graded
(after :mod:`.merge`), with trailing spaces and line endings evened out and nothing
else (comments, names and spacing inside a line are what make a copy a copy).  An
answer leaves no fingerprint when it cannot say anything about copying:

- a cell that still holds the release stub (not attempted: two students who did
  nothing are not copying each other), or that equals the master's reference
  answer (the solution shown on demand is the same for everyone);
- an answer shorter than :data:`MIN_CHARACTERS` non-blank characters: a one-line
  answer (``answer = 42``) has few forms, and honest students write the same one.

:func:`identical_answers` groups the class's fingerprints; :func:`write_identical`
keeps the groups as a CSV the teacher opens (names through :func:`.neutralise.for_csv`).
The groups are shown to the teacher only, never in a student's feedback.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .gradebook import atomic_write_text
from .merge import Merged
from .neutralise import for_csv
from .notebook import Master
from .overrides import exercise_name
from .results import StudentGrade, by_name

__all__ = [
    "COLUMNS",
    "MIN_CHARACTERS",
    "IdenticalAnswers",
    "answer_fingerprints",
    "identical_answers",
    "identical_path",
    "write_identical",
]

#: Non-blank characters an answer needs before two identical copies of it are a signal.
MIN_CHARACTERS = 80
#: The columns of the CSV :func:`write_identical` writes: one row per student of a group.
COLUMNS = ("exercise", "group", "student", "same answer as")


def _even(source: str) -> str:
    """``source`` with line endings and trailing spaces evened out, blank lines at both ends dropped."""
    return "\n".join(line.rstrip() for line in source.replace("\r\n", "\n").strip("\n").splitlines()).strip("\n")


def answer_fingerprints(master: Master, merged: Merged) -> tuple[tuple[str, str], ...]:
    """``(check name, hash)`` for each exercise whose graded answer is the learner's own and long enough.

    Checks that grade the same answer cells give one fingerprint, under the first one's name.
    """
    cells = merged.notebook.cells
    answers = {answer.cell_id: answer for answer in master.answers}
    found, seen = [], set()
    for check in master.checks:
        if not check.answers or check.answers in seen:
            continue
        seen.add(check.answers)
        own = []
        for cell_id in check.answers:
            answer = answers.get(cell_id)
            if answer is None or not merged.attempted.get(cell_id):
                continue
            text = _even(cells[answer.index].source)
            if text != _even(master.notebook.cells[answer.index].source):
                own.append(f"{cell_id}\0{text}")
        if sum(len("".join(part.split())) for part in own) >= MIN_CHARACTERS:
            digest = hashlib.sha256("\0\0".join(own).encode("utf-8", "surrogatepass")).hexdigest()
            found.append((check.name, digest[:16]))
    return tuple(found)


@dataclass(frozen=True)
class IdenticalAnswers:
    """Students whose answers to one exercise are the same text: its short name and their names (sorted)."""

    exercise: str
    students: tuple[str, ...]


def identical_answers(grades: Sequence[StudentGrade]) -> list[IdenticalAnswers]:
    """Every group of two or more students with the same answer to an exercise, in exercise then name order."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    order: dict[tuple[str, str], int] = {}
    for grade in grades:
        for notebook in grade.notebooks:
            for check, digest in notebook.answers:
                order.setdefault((notebook.notebook, check), len(order))
                groups[(notebook.notebook, check, digest)].append(grade.name)
    found = [
        (order[(notebook, check)], IdenticalAnswers(exercise_name(notebook, check), tuple(sorted(names, key=by_name))))
        for (notebook, check, _), names in groups.items()
        if len(names) > 1
    ]
    found.sort(key=lambda item: (item[0], by_name(item[1].students[0])))
    return [group for _, group in found]


def identical_path(gradebook: str | Path) -> Path:
    """Where ``grade`` keeps the groups: ``<gradebook>-identical-answers.csv`` beside the gradebook."""
    gradebook = Path(gradebook)
    return gradebook.with_name(f"{gradebook.stem}-identical-answers.csv")


def write_identical(path: str | Path, groups: Sequence[IdenticalAnswers]) -> Path:
    """Write the groups as a CSV (:data:`COLUMNS`; only the header when there are none); return its path."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for number, group in enumerate(groups, start=1):
        for student in group.students:
            others = ", ".join(other for other in group.students if other != student)
            writer.writerow([for_csv(group.exercise), str(number), for_csv(student), for_csv(others)])
    atomic_write_text(path, buffer.getvalue())
    return Path(path)
