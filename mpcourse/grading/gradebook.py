"""The gradebook CSV: one row per student, a column per notebook, a total, a status; written atomically.

A value a spreadsheet would run as a formula (``=2+5``, ``+``, ``-``, ``@``) is stored after a ``'``,
which :func:`read_gradebook` removes again.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .results import STATUS, STUDENT, columns

__all__ = [
    "GradebookError",
    "atomic_write_text",
    "merge_gradebooks",
    "read_gradebook",
    "write_gradebook",
]

Row = Mapping[str, str]

# A spreadsheet runs a cell starting with one of these as a formula; such a value is stored after a "'".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def _neutral(value: str) -> str:
    """``value`` as stored: prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _restored(value: str) -> str:
    """The value :func:`_neutral` stored."""
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
    for name in sorted(rows):
        writer.writerow({key: _neutral(str(value)) for key, value in {**rows[name], STUDENT: name}.items()})
    return buffer.getvalue()


def write_gradebook(path: str | Path, rows: Mapping[str, Row], notebooks: Sequence[str] = ()) -> None:
    """Write ``{student: row}`` to ``path`` atomically, students sorted by name."""
    atomic_write_text(path, _csv_text(rows, notebooks))


def merge_gradebooks(paths: Iterable[str | Path]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Join gradebook parts (e.g. from ``--shard``); return the rows and the students found twice.

    A student in several parts keeps the row of the last part given.
    """
    rows: dict[str, dict[str, str]] = {}
    twice: list[str] = []
    for path in paths:
        for name, row in read_gradebook(path).items():
            if name in rows:
                twice.append(name)
            rows[name] = row
    return rows, sorted(set(twice))
