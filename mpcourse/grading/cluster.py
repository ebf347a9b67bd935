"""Grade a class on a dask cluster: each notebook of each student is a task a worker grades as the local grader does.

:class:`ClusterExecutor` is what :func:`.batch.grade_students` submits to instead of
its threads, so both paths call the same per-notebook function (``_grade_safely``)::

    ClusterExecutor.start   the masters and sanitize rules sent to every worker by content (sha256, a worker
                            plugin, so a worker that joins later gets them too); every worker checked
    submit                  one notebook of one student: the master's hash and the submission's one file
    on the worker           the same function, with the worker's own sandbox, limits and preflight
    back on the client      the grade; a task that killed its workers too often becomes an ``error`` grade;
                            a lost scheduler stops the batch (:class:`ClusterLost`) and a re-run resumes

Learner code runs only on the workers, each run in its own bubblewrap sandbox (own
network namespace: many kernels on one host never race for ports).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import platform
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Executor, Future, InvalidStateError
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat
from distributed import WorkerPlugin

from .grade import unscored
from .limits import rlimits
from .notebook import Master, load_master
from .preflight import GradingUnavailable, Preflight
from .results import NotebookGrade, Status
from .sandbox import SandboxUnavailable, clean_stale_runs, reserve_slots, resolve
from .settings import RunSettings
from .submissions import Submission

__all__ = [
    "CONNECT_TIMEOUT",
    "ClusterExecutor",
    "ClusterLost",
    "CourseFiles",
    "Expected",
    "SentSubmission",
    "WorkersRefused",
    "cluster_client",
    "worker_problems",
]

#: Seconds the client waits to reach a scheduler (and to reach it again before a batch is stopped).
CONNECT_TIMEOUT = 30
#: Sandbox slots (as root: uids of runs) each worker process on a host keeps for itself.
SLOTS_PER_WORKER = 256
#: The name of the worker plugin carrying the course files (one per content: its hash follows).
PLUGIN_PREFIX = "mpcourse-course-"


class ClusterLost(GradingUnavailable):
    """The dask scheduler went away during a batch: what was graded is recorded, a re-run resumes."""


class WorkersRefused(GradingUnavailable):
    """Some workers of the cluster cannot grade; the message names each and what it lacks."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SentSubmission(Submission):
    """A submission as a worker gets it: its name and the one notebook file a task needs, read on the client.

    Reading (and its errors: missing, too large, a bad zip) happens where the
    files are; the worker's :meth:`read` gives back exactly that, so grading
    there takes the same steps as grading here.
    """

    filename: str = ""
    data: bytes | None = None
    error: BaseException | None = field(default=None, compare=False)

    @classmethod
    def of(cls, submission: Submission, filename: str) -> SentSubmission:
        """``submission``'s file ``filename`` (or why it could not be read), without any path of this machine."""
        data, error = None, None
        if not submission.problem:
            try:
                data = submission.read(filename)
            except Exception as exc:  # the worker raises it again, where grade.read_notebook expects it
                error = exc
        return cls(submission.name, Path(submission.path.name), submission.problem, filename, data, error)

    def read(self, filename: str) -> bytes | None:
        """The bytes read on the client (``None``: no such file), or the error reading them raised there."""
        if filename != self.filename:
            raise LookupError(f"{self.name}: only {self.filename} was sent to this worker, not {filename}")
        if self.error is not None:
            raise self.error
        return self.data


@dataclass(frozen=True)
class Expected:
    """What every worker must have: this mpcourse and Python, the masters and sanitize rules (by hash)."""

    version: str
    python: str
    masters: tuple[str, ...]
    sanitize: str


def _this_version() -> tuple[str, str]:
    import mpcourse

    return mpcourse.__version__, platform.python_version()


# --- the worker's side ---------------------------------------------------------------------------------------

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
        self.name = PLUGIN_PREFIX + _sha256("".join(sorted(self.files)).encode())[:16]

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


_lease: list[int] = []  # the locked file holding this worker process's range of slots on its host


