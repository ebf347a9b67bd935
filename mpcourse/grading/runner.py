"""Run one notebook with nbval in an isolated, limited subprocess, and read which cells passed.

Each run gets its own temporary folder (working directory, ``HOME``, ``TMPDIR``),
a wall-clock time limit, an address-space limit (``RLIMIT_AS``) and its own
session.  Every process it starts carries a random marker in its environment;
when the run ends, or times out, everything with the marker is killed, even
children that started their own session (the kernel does) or were orphaned.
POSIX only (Linux, macOS).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import psutil

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_SANITIZE",
    "MARKER_ENV",
    "CellRun",
    "Limits",
    "RunResult",
    "check_runner",
    "kill_marked",
    "run_notebook",
    "stop_all_runs",
]

#: The nbval sanitize rules shipped with the package (a copy of the course's ``tests/sanitize.cfg``).
DEFAULT_SANITIZE = Path(__file__).with_name("sanitize.cfg")

#: Environment variable holding a run's marker; every process of a run inherits it.
MARKER_ENV = "MPCOURSE_GRADING_RUN"

# nbformat's schema validator imports jsonschema, which imports ``rfc3987_syntax``
# when installed (an IRI checker nbformat never uses) at a cost of 1-3 s per
# run; blocking that optional import makes each graded notebook that much faster.
_PYTEST_MAIN = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); import pytest; raise SystemExit(pytest.main())"
)
_DROPPED_ENV = ("PYTEST_", "JUPYTER_", "IPYTHONDIR", "MPLCONFIGDIR", "XDG_", "COV_CORE_")
_LOG_TAIL = 3000


@dataclass(frozen=True)
class Limits:
    """What one notebook run may use: seconds of wall time, megabytes of address space (0: no limit)."""

    timeout: float = 120.0
    memory_mb: int = 2048
    output_chars: int = 2000


@dataclass(frozen=True)
class CellRun:
    """One code cell's result: passed or not, and what it printed (capped)."""

    passed: bool
    output: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RunResult:
    """How a run ended (``ok``, ``timeout`` or ``error``) and each code cell's result, by nbval number."""

    status: str
    cells: dict[int, CellRun] = field(default_factory=dict)
    seconds: float = 0.0
    detail: str = ""
    leftovers: int = 0


#: The limits used when none are given.
DEFAULT_LIMITS = Limits()

_active_lock = threading.Lock()
_active: dict[str, subprocess.Popen[bytes]] = {}


