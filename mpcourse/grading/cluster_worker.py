"""A dask worker's side of cluster grading: the course files by content, the worker's settings, its checks.

Runs in each worker process (see :mod:`.cluster` for the client's side)::

    CourseFiles          a worker plugin: the masters and sanitize rules, kept by sha256
    worker_problems      what a worker lacks to grade (version, files, limits, sandbox, a one-cell notebook)
    grade_here           one task: the local grader's function with this worker's master, settings and preflight
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from .cluster_submission import SentSubmission
from .limits import rlimits
from .notebook import Master, load_master
from .preflight import GradingUnavailable, Preflight
from .results import NotebookGrade
from .runfolders import clean_stale_runs
from .sandbox import SandboxUnavailable, resolve
from .settings import RunSettings

__all__ = [
    "PLUGIN_PREFIX",
    "CourseFiles",
    "Expected",
    "grade_here",
    "refusal",
    "sha256",
    "this_version",
    "worker_problems",
]

#: The name of the worker plugin carrying the course files (one per content: its hash follows).
PLUGIN_PREFIX = "mpcourse-course-"


def sha256(data: bytes) -> str:
    """The sha256 of ``data``, in hex: what a course file is known by."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Expected:
    """What every worker must have: this mpcourse (version and code) and Python, the masters and sanitize rules
    (by hash)."""

    version: str
    code: str
    python: str
    masters: tuple[str, ...]
    sanitize: str


@functools.lru_cache(maxsize=1)
def this_version() -> tuple[str, str, str]:
    """This mpcourse's version, the sha256 of its code (every ``.py`` and ``.cfg`` of the package), this Python's."""
    import mpcourse

    package = Path(mpcourse.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".cfg") and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return mpcourse.__version__, digest.hexdigest(), platform.python_version()


def refusal(problems: Mapping[str, Sequence[str]]) -> str:
    """The message refusing the workers in ``problems`` (worker address -> what it lacks)."""
    lines = [f"worker {address} cannot grade: {'; '.join(found)}" for address, found in sorted(problems.items())]
    return (
        "\n".join(lines) + "\nfix those workers (see docs/teachers/cluster.md, 'What each worker needs') "
        "or stop them, then run the same command again"
    )


_worker_lock = threading.Lock()
_files: dict[str, tuple[str, bytes]] = {}  # sha256 -> (file name, bytes): masters and sanitize rules
_masters: dict[str, Master] = {}
_folder: list[Path] = []  # this worker's folder for the sanitize rules, made on first use
_prepared: dict[tuple[RunSettings, str], tuple[RunSettings, Preflight]] = {}


class CourseFiles(WorkerPlugin):
    """A worker plugin that gives each worker (those joining later too) the course files, by content."""

    idempotent = True

    def __init__(self, files: Mapping[str, tuple[str, bytes]]) -> None:
        self.files = dict(files)
        self.name = PLUGIN_PREFIX + sha256("".join(sorted(self.files)).encode())[:16]

    def setup(self, worker: Any = None) -> None:
        """Keep the files in this worker process's memory."""
        with _worker_lock:
            _files.update(self.files)

    def teardown(self, worker: Any = None) -> None:
        """Remove this worker's folder for the files."""
        with _worker_lock:
            while _folder:
                shutil.rmtree(_folder.pop(), ignore_errors=True)


def _worker_file(digest: str) -> Path:
    """The course file ``digest`` written in this worker's own folder (once)."""
    name, data = _files[digest]
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="mpcourse-worker-")))
    path = _folder[0] / digest / name
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    return path


def _master(digest: str) -> Master:
    """The master with content ``digest``, loaded on this worker as the client loaded it."""
    with _worker_lock:
        if digest not in _masters:
            if digest not in _files:
                raise GradingUnavailable(f"this worker has no master with sha256 {digest[:12]}")
            _masters[digest] = load_master(_worker_file(digest))
        return _masters[digest]


def _address() -> str:
    """This worker's address (its host's name outside a worker)."""
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return platform.node()


def _threads() -> int:
    try:
        from distributed import get_worker

        return max(1, get_worker().state.nthreads)
    except ValueError:  # not in a worker (client.run runs in the worker's event loop thread: still a worker)
        return 1


def _ready(settings: RunSettings, sanitize: str) -> tuple[RunSettings, Preflight]:
    """This worker's settings for the client's: sandbox resolved here, its threads, its copy of the sanitize rules;
    and its own :class:`Preflight` (the local grader's first-run check, once per worker)."""
    with _worker_lock:
        key = (settings, sanitize)
        if key not in _prepared:
            try:
                mode = resolve(settings.sandbox)
            except SandboxUnavailable as exc:
                raise GradingUnavailable(str(exc)) from None
            if not _prepared:
                clean_stale_runs()
            if sanitize not in _files:
                raise GradingUnavailable(f"this worker has no sanitize rules with sha256 {sanitize[:12]}")
            ready = replace(settings, sandbox=mode, jobs=_threads(), sanitize=_worker_file(sanitize))
            _prepared[key] = (ready, Preflight(ready))
        return _prepared[key]


def grade_here(
    function: Callable[..., NotebookGrade],
    master: str,
    submission: SentSubmission,
    settings: RunSettings,
    sanitize: str,
) -> NotebookGrade:
    """On a worker: ``function`` (the local grader's own) with this worker's master, settings and preflight, and a
    cancel event of its own (the client's cannot travel; a client that stops cancels the tasks not started)."""
    try:
        ready, preflight = _ready(settings, sanitize)
        return function(_master(master), submission, ready, preflight, threading.Event())
    except GradingUnavailable as exc:  # a worker that joined after the check, and cannot grade
        raise GradingUnavailable(refusal({_address(): [str(exc)]})) from None


def _limits_problem(settings: RunSettings) -> str | None:
    """Why a run's rlimits cannot be set on this worker (its hard limits are lower), or ``None``."""
    try:
        import resource
    except ImportError:
        return "no resource module: the run limits (rlimits) need Linux or macOS"
    wanted = rlimits(settings.limits, sandboxed=settings.sandbox != "none")
    for name, value in wanted.items():
        hard = resource.getrlimit(getattr(resource, name))[1]
        if hard != resource.RLIM_INFINITY and hard < value and os.geteuid() != 0:
            return f"{name} cannot be raised to {value} (hard limit {hard}): lower the limit or raise it for the worker"
    return None


def worker_problems(expected: Expected, settings: RunSettings) -> list[str]:
    """On a worker: what it lacks to grade like the client asks (an empty list when it can grade)."""
    version, code, python = this_version()
    problems = []
    if version != expected.version:
        problems.append(f"mpcourse {version}, not {expected.version}: install the same version as the client")
    elif code != expected.code:
        problems.append(f"mpcourse {version} with other code than the client's: install the client's mpcourse")
    if python.rsplit(".", 1)[0] != expected.python.rsplit(".", 1)[0]:
        problems.append(f"Python {python}, not {expected.python}: use the same Python environment as the client")
    with _worker_lock:
        missing = [digest for digest in (*expected.masters, expected.sanitize) if digest not in _files]
    if missing:
        problems.append(f"{len(missing)} course file(s) not received (sha256 {', '.join(d[:12] for d in missing)})")
    limits = _limits_problem(settings)
    if limits:
        problems.append(limits)
    if problems:
        return problems
    try:
        _, preflight = _ready(settings, expected.sanitize)
        preflight.ensure()
    except GradingUnavailable as exc:
        problems.append(str(exc))
    return problems