def _claim_slots() -> None:
    """Give this worker process a range of sandbox slots that no other grader on its host uses.

    Several worker processes on one host would otherwise each number their runs
    from 0, and as root two runs at once would get the same uid (sharing, for one,
    the limit on processes).  The range is held by a lock on a file of the host's
    temporary folder for as long as this process lives; range 0 is left to local graders.
    """
    if _lease:
        return
    folder = Path(tempfile.gettempdir()) / "mpcourse-slot-ranges"
    folder.mkdir(mode=0o700, exist_ok=True)
    for index in range(1, 4096):
        descriptor = os.open(folder / f"{index}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            continue
        _lease.append(descriptor)
        reserve_slots(index * SLOTS_PER_WORKER)
        return
    raise GradingUnavailable(f"no free range of sandbox slots in {folder}: too many graders on this host")


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
                _claim_slots()
                clean_stale_runs()
            if sanitize not in _files:
                raise GradingUnavailable(f"this worker has no sanitize rules with sha256 {sanitize[:12]}")
            ready = replace(settings, sandbox=mode, jobs=_threads(), sanitize=_worker_file(sanitize), cancel=None)
            _prepared[key] = (ready, Preflight(ready))
        return _prepared[key]


def _grade_here(
    function: Callable[..., NotebookGrade],
    master: str,
    submission: SentSubmission,
    settings: RunSettings,
    sanitize: str,
) -> NotebookGrade:
    """On a worker: ``function`` (the local grader's own) with this worker's master, settings and preflight."""
    ready, preflight = _ready(settings, sanitize)
    return function(_master(master), submission, ready, preflight)


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
    version, python = _this_version()
    problems = []
    if version != expected.version:
        problems.append(f"mpcourse {version}, not {expected.version}: install the same version as the client")
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


# --- the client's side ---------------------------------------------------------------------------------------


def _files_of(masters: Sequence[Master], sanitize: Path) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The course files by hash, and each master's hash by its name: what the client validated, as bytes."""
    files: dict[str, tuple[str, bytes]] = {}
    by_name: dict[str, str] = {}
    for master in masters:
        data = nbformat.writes(master.notebook).encode()
        digest = _sha256(data)
        files[digest] = (master.path.name, data)
        by_name[master.path.name] = digest
    rules = Path(sanitize).read_bytes()
    files[_sha256(rules)] = ("sanitize.cfg", rules)
    return files, by_name


def refusal(problems: Mapping[str, Sequence[str]]) -> str:
    """The message refusing the workers in ``problems`` (worker address -> what it lacks)."""
    lines = [f"worker {address} cannot grade: {'; '.join(found)}" for address, found in sorted(problems.items())]
    return (
        "\n".join(lines) + "\nfix those workers (see docs/teachers/cluster.md, 'What each worker needs') "
        "or stop them, then run the same command again"
    )


def _settle(
    future: Future[NotebookGrade], result: NotebookGrade | None = None, exc: BaseException | None = None
) -> None:
    """Give ``future`` its grade or exception, unless the batch has cancelled it meanwhile."""
    try:
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)  # type: ignore[arg-type]
    except InvalidStateError:
        pass


