"""Run one notebook with nbval in a sandbox (see :mod:`.sandbox`), and read which cells passed.

pytest, nbval and the kernel all run inside the run's sandbox; what the grader
learns comes back over pipes, capped: one JSON line per cell from
:mod:`.nbval_plugin` and the tail of pytest's log.  Nothing is read back from
files the notebook could have written.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .results import Status
from .sandbox import PYTHON, Sandbox, resolve
from .settings import DEFAULT_SETTINGS, RunSettings

__all__ = ["CellRun", "RunResult", "run_notebook", "stop_all_runs"]

# nbformat's schema validator imports jsonschema, which imports ``rfc3987_syntax``
# when installed (an IRI checker nbformat never uses) at a cost of 1-3 s per
# run; blocking that optional import makes each graded notebook that much faster.
_PYTEST_MAIN = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); import pytest; raise SystemExit(pytest.main())"
)
_LOG_TAIL = 3000
_MAX_RECORDS_BYTES = 4 * 2**20


@dataclass(frozen=True)
class CellRun:
    """One code cell's result: passed or not, and what it printed (capped)."""

    passed: bool
    output: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RunResult:
    """How a run ended (``ok``, ``timeout`` or ``error``) and each code cell's result, by nbval number."""

    status: Status
    cells: dict[int, CellRun] = field(default_factory=dict)
    seconds: float = 0.0
    detail: str = ""
    leftovers: int = 0


_active_lock = threading.Lock()
_active: set[Sandbox] = set()


def stop_all_runs() -> None:
    """Kill every run in progress (after Ctrl-C: runs have their own session, so it does not reach them)."""
    with _active_lock:
        boxes = list(_active)
    for box in boxes:
        box.stop()


class _Reader(threading.Thread):
    """Drains a pipe, keeping the first ``keep`` bytes (``tail``: the last ones) and dropping the rest."""

    def __init__(self, descriptor: int, keep: int, tail: bool = False) -> None:
        super().__init__(daemon=True)
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


def _parse(data: bytes) -> tuple[dict[int, CellRun], int | None, int | None]:
    """Cells, pytest's exit status and the supervisor's count of leftovers (``None``: not sent) from the pipe."""
    cells: dict[int, CellRun] = {}
    done, leftovers = None, None
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            if "done" in record:
                done = int(record["done"])
            elif "sandbox" in record:
                leftovers = int(record["sandbox"]["leftovers"])
            else:  # a cell's first record counts: nbval sends each cell's once, as soon as it ran
                cell = CellRun(bool(record["passed"]), str(record.get("output", "")), str(record.get("reason", "")))
                cells.setdefault(int(record["cell"]), cell)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a kill
    return cells, done, leftovers


def run_notebook(notebook: nbformat.NotebookNode, name: str, settings: RunSettings = DEFAULT_SETTINGS) -> RunResult:
    """Execute ``notebook`` with nbval (compared against its own stored outputs) in a fresh sandbox.

    ``name`` names the notebook file (a plain file name).  The result says, for
    each code cell by nbval's number, whether it passed and what it printed.
    Setting ``settings.cancel`` and calling :func:`stop_all_runs` stops a batch of runs;
    :class:`~.sandbox.SandboxUnavailable` says that the sandbox asked for cannot run.
    """
    limits = settings.limits
    box = Sandbox(resolve(settings.sandbox), limits, jobs=settings.jobs)
    with _active_lock:
        _active.add(box)
    records_read, records_write = os.pipe()
    log_read, log_write = os.pipe()
    records = _Reader(records_read, _MAX_RECORDS_BYTES)
    log = _Reader(log_read, _LOG_TAIL, tail=True)
    try:
        target = box.path("work", Path(name).name)
        sanitize = box.path("sanitize.cfg")
        command = [
            PYTHON, "-c", _PYTEST_MAIN, target,
            "-p", "nbval.plugin", "-p", "mpcourse.pytest_plugins.nbval_kernel", "-p", "mpcourse.grading.nbval_plugin",
            "-p", "no:cacheprovider",
            "--nbval", "--nbval-current-env", f"--nbval-sanitize-with={sanitize}",
            f"--nbval-cell-timeout={max(1, int(limits.timeout))}",
            f"--nbval-kernel-startup-timeout={max(1, min(60, int(limits.timeout)))}",
            f"--mpcourse-results-fd={records_write}", f"--mpcourse-output-chars={limits.output_chars}",
            "-c", box.path("pytest.ini"), f"--rootdir={box.path('work')}",
            "--noconftest", "-q", "--color=no",
        ]  # fmt: skip
        files = {
            f"work/{Path(name).name}": nbformat.writes(notebook).encode(),
            "pytest.ini": b"[pytest]\n",
            "sanitize.cfg": Path(settings.sanitize).read_bytes(),
        }
        env = box.environment({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
        started = time.monotonic()
        try:
            process = box.popen(
                command, files=files, cwd=box.path("work"), env=env, stdout=log_write, stderr=log_write,
                report_fd=records_write,
            )  # fmt: skip
        finally:
            os.close(records_write)
            os.close(log_write)
        records.start()
        log.start()
        cancel = settings.cancel
        if cancel is not None and cancel.is_set():
            box.stop()
        try:
            process.wait(timeout=limits.timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        killed = box.stop()
        records.join(10)
        log.join(10)
        seconds = time.monotonic() - started
        cells, done, reported = _parse(records.data())
        leftovers = killed if reported is None else reported
        if cancel is not None and cancel.is_set():
            return RunResult(Status.ERROR, cells, seconds, "interrupted", leftovers)
        if timed_out:
            return RunResult(Status.TIMEOUT, cells, seconds, f"stopped after {limits.timeout:g} s", leftovers)
        if process.returncode not in (0, 1) or done not in (0, 1) or not cells:
            tail = log.data().decode("utf-8", errors="replace").strip()
            detail = f"the grading run failed (exit code {process.returncode}): {tail}"
            return RunResult(Status.ERROR, cells, seconds, detail, leftovers)
        return RunResult(Status.OK, cells, seconds, "", leftovers)
    finally:
        box.close()
        with _active_lock:
            _active.discard(box)
        for reader in (records, log):
            if not reader.is_alive() and reader.ident is None:
                os.close(reader.descriptor)
