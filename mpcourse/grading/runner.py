"""Run one notebook with nbval in a sandbox (see :mod:`.sandbox`), and read which cells passed.

pytest, nbval and the kernel all run inside the run's sandbox; what the grader
learns comes back over pipes, capped: one JSON line per cell from
:mod:`mpcourse.pytest_plugins.nbval_record` and the tail of pytest's log.  Nothing is read back from
files the notebook could have written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .bwrap import PYTHON
from .driver import SandboxRun
from .results import Status
from .sandbox import resolve
from .settings import DEFAULT_SETTINGS, RunSettings

__all__ = ["CellRun", "RunResult", "run_notebook"]

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
    :func:`~.driver.stop_all_runs` (or the cancel event of :func:`~.driver.cancelled_by`) stops it;
    :class:`~.sandbox.SandboxUnavailable` says that the sandbox asked for cannot run.
    """
    limits = settings.limits
    mode = resolve(settings.sandbox)
    with SandboxRun(mode, limits, jobs=settings.jobs, report_bytes=_MAX_RECORDS_BYTES, log_bytes=_LOG_TAIL) as run:
        target = run.path("work", Path(name).name)
        command = [
            PYTHON, "-c", _PYTEST_MAIN, target,
            "-p", "nbval.plugin",
            "-p", "mpcourse.pytest_plugins.nbval_kernel", "-p", "mpcourse.pytest_plugins.nbval_record",
            "-p", "no:cacheprovider",
            "--nbval", "--nbval-current-env", f"--nbval-sanitize-with={run.path('sanitize.cfg')}",
            f"--nbval-cell-timeout={max(1, int(limits.timeout))}",
            f"--nbval-kernel-startup-timeout={max(1, min(60, int(limits.timeout)))}",
            f"--mpcourse-results-fd={run.report_fd}", f"--mpcourse-output-chars={limits.output_chars}",
            "-c", run.path("pytest.ini"), f"--rootdir={run.path('work')}",
            "--noconftest", "-q", "--color=no",
        ]  # fmt: skip
        files = {
            f"work/{Path(name).name}": nbformat.writes(notebook).encode(),
            "pytest.ini": b"[pytest]\n",
            "sanitize.cfg": Path(settings.sanitize).read_bytes(),
        }
        finished = run.run(command, files=files, env=run.environment({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}))
    cells, done, reported = _parse(finished.report)
    leftovers = finished.killed if reported is None else reported
    seconds = finished.seconds
    if finished.ending == "stopped":
        return RunResult(Status.ERROR, cells, seconds, "interrupted", leftovers)
    if finished.ending == "timeout":
        return RunResult(Status.TIMEOUT, cells, seconds, f"stopped after {limits.timeout:g} s", leftovers)
    if finished.returncode not in (0, 1) or done not in (0, 1) or not cells:
        tail = finished.log.decode("utf-8", errors="replace").strip()
        detail = f"the grading run failed (exit code {finished.returncode}): {tail}"
        return RunResult(Status.ERROR, cells, seconds, detail, leftovers)
    return RunResult(Status.OK, cells, seconds, "", leftovers)
