"""Collect submissions from where they live into a folder of folders that ``mpcourse grade`` reads.

Two sources besides a folder of folders or zips:

- nbgrader's exchange: ``submitted/<student>/<assignment>/`` (its ``timestamp.txt`` is
  when the student handed it in);
- an LMS bulk download: one zip whose files carry the student in their names, as
  Canvas (``smithjane_LATE_1234_5678_01_basics-1.ipynb``) and Moodle
  (``Jane Smith_1234_assignsubmission_file_01_basics.ipynb``, also in a folder of
  that name) write them.  Several attempts at one file keep the latest (its time in
  the archive, then its attempt number).

Each student's notebooks are copied to ``OUT/<student>/``, and when each was handed
in to ``OUT/.submitted.csv`` (``student,submitted,lms_id``), which ``grade`` reads
for lateness (:func:`attach_times`).  File and student names are data: only the
last part of a member's name is used, each notebook is capped in size, and the
archive is checked like any submission zip first.  Two students whose names differ
only in case or accents are not written (see :mod:`.collisions`): the others are, and
the error names them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .collisions import clashes
from .gradebook import atomic_write_text
from .neutralise import student_name
from .results import by_name
from .submissions import MAX_NOTEBOOK_BYTES, Submission, open_regular, zip_problem

__all__ = ["TIMES_FILE", "CollectError", "Collected", "attach_times", "collect_lms", "collect_nbgrader"]

#: Where a collection writes when each student handed in, inside the folder it fills.
TIMES_FILE = ".submitted.csv"


class CollectError(ValueError):
    """A source that cannot be collected from (the message says why and what to give instead)."""


@dataclass(frozen=True)
class Collected:
    """One student's collected submission: their notebooks, when handed in, their id in the LMS (if it says)."""

    student: str
    files: dict[str, bytes]
    submitted: float | None
    lms_id: str = ""


def _safe_file(name: str) -> str | None:
    """The last part of a file name, if it is one a student folder may hold (a notebook, not hidden)."""
    last = PurePosixPath(name.replace("\\", "/")).name
    return last if last.endswith(".ipynb") and not last.startswith(".") else None


def _previous_times(out: Path) -> list[list[str]]:
    """The rows of an earlier collection's :data:`TIMES_FILE` in ``out`` (none when absent or unreadable)."""
    try:
        with open(out / TIMES_FILE, encoding="utf-8", newline="") as stream:
            return [row for row in list(csv.reader(stream))[1:] if len(row) == 3]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _write(out: Path, collected: Sequence[Collected]) -> list[Path]:
    """Write each student's notebooks into ``out/<student>/`` and their times (kept for students not collected now).

    A student whose name differs from another's (collected now, or a folder already in ``out``) only in case or
    accents is not written: on macOS and Windows both would be one folder.  The others are; then
    :class:`CollectError` names them.
    """
    out.mkdir(parents=True, exist_ok=True)
    present = [student_name(entry.name) for entry in out.iterdir() if entry.is_dir()] if out.is_dir() else []
    clashing = clashes([*present, *(entry.student for entry in collected)])
    written = []
    rows = {row[0]: row for row in _previous_times(out)}
    for entry in collected:
        if entry.student in clashing:
            continue
        folder = out / entry.student
        folder.mkdir(exist_ok=True)
        for filename, data in entry.files.items():
            (folder / filename).write_bytes(data)
        written.append(folder)
        when = datetime.fromtimestamp(entry.submitted, timezone.utc).isoformat() if entry.submitted else ""
        rows[entry.student] = [entry.student, when, entry.lms_id]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["student", "submitted", "lms_id"], *sorted(rows.values())])
    atomic_write_text(out / TIMES_FILE, buffer.getvalue())
    refused = sorted({entry.student for entry in collected if entry.student in clashing}, key=by_name)
    if refused:
        pairs = "; ".join(f"{name} (like {', '.join(clashing[name])})" for name in refused)
        raise CollectError(
            f"collected {len(written)} students into {out}/, but not {pairs}: their names differ only in case or "
            "accents, and on macOS and Windows their folders would be one. Put their notebooks by hand into "
            "folders with distinct names (e.g. alice-2/)"
        )
    return sorted(written)


def collect_nbgrader(submitted: str | Path, assignment: str, out: str | Path) -> list[Path]:
    """Copy every ``submitted/<student>/<assignment>/`` notebook into ``out/<student>/``; return the folders."""
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise CollectError(f"{submitted} is not a folder (give nbgrader's submitted/ folder)")
    collected = []
    for student_dir in sorted(submitted.iterdir()):
        work = student_dir / assignment
        if student_dir.name.startswith(".") or student_dir.is_symlink() or not work.is_dir():
            continue
        files = {}
        for path in sorted(work.glob("*.ipynb")):
            with open_regular(path) as stream:
                data = stream.read(MAX_NOTEBOOK_BYTES + 1)
            if len(data) <= MAX_NOTEBOOK_BYTES:
                files[path.name] = data
        when = None
        stamp = work / "timestamp.txt"
        if stamp.is_file():
            when = _nbgrader_time(stamp.read_text(encoding="utf-8", errors="replace")[:100])
        collected.append(Collected(student_name(student_dir.name), files, when))
    if not collected:
        raise CollectError(f"no student in {submitted} has a folder {assignment}/ (is the assignment's name right?)")
    return _write(Path(out), collected)


