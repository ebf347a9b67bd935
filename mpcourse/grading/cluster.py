"""Grade a class on a dask cluster: each notebook of each student is a task a worker grades as the local grader does.

:class:`ClusterExecutor` is what :func:`.batch.grade_students` submits to instead of
its threads, so both paths call the same per-notebook function (``_grade_safely``)::

    ClusterExecutor.start   the masters and sanitize rules sent to every worker by content (sha256, a worker
                            plugin, so a worker that joins later gets them too); every worker checked
    submit                  one notebook of one student: the master's hash and the submission's one file
    on the worker           the same function, with the worker's own sandbox, limits and preflight
    back on the client      the grade; a task that killed its workers too often becomes an ``error`` grade;
                            a lost scheduler stops the batch (:class:`ClusterLost`) and a re-run resumes

The worker's side is :mod:`.cluster_worker` (what a task carries: :mod:`.cluster_submission`).
Learner code runs only on the workers, each run in its own bubblewrap sandbox (own
network namespace: many kernels on one host never race for ports).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future, InvalidStateError
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat

from .cluster_submission import SentSubmission
from .cluster_worker import (
    CourseFiles,
    Expected,
    grade_here,
    refusal,
    sha256,
    this_version,
    worker_problems,
)
from .grade import unscored
from .notebook import Master
from .preflight import GradingUnavailable
from .results import NotebookGrade, Status
from .settings import RunSettings
from .submissions import Submission

__all__ = [
    "CONNECT_TIMEOUT",
    "ClusterExecutor",
    "ClusterLost",
    "WorkersRefused",
    "cluster_client",
]

#: Seconds the client waits to reach a scheduler.
CONNECT_TIMEOUT = 30


class ClusterLost(GradingUnavailable):
    """The dask scheduler went away during a batch: what was graded is recorded, a re-run resumes."""


class WorkersRefused(GradingUnavailable):
    """Some workers of the cluster cannot grade; the message names each and what it lacks."""


def _files_of(masters: Sequence[Master], sanitize: Path) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The course files by hash, and each master's hash by its name: what the client validated, as bytes."""
    files: dict[str, tuple[str, bytes]] = {}
    by_name: dict[str, str] = {}
    for master in masters:
        data = nbformat.writes(master.notebook).encode()
        digest = sha256(data)
        files[digest] = (master.path.name, data)
        by_name[master.path.name] = digest
    rules = Path(sanitize).read_bytes()
    files[sha256(rules)] = ("sanitize.cfg", rules)
    return files, by_name


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
        sanitize = sha256(Path(settings.sanitize).read_bytes())
        self.expected = Expected(*this_version(), tuple(self._hashes.values()), sanitize)
        self.settings = replace(settings, sanitize=Path("sanitize.cfg"))  # the rules go by hash
        self.window = max(1, window)
        self._waiting: deque[tuple[Future[NotebookGrade], Master, Callable[..., NotebookGrade], Submission]] = deque()
        self._running: dict[Any, tuple[Any, Future[NotebookGrade]]] = {}
        self._out = 0  # tasks taken from the queue and not yet back
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
        """Queue ``fn(master, submission, settings, preflight, cancel)`` for a worker; its grade arrives in the future.

        The settings, preflight and cancel event given are the client's: each worker uses its own.
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
                if self._closed or not self._waiting or self._out >= self.window:
                    return
                future, master, fn, submission = self._waiting.popleft()
                if future.cancelled():
                    continue
                self._out += 1
            sent = SentSubmission.of(submission, master.path.name)  # read here, out of the lock
            try:
                task = self.client.submit(
                    grade_here, fn, self._hashes[master.path.name], sent, self.settings, self.expected.sanitize,
                    pure=False,
                )  # fmt: skip
            except Exception as exc:  # the client closed: the scheduler went away
                with self._lock:
                    self._out -= 1
                _settle(future, exc=self.lost(exc))
                continue
            with self._lock:
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
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker

        with self._lock:
            _, future = self._running.pop(task.key, (None, None))
            self._out -= future is not None
        if future is not None and not future.done():
            try:
                _settle(future, task.result())
            except KilledWorker as exc:
                detail = (
                    f"grading this notebook stopped {exc.allowed_failures + 1} dask workers (each died while "
                    "running it); it is graded again on the next run"
                )
                _settle(future, unscored(master, Status.ERROR, detail))
            except (CancelledError, CommClosedError) as exc:  # the scheduler went away, before or while sending it
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
def cluster_client(scheduler: str | None = None, local_workers: int = 0, threads: int = 1) -> Iterator[Any]:
    """A dask client of the scheduler at ``scheduler``, or of a new ``LocalCluster`` of ``local_workers`` worker
    processes (``threads`` each) closed on exit; :class:`GradingUnavailable` when the scheduler cannot be reached."""
    from distributed import Client, LocalCluster

    if (scheduler is None) == (local_workers < 1):
        raise ValueError("give either a scheduler address or a number of local workers")
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=local_workers, threads_per_worker=threads, processes=True,
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
