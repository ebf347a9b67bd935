"""Find the submissions in a folder (one folder or one ``.zip`` per student) and read their notebooks safely.

Zips are never extracted: notebooks are read from them in memory, with size caps.
A zip with a member that would land outside its folder (``../x``, ``/etc/x``), a
symbolic link, too many members or too much uncompressed data (a zip bomb) is
rejected as a whole.  Only regular files are read (never a FIFO, socket or
device, never through a symbolic link), each with a byte cap, and every entry
of the submissions folder is either a submission or listed with the reason it
is not (:func:`survey`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .neutralise import student_name
from .results import by_name

__all__ = [
    "MAX_MEMBERS",
    "MAX_NOTEBOOK_BYTES",
    "MAX_ZIP_BYTES",
    "Submission",
    "discover",
    "near_key",
    "open_regular",
    "shard",
    "survey",
    "zip_problem",
]

#: Largest notebook file read (bigger is an invalid notebook).
MAX_NOTEBOOK_BYTES = 50 * 2**20
#: Largest total uncompressed size of a submission zip (bigger is rejected as a zip bomb).
MAX_ZIP_BYTES = 200 * 2**20
#: Most members a submission zip may have.
MAX_MEMBERS = 10_000

_IGNORED_DIRS = ("__MACOSX", "__pycache__")
#: Longest file name compared with the expected ones (names are learner content; the patterns stay cheap).
_MAX_NAME = 255
#: What a browser, JupyterLab, a file manager or a drive adds to a copy's name: ``(1)``, ``-Copy1``, `` copy 2``.
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d+\)|[\s_-]+copy\s*\d*)$")
_COPY_PREFIX = re.compile(r"^(?:copy of\s+)+")


class TooLarge(ValueError):
    """A notebook file over :data:`MAX_NOTEBOOK_BYTES`."""


def _ignored(parts: tuple[str, ...]) -> bool:
    """Folders a notebook is never taken from: hidden ones (``.ipynb_checkpoints``) and OS clutter."""
    return any(part.startswith(".") or part in _IGNORED_DIRS for part in parts)


def near_key(filename: str) -> str | None:
    """What a notebook's file name is a copy of, for comparing names (``None`` for other files).

    ``05_A_Pool (1).ipynb``, ``Copy of 05_a_pool.ipynb``, ``05_a_pool-Copy1.ipynb``
    and ``05 a pool copy 2.ipynb`` all give ``05_a_pool``.
    """
    if len(filename) > _MAX_NAME or not filename.lower().endswith(".ipynb"):
        return None
    stem, previous = _COPY_PREFIX.sub("", filename[: -len(".ipynb")].casefold().strip()), None
    while stem != previous:
        stem, previous = _COPY_SUFFIX.sub("", stem).strip(), stem
    return re.sub(r"[\s_-]+", "_", stem)


def open_regular(path: Path):
    """Open ``path`` for reading only if it is a regular file reached without a symbolic link (else OSError)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(f"{path.name} is a symbolic link") from None
        raise exc
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(f"{path.name} is not a regular file (a FIFO, socket or device)")
    return os.fdopen(descriptor, "rb")


def zip_problem(path: Path) -> str | None:
    """Why a submission zip is rejected, or ``None`` when it is safe to read."""
    try:
        with open_regular(path) as stream:
            if os.fstat(stream.fileno()).st_size > MAX_ZIP_BYTES:
                return f"zip rejected: the file is larger than {MAX_ZIP_BYTES // 2**20} MB"
            with zipfile.ZipFile(stream) as archive:
                members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return f"zip rejected: not a readable zip ({exc})"
    if len(members) > MAX_MEMBERS:
        return f"zip rejected: more than {MAX_MEMBERS} members"
    total = 0
    for member in members:
        name = member.filename.replace("\\", "/")
        pure = PurePosixPath(name)
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in pure.parts:
            return f"zip rejected: member {member.filename!r} points outside the folder"
        if stat.S_ISLNK(member.external_attr >> 16):
            return f"zip rejected: member {member.filename!r} is a symbolic link"
        total += member.file_size
        if total > MAX_ZIP_BYTES:
            return f"zip rejected: more than {MAX_ZIP_BYTES // 2**20} MB uncompressed (a zip bomb?)"
    return None


