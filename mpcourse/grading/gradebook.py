"""The gradebook CSV: one row per student, a column per notebook, a total, a status; written atomically.

Every cell goes through :func:`.neutralise.for_csv`: one line, no control character or
path of the teacher's machine, and a value a spreadsheet would run as a formula
(``=2+5``, ``+``, ``-``, ``@``) stored after a ``'``, which :func:`read_gradebook` removes again.
Students are sorted as a person expects (:func:`.results.by_name`).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .neutralise import for_csv
from .results import GRADED, HASH, STATUS, STUDENT, by_name, columns

__all__ = [
    "GradebookError",
    "MergeConflict",
    "atomic_write_text",
    "merge_gradebooks",
    "read_gradebook",
    "write_gradebook",
]

Row = Mapping[str, str]


def _restored(value: str) -> str:
    """The value :func:`.neutralise.for_csv` stored."""
    return value[1:] if value.startswith("'") else value


class GradebookError(ValueError):
    """A file that is not a gradebook this tool wrote."""


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_gradebook(path: str | Path) -> dict[str, dict[str, str]]:
    """``{student: row}`` from a gradebook CSV; :class:`GradebookError` if it is not one."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            if STUDENT not in header or STATUS not in header:
                raise GradebookError(f"{path}: not a gradebook (no 'student' and 'status' columns)")
            rows = ({k: _restored(v or "") for k, v in row.items() if k is not None} for row in reader)
            return {row[STUDENT]: row for row in rows}
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GradebookError(f"{path}: not a gradebook ({exc})") from None


def _csv_text(rows: Mapping[str, Row], notebooks: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(rows.values(), notebooks), restval="", lineterminator="\n")
    writer.writeheader()
    for name in sorted(rows, key=by_name):
        writer.writerow({key: for_csv(str(value)) for key, value in {**rows[name], STUDENT: name}.items()})
    return buffer.getvalue()


def write_gradebook(path: str | Path, rows: Mapping[str, Row], notebooks: Sequence[str] = ()) -> None:
    """Write ``{student: row}`` to ``path`` atomically, students sorted as a person expects."""
    atomic_write_text(path, _csv_text(rows, notebooks))


class MergeConflict(GradebookError):
    """Parts that hold different rows for the same students, and no rule said which wins."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"different rows for the same student in several parts: {', '.join(names)}; "
            "say which wins (--prefer newest: the row graded last; --prefer last: the last part given)"
        )
        self.names = names


#: Which row wins when parts disagree about a student: the one graded last, or the one of the last part given.
PREFERENCES = ("newest", "last")


def _same(one: Row, other: Row) -> bool:
    """Do two rows say the same thing (apart from when they were graded)?"""
    return {k: v for k, v in one.items() if k != GRADED and v} == {k: v for k, v in other.items() if k != GRADED and v}


def merge_gradebooks(
    paths: Iterable[str | Path], prefer: str | None = None
) -> tuple[dict[str, dict[str, str]], dict[str, Path], list[str]]:
    """Join gradebook parts (e.g. from ``--shard``): the rows, the part each row came from, the students in conflict.

    A student in several parts with the same row is no conflict.  With different
    rows, ``prefer`` says which wins (see :data:`PREFERENCES`); without it,
    :class:`MergeConflict` names them.
    """
    if prefer is not None and prefer not in PREFERENCES:
        raise ValueError(f"prefer must be one of {', '.join(PREFERENCES)}, not {prefer!r}")
    rows: dict[str, dict[str, str]] = {}
    sources: dict[str, Path] = {}
    conflicts: set[str] = set()
    for path in paths:
        for name, row in read_gradebook(path).items():
            if name in rows and not _same(rows[name], row):
                conflicts.add(name)
                keep_old = prefer == "newest" and (rows[name].get(GRADED, ""), rows[name].get(HASH, "")) > (
                    row.get(GRADED, ""),
                    row.get(HASH, ""),
                )
                if keep_old:
                    continue
            rows[name], sources[name] = row, Path(path)
    names = sorted(conflicts, key=by_name)
    if names and prefer is None:
        raise MergeConflict(names)
    return rows, sources, names
