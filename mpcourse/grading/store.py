"""Each student's full result, kept beside their feedback as JSON: what regrading, exports and the report read.

``<feedback>/.results/<stem>.json`` (hidden: the feedback folder can be handed out as it
is) holds the automatic grade (what the notebooks earned) and the final one (with the
teacher's adjustments applied), so a change of adjustments is applied again without
running anything, and an export or the class report sees every check of every
student.  The grader writes these files itself; a file it cannot read is treated as
absent (that student is graded again).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .feedback import file_stem
from .gradebook import atomic_write_text
from .results import StudentGrade

__all__ = ["RESULTS_DIR", "ResultStore", "Stored"]

#: The folder of the results, inside the feedback folder.
RESULTS_DIR = ".results"


@dataclass(frozen=True)
class Stored:
    """One student's stored result: the automatic grade and the final one."""

    automatic: StudentGrade
    final: StudentGrade


class ResultStore:
    """The JSON results kept in a feedback folder."""

    def __init__(self, feedback_dir: str | Path) -> None:
        self.folder = Path(feedback_dir) / RESULTS_DIR

    def path(self, name: str) -> Path:
        """Where ``name``'s result is kept."""
        return self.folder / f"{file_stem(name)}.json"

    def save(self, automatic: StudentGrade, final: StudentGrade) -> None:
        """Keep a student's result (written atomically)."""
        data = {"automatic": automatic.to_json(), "final": final.to_json()}
        atomic_write_text(self.path(automatic.name), json.dumps(data, ensure_ascii=True, indent=1) + "\n")

    def load(self, name: str) -> Stored | None:
        """``name``'s result, or ``None`` when there is none (or it cannot be read)."""
        return self._read(self.path(name))

    def finals(self, names: Iterable[str]) -> list[StudentGrade]:
        """The final grade of each of ``names`` that has a stored result, in the order given."""
        found = ((name, self.load(name)) for name in names)
        return [stored.final for name, stored in found if stored is not None and stored.final.name == name]

    def _read(self, path: Path) -> Stored | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Stored(StudentGrade.from_json(data["automatic"]), StudentGrade.from_json(data["final"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def __iter__(self) -> Iterator[Stored]:
        """Every result kept in the folder."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.json")):
            stored = self._read(path)
            if stored is not None:
                yield stored