class ClusterExecutor(Executor):
    """Grade notebooks on the workers of a dask ``client``, at most ``window`` tasks sent at once.

    Made with :meth:`start`, which checks every worker first.  ``submit`` takes
    what :func:`.batch.grade_students` gives a thread: the grading function, a
    master, a submission, the settings (and a preflight, replaced by each worker's own).
    """

    def __init__(self, client: Any, masters: Sequence[Master], settings: RunSettings, window: int) -> None:
        self.client = client
        self.files, self._hashes = _files_of(masters, settings.sanitize)
        sanitize = _sha256(Path(settings.sanitize).read_bytes())
        self.expected = Expected(*_this_version(), tuple(self._hashes.values()), sanitize)
        self.settings = replace(settings, cancel=None, sanitize=Path("sanitize.cfg"))  # the rules go by hash
        self.window = max(1, window)
        self._waiting: deque[tuple[Future[NotebookGrade], Master, Callable[..., NotebookGrade], Submission]] = deque()
        self._running: dict[Any, tuple[Any, Future[NotebookGrade]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def start(
        cls, client: Any, masters: Sequence[Master], settings: RunSettings, *, window: int | None = None
    ) -> ClusterExecutor:
        """Send the course files to every worker and check each; :class:`WorkersRefused` names those that cannot
        grade, and :class:`GradingUnavailable` says when there is no worker at all."""
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        if not workers:
            raise GradingUnavailable(
                f"the dask scheduler {client.scheduler.address} has no worker: start some (dask worker ADDRESS)"
            )
        threads = sum(worker.get("nthreads", 1) for worker in workers.values())
        executor = cls(client, masters, settings, window or 2 * threads)
        plugin = CourseFiles(executor.files)
        client.register_plugin(plugin, name=plugin.name)
        checks = {
            address: client.submit(
                worker_problems, executor.expected, executor.settings,
                workers=[address], allow_other_workers=False, pure=False,
            )
            for address in workers
        }  # fmt: skip
        problems = {}
        for address, check in checks.items():
            try:
                found = check.result()
            except Exception as exc:  # the check itself failed there (the worker died, an import error)
                found = [f"the check failed: {type(exc).__name__}: {exc}"]
            if found:
                problems[address] = found
        if problems:
            raise WorkersRefused(refusal(problems))
        return executor

    @property
    def sandbox(self) -> str:
        """The sandbox the workers use: ``none`` when asked for, else bubblewrap (checked on every worker)."""
        return "none" if self.settings.sandbox == "none" else "bwrap"

    def submit(self, fn: Callable[..., NotebookGrade], /, *args: Any, **kwargs: Any) -> Future[NotebookGrade]:
        """Queue ``fn(master, submission, settings, preflight)`` for a worker; its grade arrives in the future.

        The settings and preflight given are the client's: each worker uses its own.
        """
        if kwargs or len(args) < 2:
            raise TypeError("ClusterExecutor.submit takes fn, master, submission (, settings, preflight)")
        if self._closed:
            raise RuntimeError("cannot submit to a ClusterExecutor after shutdown")
        future: Future[NotebookGrade] = Future()
        with self._lock:
            self._waiting.append((future, args[0], fn, args[1]))
        self._pump()
        return future

    def _pump(self) -> None:
        """Send queued tasks while fewer than ``window`` are out."""
        while True:
            with self._lock:
                if self._closed or not self._waiting or len(self._running) >= self.window:
                    return
                future, master, fn, submission = self._waiting.popleft()
                if future.cancelled():
                    continue
                sent = SentSubmission.of(submission, master.path.name)
                digest = self._hashes[master.path.name]
                try:
                    task = self.client.submit(
                        _grade_here, fn, digest, sent, self.settings, self.expected.sanitize, pure=False
                    )
                except Exception as exc:  # the client closed: the scheduler went away
                    _settle(future, exc=self.lost(exc))
                    continue
                self._running[task.key] = (task, future)
            task.add_done_callback(lambda done, master=master: self._arrived(done, master))

    def lost(self, exc: BaseException | None = None) -> ClusterLost:
        """The error ending a batch whose scheduler went away."""
        why = f" ({type(exc).__name__}: {exc})" if exc else ""
        return ClusterLost(
            f"the dask scheduler went away{why}: the students graded so far are in the gradebook; "
            "run the same command again (with a scheduler) to grade the rest"
        )

    def _arrived(self, task: Any, master: Master) -> None:
        """A task's end: its grade, an ``error`` grade when it killed its workers, or the batch's end."""
        from distributed.scheduler import KilledWorker

        with self._lock:
            _, future = self._running.pop(task.key, (None, None))
        if future is not None and not future.done():
            try:
                _settle(future, task.result())
            except KilledWorker as exc:
                detail = (
                    f"grading this notebook stopped {exc.allowed_failures + 1} dask workers (each died while "
                    "running it); it is graded again on the next run"
                )
                _settle(future, unscored(master, Status.ERROR, detail))
            except CancelledError as exc:
                _settle(future, exc=self.lost(exc))
            except Exception as exc:  # GradingUnavailable on a worker, as a thread would raise it
                _settle(future, exc=exc)
        self._pump()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Send no more tasks; cancel those queued or out (a run in progress ends at its own time limit)."""
        with self._lock:
            self._closed = True
            waiting, self._waiting = list(self._waiting), deque()
            running, self._running = list(self._running.values()), {}
        for future, *_ in waiting:
            future.cancel()
        if running and self.client.status == "running":
            self.client.cancel([task for task, _ in running])
        for _, future in running:
            future.cancel()


@contextlib.contextmanager
def cluster_client(scheduler: str | None = None, local_workers: int = 0) -> Iterator[Any]:
    """A dask client of the scheduler at ``scheduler``, or of a new ``LocalCluster`` of ``local_workers`` worker
    processes (one thread each) closed on exit; :class:`GradingUnavailable` when the scheduler cannot be reached."""
    from distributed import Client, LocalCluster

    if (scheduler is None) == (local_workers < 1):
        raise ValueError("give either a scheduler address or a number of local workers")
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=local_workers, threads_per_worker=1, processes=True,
                dashboard_address=":0", silence_logs=logging.ERROR,
            )  # fmt: skip
            stack.enter_context(cluster)
            address: Any = cluster
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address, timeout=CONNECT_TIMEOUT))
        except OSError as exc:
            raise GradingUnavailable(
                f"cannot reach the dask scheduler {scheduler}: {exc}; start it (dask scheduler) or check the address"
            ) from None
        yield client
