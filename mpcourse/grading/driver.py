"""Drive one command in a fresh sandbox: pipes, start, timeout, stop, and the registry of live runs.

Both kinds of run go through :class:`SandboxRun` (nbval runs in :mod:`.runner`,
judge jobs in :mod:`.judge.run`)::

    with SandboxRun("bwrap", limits, report_bytes=2**20, log_bytes=2000) as run:
        command = [PYTHON, "tool.py", str(run.report_fd), run.path("work", "input.json")]
        finished = run.run(command, files={"work/input.json": data})
    finished.report, finished.log, finished.ending  # capped bytes; "exited", "timeout" or "stopped"

What comes back is capped bytes from two pipes: the report pipe (its first
``report_bytes``; the command names its descriptor, and with bubblewrap the
supervisor adds ``{"sandbox": {"leftovers": N}}``) and the command's stdout and
stderr together (its last ``log_bytes``).  The timeout is a kill from outside.

Every live run is in one registry: :func:`stop_all_runs` (after Ctrl-C) stops
them all, whatever started them.  A cancel event (``cancel=``, or
:func:`cancelled_by` around code that starts runs) keeps runs from starting once
it is set; a run stopped either way ends ``stopped``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from .limits import DEFAULT_LIMITS, Limits
from .sandbox import Sandbox

__all__ = ["Finished", "SandboxRun", "cancelled_by", "live_runs", "stop_all_runs"]

_cancel: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("mpcourse_cancel", default=None)
_live_lock = threading.Lock()
_live: set[SandboxRun] = set()


def stop_all_runs() -> None:
    """Stop every live run, nbval runs and judge jobs alike (runs have their own session: Ctrl-C misses them)."""
    with _live_lock:
        runs = list(_live)
    for run in runs:
        run.stop()


def live_runs() -> int:
    """How many runs are live (made and not yet closed)."""
    with _live_lock:
        return len(_live)


@contextlib.contextmanager
def cancelled_by(event: threading.Event) -> Iterator[None]:
    """Within this block (this thread or context), runs made without ``cancel=`` do not start once ``event`` is set."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)


@dataclass(frozen=True)
class Finished:
    """How a sandboxed command ended, and what it sent (capped).

    ``ending``: ``exited`` (by itself), ``timeout`` (killed at the limit) or
    ``stopped`` (by :func:`stop_all_runs` or its cancel event, perhaps before it
    started); ``killed``: processes of the run still alive at the end.
    """

    ending: str
    returncode: int | None
    report: bytes
    log: bytes
    seconds: float
    killed: int


class _Reader(threading.Thread):
    """Drains a pipe, keeping its first ``keep`` bytes (``tail``: its last ones) and dropping the rest."""

    def __init__(self, descriptor: int, keep: int, tail: bool = False) -> None:
        super().__init__(daemon=True, name="mpcourse-run-pipe")
        self.descriptor, self.keep, self.tail = descriptor, keep, tail
        self.chunks: deque[bytes] = deque()
        self.size = 0

    def run(self) -> None:
        try:
            while chunk := os.read(self.descriptor, 65536):
                if self.tail:
                    self.chunks.append(chunk)
                    self.size += len(chunk)
                    while self.size - len(self.chunks[0]) >= self.keep:
                        self.size -= len(self.chunks.popleft())
                elif self.size < self.keep:
                    self.chunks.append(chunk[: self.keep - self.size])
                    self.size += len(self.chunks[-1])
        except OSError:
            pass
        finally:
            os.close(self.descriptor)

    def data(self) -> bytes:
        data = b"".join(self.chunks)
        return data[-self.keep :] if self.tail else data


class SandboxRun:
    """One command in a fresh :class:`~.sandbox.Sandbox`, registered as live until closed.

    ``tracing``: the command is a tracer (see :class:`~.sandbox.Sandbox`).
    """

    def __init__(
        self,
        mode: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        jobs: int = 1,
        report_bytes: int = 2**20,
        log_bytes: int = 3000,
        cancel: threading.Event | None = None,
        tracing: bool = False,
    ) -> None:
        self.box = Sandbox(mode, limits, jobs=jobs, tracing=tracing)
        self.limits = limits
        self.cancel = cancel if cancel is not None else _cancel.get()
        self._lock = threading.Lock()
        self._stopped = False
        self._started = False
        report_read, self.report_fd = os.pipe()
        log_read, self._log_fd = os.pipe()
        self._report = _Reader(report_read, report_bytes)
        self._log = _Reader(log_read, log_bytes, tail=True)
        self._report.start()
        self._log.start()
        with _live_lock:
            _live.add(self)

    def path(self, *parts: str) -> str:
        """A path inside the run's folder, as the sandboxed command sees it."""
        return self.box.path(*parts)

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The run's whole environment (see :meth:`.Sandbox.environment`)."""
        return self.box.environment(extra)

    def run(
        self, command: Sequence[str], *, files: Mapping[str, bytes] | None = None, env: Mapping[str, str] | None = None
    ) -> Finished:
        """Start ``command`` (once) with ``files`` in the run folder, wait for it or the timeout, stop what is left.

        The command's working folder is the run's ``work``; its stdout and stderr go to the log pipe.
        """
        started = time.monotonic()
        process = None
        try:
            with self._lock:
                if self._started:
                    raise RuntimeError("a SandboxRun runs one command")
                self._started = True
                if not self._stopped and not (self.cancel is not None and self.cancel.is_set()):
                    process = self.box.popen(
                        command, files=files, cwd=self.path("work"), env=env, stdout=self._log_fd,
                        stderr=self._log_fd, report_fd=self.report_fd,
                    )  # fmt: skip
                else:
                    self._stopped = True
        finally:
            self._close_write_ends()
        ending = "stopped" if process is None else "exited"
        if process is not None:
            try:
                process.wait(timeout=self.limits.timeout or None)
            except subprocess.TimeoutExpired:
                ending = "timeout"
        killed = self.box.stop()
        self._report.join(10)
        self._log.join(10)
        if self._stopped:
            ending = "stopped"
        returncode = process.returncode if process is not None else None
        seconds = time.monotonic() - started
        return Finished(ending, returncode, self._report.data(), self._log.data(), seconds, killed)

    def stop(self) -> None:
        """Kill every process of the run now (or keep it from starting); :meth:`run` then ends ``stopped``."""
        with self._lock:
            self._stopped = True
        self.box.stop()

    def _close_write_ends(self) -> None:
        for name in ("report_fd", "_log_fd"):
            descriptor = getattr(self, name)
            if descriptor >= 0:
                os.close(descriptor)
                setattr(self, name, -1)

    def close(self) -> None:
        """Stop the run, drop it from the registry, and remove what it had (folder, control groups)."""
        with _live_lock:
            _live.discard(self)
        self._close_write_ends()
        try:
            self.box.close()
        finally:
            self._report.join(10)
            self._log.join(10)

    def __enter__(self) -> SandboxRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