def _nbgrader_time(text: str) -> float | None:
    """nbgrader's timestamp (``2026-12-01 22:10:03.123456 UTC``, or ISO 8601) as seconds since the epoch."""
    text = text.strip().replace(" UTC", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


# Moodle: "Full Name_1234_assignsubmission_file_name.ipynb" (or a folder "Full Name_1234_assignsubmission_file_/").
_MOODLE = re.compile(r"^(?P<student>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_/?(?P<file>.*)$")
# Canvas: "lastfirst_[LATE_]userid_submissionid_name[-N].ipynb".
_CANVAS = re.compile(r"^(?P<student>[^_/]+)_(?:LATE_)?(?P<id>\d+)_\d+_(?P<file>[^/]+)$")
_ATTEMPT = re.compile(r"^(?P<stem>.+?)-(?P<attempt>\d+)\.ipynb$")


def _lms_entry(name: str) -> tuple[str, str, str, int] | None:
    """``(student, lms id, notebook file, attempt)`` from an LMS archive member's name, or ``None``."""
    for pattern in (_MOODLE, _CANVAS):
        match = pattern.match(name.replace("\\", "/").lstrip("/"))
        if match:
            filename = _safe_file(match["file"])
            student = match["student"]
            if filename is None or "/" in student or student.startswith(".") or not student.strip():
                return None  # not a notebook, or a "student" that would be a path or a hidden folder
            attempt = _ATTEMPT.match(filename)
            if attempt and pattern is _CANVAS:
                return match["student"], match["id"], f"{attempt['stem']}.ipynb", int(attempt["attempt"])
            return match["student"], match["id"], filename, 0
    return None


def collect_lms(archive: str | Path, out: str | Path) -> list[Path]:
    """Copy the notebooks of an LMS bulk-download zip into ``out/<student>/``, the latest attempt of each file."""
    archive = Path(archive)
    problem = zip_problem(archive)
    if problem:
        raise CollectError(f"{archive}: {problem}")
    latest: dict[tuple[str, str], tuple[tuple[datetime, int], zipfile.ZipInfo, str]] = {}
    with open_regular(archive) as stream, zipfile.ZipFile(stream) as bundle:
        for member in bundle.infolist():
            entry = None if member.is_dir() else _lms_entry(member.filename)
            if entry is None:
                continue
            student, lms_id, filename, attempt = entry
            key = (datetime(*member.date_time), attempt)
            previous = latest.get((student, filename))
            if previous is None or key > previous[0]:
                latest[(student, filename)] = (key, member, lms_id)
        students: dict[str, Collected] = {}
        for (student, filename), ((when, _), member, lms_id) in latest.items():
            if member.file_size > MAX_NOTEBOOK_BYTES:
                continue
            with bundle.open(member) as data_stream:
                data = data_stream.read(MAX_NOTEBOOK_BYTES + 1)
            stamp = when.astimezone().timestamp()
            name = student_name(student)
            entry = students.get(name) or Collected(name, {}, None, lms_id)
            entry.files[filename] = data
            students[name] = replace(entry, submitted=max(stamp, entry.submitted or stamp))
    if not students:
        raise CollectError(
            f"{archive}: no notebook named as Canvas or Moodle name them "
            "(name_1234_5678_file.ipynb or Full Name_1234_assignsubmission_file_file.ipynb)"
        )
    return _write(Path(out), list(students.values()))


def attach_times(
    folder: str | Path, submissions: Sequence[Submission], unread: Sequence[tuple[str, str]]
) -> tuple[list[Submission], list[tuple[str, str]]]:
    """The submissions with the time the collection recorded for each (:data:`TIMES_FILE`), and ``unread``
    without that file."""
    path = Path(folder) / TIMES_FILE
    times: dict[str, float] = {}
    if path.is_file():
        try:
            with open(path, encoding="utf-8", newline="") as stream:
                for row in csv.DictReader(stream):
                    when = _nbgrader_time(row.get("submitted") or "")
                    if when is not None:
                        times[row.get("student") or ""] = when
        except (OSError, UnicodeDecodeError, csv.Error):
            times = {}
    timed = [replace(s, submitted=times[s.name]) if s.name in times else s for s in submissions]
    return timed, [(name, why) for name, why in unread if name != TIMES_FILE]