def _memory_limit(memory_mb: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` capping the child's address space (inherited by the kernel and its children)."""
    if memory_mb <= 0:
        return None
    limit = memory_mb * 2**20

    def apply() -> None:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            if sys.platform.startswith("linux"):
                raise  # macOS does not enforce RLIMIT_AS; Linux must

    return apply


def _environment(root: Path, marker: str) -> dict[str, str]:
    """The run's environment: the teacher's, minus test/Jupyter settings, with a private HOME and tmp."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(_DROPPED_ENV)}
    home, tmp = root / "home", root / "tmp"
    for folder in (home, tmp, home / ".cache", home / ".config", home / ".local" / "share", home / "run"):
        folder.mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        TEMP=str(tmp),
        TMP=str(tmp),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(home / "run"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    # glibc reserves 64 MB of address space per malloc arena (up to 8 per core):
    # an idle kernel counts 650 MB against RLIMIT_AS with the default, 200 MB with 2.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env[MARKER_ENV] = marker
    return env


def _marked(marker: str, since: float) -> list[psutil.Process]:
    """Processes started after ``since`` whose environment carries ``marker``."""
    found = []
    me = os.getpid()
    for proc in psutil.process_iter(["create_time"]):
        if proc.pid == me or (proc.info["create_time"] or 0) < since:
            continue
        try:
            if proc.environ().get(MARKER_ENV) == marker:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _kill(procs: list[psutil.Process]) -> None:
    """Freeze, then SIGKILL, these processes and their process groups (never our own group)."""
    for proc in procs:
        try:
            proc.suspend()
        except psutil.Error:
            pass
    groups = set()
    for proc in procs:
        try:
            groups.add(os.getpgid(proc.pid))
        except OSError:
            pass
    for group in groups - {0, 1, os.getpgrp()}:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=3)


def kill_marked(marker: str, since: float, root: subprocess.Popen[bytes] | None = None) -> int:
    """Kill ``root``'s process tree (if still running) and every process carrying ``marker``.

    Repeats until none is left (a process may fork while we look); returns how
    many processes were killed, not counting ``root``.
    """
    killed: set[int] = set()
    for _ in range(10):
        procs = _marked(marker, since)
        if root is not None and root.poll() is None:
            try:
                tree = psutil.Process(root.pid)
                procs += [tree, *tree.children(recursive=True)]
            except psutil.Error:
                pass
        procs = list({proc.pid: proc for proc in procs}.values())
        if not procs:
            break
        _kill(procs)
        killed.update(proc.pid for proc in procs)
    if root is not None:
        killed.discard(root.pid)
        if root.poll() is None:
            root.kill()
        root.wait()
    return len(killed)


def check_runner(limits: Limits = DEFAULT_LIMITS, sanitize: Path = DEFAULT_SANITIZE) -> str | None:
    """Grade a one-cell notebook; return why grading cannot run here, or ``None`` when it can."""
    cell = nbformat.v4.new_code_cell('print("ready")', execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ready\n")]
    result = run_notebook(nbformat.v4.new_notebook(cells=[cell]), "preflight.ipynb", limits, sanitize)
    if result.status == "ok" and result.cells.get(0, CellRun(False)).passed:
        return None
    why = result.detail or result.cells.get(0, CellRun(False)).reason or "its one cell did not pass"
    return (
        f"a one-cell test notebook could not be graded ({result.status}: {why}). Check that pytest, nbval "
        f"and ipykernel are installed for {sys.executable}, and that --memory-mb {limits.memory_mb} leaves "
        "room for a kernel (2048 does; 0 removes the limit)."
    )


def stop_all_runs() -> None:
    """Kill every run in progress (after Ctrl-C: runs have their own session, so it does not reach them)."""
    with _active_lock:
        runs = list(_active.items())
    for marker, proc in runs:
        kill_marked(marker, 0.0, proc)


def _junit_passes(path: Path) -> dict[int, bool]:
    """``{cell number: passed}`` from nbval's junit XML (items are named ``Cell N``)."""
    passes = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        match = re.fullmatch(r"Cell (\d+)", case.get("name", ""))
        if match:
            passes[int(match.group(1))] = not any(child.tag in ("failure", "error", "skipped") for child in case)
    return passes


def _recorded(path: Path) -> dict[int, CellRun]:
    """What the plugin recorded, cell by cell (a killed run leaves the cells that finished)."""
    cells = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
                cells[int(record["cell"])] = CellRun(
                    bool(record["passed"]), str(record.get("output", "")), str(record.get("reason", ""))
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
    return cells


def _tail(path: Path) -> str:
    """The end of the runner's log, to tell the teacher why a run failed."""
    try:
        with open(path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - _LOG_TAIL))
            return log.read().decode("utf-8", errors="replace").strip()
    except OSError:
        return ""


def _remove(root: Path) -> None:
    """Delete a run's folder, even if the notebook made parts of it read-only."""

    def unlock(function: Callable[..., object], path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=unlock)
    else:
        shutil.rmtree(root, onerror=unlock)


def run_notebook(
    notebook: nbformat.NotebookNode,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    sanitize: Path = DEFAULT_SANITIZE,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Execute ``notebook`` with nbval (compared against its own stored outputs) in a fresh sandbox.

    ``name`` names the notebook file (a plain file name).  The result says, for
    each code cell by nbval's number, whether it passed and what it printed.
    Setting ``cancel`` and calling :func:`stop_all_runs` stops a batch of runs.
    """
    root = Path(tempfile.mkdtemp(prefix="mpgrade-"))
    try:
        work, results = root / "work", root / "results"
        work.mkdir()
        results.mkdir()
        target = work / Path(name).name
        nbformat.write(notebook, target)
        (results / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        junit, records, log_path = results / "junit.xml", results / "cells.jsonl", results / "pytest.log"
        command = [
            sys.executable, "-c", _PYTEST_MAIN, str(target),
            "-p", "nbval.plugin", "-p", "mpcourse.nbval_kernel", "-p", "mpcourse.grading.nbval_plugin",
            "-p", "no:cacheprovider",
            "--nbval", "--nbval-current-env", f"--nbval-sanitize-with={sanitize}",
            f"--nbval-cell-timeout={max(1, int(limits.timeout))}",
            f"--nbval-kernel-startup-timeout={max(1, min(60, int(limits.timeout)))}",
            f"--mpcourse-results={records}", f"--mpcourse-output-chars={limits.output_chars}",
            f"--junitxml={junit}", "-c", str(results / "pytest.ini"), f"--rootdir={work}",
            "--noconftest", "-q", "--color=no",
        ]  # fmt: skip
        marker = uuid.uuid4().hex
        since = time.time() - 1.0
        started = time.monotonic()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=work,
                env=_environment(root, marker),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_memory_limit(limits.memory_mb),
            )
        with _active_lock:
            _active[marker] = process
        try:
            if cancel is not None and cancel.is_set():
                process.kill()
            try:
                process.wait(timeout=limits.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            leftovers = kill_marked(marker, since, process)
        finally:
            with _active_lock:
                _active.pop(marker, None)
        seconds = time.monotonic() - started
        cells = _recorded(records)
        if cancel is not None and cancel.is_set():
            return RunResult("error", cells, seconds, "interrupted", leftovers)
        if timed_out:
            return RunResult("timeout", cells, seconds, f"stopped after {limits.timeout:g} s", leftovers)
        passes = {}
        if junit.exists():
            try:
                passes = _junit_passes(junit)
            except ElementTree.ParseError:
                passes = {}
        if process.returncode not in (0, 1) or not passes:
            detail = f"the grading run failed (exit code {process.returncode}): {_tail(log_path)}"
            return RunResult("error", cells, seconds, detail, leftovers)
        merged = {
            number: replace(cells.get(number, CellRun(passed)), passed=passed) for number, passed in passes.items()
        }
        return RunResult("ok", merged, seconds, "", leftovers)
    finally:
        _remove(root)