@dataclass(frozen=True)
class Submission:
    """One student's submission: a folder or a zip, named after the student (see :func:`.neutralise.student_name`).

    ``submitted`` is when it was handed in (seconds since the epoch), when the
    collection says so; else :meth:`handed_in` reads it from the files.
    """

    name: str
    path: Path
    problem: str | None = None
    submitted: float | None = None

    def read(self, filename: str) -> bytes | None:
        """The bytes of notebook ``filename`` (found at any depth, shallowest first), or ``None`` if absent.

        Raises :class:`TooLarge` for a file over the cap and :class:`OSError` or
        :class:`zipfile.BadZipFile` when the file cannot be read.
        """
        if self.path.is_dir():
            return self._read_folder(filename)
        return self._read_zip(filename)

    def notebook_names(self) -> list[str]:
        """The file name of every notebook in the submission, at any depth (not in hidden or OS folders), sorted.

        Raises :class:`OSError` or :class:`zipfile.BadZipFile` when the submission cannot be read.
        """
        if self.path.is_dir():
            names = set()
            for _folder, dirs, files in os.walk(self.path):
                dirs[:] = sorted(d for d in dirs if not _ignored((d,)))
                names.update(name for name in files if name.lower().endswith(".ipynb"))
            return sorted(names)
        with open_regular(self.path) as stream, zipfile.ZipFile(stream) as archive:
            parts = (PurePosixPath(m.filename.replace("\\", "/")).parts for m in archive.infolist() if not m.is_dir())
            return sorted({p[-1] for p in parts if p and p[-1].lower().endswith(".ipynb") and not _ignored(p[:-1])})

    def near_named(self, filename: str) -> list[str]:
        """Notebooks named like ``filename`` but not exactly (a second download, a copy, other case), sorted."""
        key = near_key(filename)
        return [name for name in self.notebook_names() if name != filename and near_key(name) == key]

    def digest(self, filenames: Sequence[str]) -> str:
        """A hash of what grading reads: ``filenames`` and every notebook beside them (or why one cannot be read)."""
        hasher = hashlib.sha256()
        if self.problem:
            hasher.update(b"problem\0" + self.problem.encode("utf-8", "backslashreplace"))
            with contextlib.suppress(OSError), open_regular(self.path) as stream:  # its size and first megabyte
                hasher.update(str(os.fstat(stream.fileno()).st_size).encode() + stream.read(2**20))
            return hasher.hexdigest()[:16]
        try:  # near-named copies count too: a resubmission as "05 (1).ipynb" changes what is graded
            names = sorted({*filenames, *self.notebook_names()})
        except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
            names = sorted(filenames)
        for filename in names:
            try:
                data = self.read(filename)
            except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError) as exc:
                data = f"unreadable: {type(exc).__name__}".encode()
            hasher.update(filename.encode() + b"\0" + (b"absent" if data is None else hashlib.sha256(data).digest()))
        return hasher.hexdigest()[:16]

    def handed_in(self) -> float | None:
        """When it was handed in: :attr:`submitted`, else the latest time a file of it was changed."""
        if self.submitted is not None:
            return self.submitted
        try:
            if not self.path.is_dir():
                return self.path.lstat().st_mtime
            times = [self.path.lstat().st_mtime]
            for folder, dirs, files in os.walk(self.path):
                dirs[:] = [d for d in dirs if not _ignored((d,))]
                times += [(Path(folder) / name).lstat().st_mtime for name in files if name.endswith(".ipynb")]
            return max(times)
        except OSError:
            return None

    def _read_folder(self, filename: str) -> bytes | None:
        found = []
        for folder, dirs, files in os.walk(self.path):
            relative = Path(folder).relative_to(self.path).parts
            dirs[:] = sorted(d for d in dirs if not _ignored((d,)))
            if filename in files:
                found.append((len(relative), Path(folder) / filename))
        if not found:
            return None
        with open_regular(min(found)[1]) as stream:
            data = stream.read(MAX_NOTEBOOK_BYTES + 1)
        if len(data) > MAX_NOTEBOOK_BYTES:
            raise TooLarge(f"{filename} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
        return data

    def _read_zip(self, filename: str) -> bytes | None:
        with open_regular(self.path) as stream, zipfile.ZipFile(stream) as archive:
            found = []
            for member in archive.infolist():
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if parts and parts[-1] == filename and not member.is_dir() and not _ignored(parts[:-1]):
                    found.append((len(parts), member.filename, member))
            if not found:
                return None
            member = min(found, key=lambda item: item[:2])[2]
            if member.file_size > MAX_NOTEBOOK_BYTES:
                raise TooLarge(f"{filename} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
            with archive.open(member) as stream:
                data = stream.read(MAX_NOTEBOOK_BYTES + 1)
            if len(data) > MAX_NOTEBOOK_BYTES:
                raise TooLarge(f"{filename} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
            return data


def survey(folder: str | Path) -> tuple[list[Submission], list[tuple[str, str]]]:
    """Every submission in ``folder`` (sorted as a person would), and every other entry with why it is not one.

    A student is a sub-folder or a ``.zip`` (named without ``.zip``); when both
    exist, the folder wins.  Hidden entries, links, loose files, FIFOs and
    devices are not graded.  A name is any bytes the filesystem allows (see
    :func:`.neutralise.student_name`); two entries whose names read the same
    are graded once, the other listed.
    """
    folder = Path(folder)
    found: dict[str, Submission] = {}
    unread: list[tuple[str, str]] = []
    entries = sorted(folder.iterdir())
    folders = {entry.name for entry in entries if not entry.is_symlink() and entry.is_dir()}
    for entry in entries:
        shown = student_name(entry.name)
        try:
            mode = entry.lstat().st_mode
        except OSError as exc:
            unread.append((shown, f"cannot be read ({exc.strerror})"))
            continue
        zip_name = entry.name[: -len(".zip")] if entry.name.lower().endswith(".zip") else None
        if entry.name.startswith("."):
            unread.append((shown, "hidden (the name starts with a dot); rename it to grade it"))
        elif stat.S_ISLNK(mode):
            unread.append((shown, "a symbolic link (not followed)"))
        elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
            unread.append((shown, "not a regular file or folder (a FIFO, socket or device)"))
        elif not stat.S_ISDIR(mode) and not zip_name:
            unread.append((shown, "not a folder or a .zip"))
        elif not stat.S_ISDIR(mode) and zip_name in folders:
            unread.append((shown, f"the folder {student_name(zip_name)}/ is graded instead"))
        else:
            name = student_name(entry.name if stat.S_ISDIR(mode) else zip_name)
            if name in found:
                unread.append((shown, f"its name reads as {name!r}, like {found[name].path.name!r}: rename one"))
            else:
                problem = None if stat.S_ISDIR(mode) else zip_problem(entry)
                found[name] = Submission(name, entry, problem)
    return sorted(found.values(), key=lambda submission: by_name(submission.name)), unread


def discover(folder: str | Path) -> list[Submission]:
    """Every submission in ``folder``, sorted by student name (see :func:`survey`)."""
    return survey(folder)[0]


def shard(submissions: list[Submission], index: int, count: int) -> list[Submission]:
    """Shard ``index`` of ``count`` (1-based): every ``count``-th submission, by sorted name."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: need 1 <= K <= N")
    ordered = sorted(submissions, key=lambda submission: submission.name)
    return ordered[index - 1 :: count]
