"""The learner's own copy of the course: student copies of every notebook, kept across course updates.

``prepare`` writes what is missing and updates what the learner never touched; a
file the learner changed is never overwritten.  What was written is remembered in
``.mpcourse/manifest.json`` inside the copy (a SHA-256 per file), which is how a
changed file is told from an untouched one, and a newer course version from the old.
For a notebook the SHA-256 covers what the learner can change (its cells and their
sources, :func:`~mpcourse.learner.notebook_state.learner_digest`), so a notebook
that was only opened, run and saved still counts as untouched.

The notebooks arrive clean (:func:`~mpcourse.learner.notebook_state.clean_copy`):
no outputs from the maintainer's machine, and the metadata the learner's kernel
writes on opening already in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course import course_dir, course_files, course_notebooks
from .notebook_state import clean_copy, learner_digest

__all__ = [
    "ADDED",
    "KEPT",
    "MANIFEST",
    "NEWER",
    "RESTORED",
    "UNCHANGED",
    "UPDATED",
    "FileState",
    "default_workspace",
    "prepare",
]

#: Where a workspace remembers what it was given, relative to the workspace.
MANIFEST = Path(".mpcourse") / "manifest.json"
#: The folder ``mpcourse start`` uses when none is named: one a learner finds again.
DEFAULT_NAME = "my-mpcourse"

ADDED = "added"  # new in the course, now in the learner's copy
RESTORED = "restored"  # the learner had deleted it: a fresh copy
UPDATED = "updated"  # the learner never changed it, and the course has a newer version: replaced
UNCHANGED = "unchanged"  # as the course gave it
KEPT = "kept"  # the learner's own version (changed by them); the course's has not changed
NEWER = "newer in the course"  # the learner's own version is kept, and the course has a newer one


@dataclass(frozen=True)
class FileState:
    """What ``prepare`` did with one file of the course."""

    path: Path  # relative to the workspace
    state: str


def default_workspace() -> Path:
    """``~/my-mpcourse``: the learner's copy when no folder is named."""
    return Path.home() / DEFAULT_NAME


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a copy is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _student_copies(course: Path) -> dict[Path, bytes]:
    """Every file of the learner's copy as the course gives it today: notebooks as clean student copies."""
    import nbformat

    from ..student_copy import student_copy

    files = {}
    for path in course_notebooks(course):
        notebook = clean_copy(nbformat.from_dict(student_copy(nbformat.read(path, as_version=4))))
        files[Path(path.name)] = (nbformat.writes(notebook) + "\n").encode("utf-8")
    for relative in course_files(course):
        files[relative] = (course / relative).read_bytes()
    return files


def _fingerprint(data: bytes) -> str:
    """What the manifest remembers of a file: what the learner can change of a notebook, else all its bytes."""
    return learner_digest(data) or _digest(data)


def _read_manifest(workspace: Path) -> dict[str, str]:
    try:
        data = json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def prepare(workspace: str | Path, course: Path | None = None) -> list[FileState]:
    """Bring the learner's copy in ``workspace`` up to date with the course without losing their work.

    Raises :class:`ValueError` when ``workspace`` is the course's own folder.
    """
    workspace = Path(workspace).expanduser()
    course = course or course_dir()
    if workspace.resolve() == course.resolve():
        raise ValueError(f"{workspace} holds the course's master notebooks: choose another folder for your copy")
    if workspace.exists() and not workspace.is_dir():
        raise ValueError(f"{workspace} is a file, not a folder")
    given = _read_manifest(workspace)
    states = []
    for relative, data in _student_copies(course).items():
        key, target, new = relative.as_posix(), workspace / relative, _fingerprint(data)
        old = given.get(key)
        if not target.exists():
            _write_atomically(target, data)
            given[key], state = new, (RESTORED if old else ADDED)
        else:
            mine = target.read_bytes()
            current = _fingerprint(mine)
            if current == new:
                given[key], state = new, UNCHANGED
            elif old is None:
                state = NEWER  # a file of the learner's own with the course's name: never replaced
            elif old in (current, _digest(mine)):  # untouched (a manifest may still hold whole-file digests)
                _write_atomically(target, data)
                given[key], state = new, UPDATED
            else:
                state = KEPT if new == old else NEWER
        states.append(FileState(relative, state))
    manifest = {"about": "what mpcourse start gave this folder (SHA-256 per file); do not edit", "files": given}
    _write_atomically(workspace / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return states
