"""Run one judge job: the learner's cells an answer needs and a probe, in a fresh sandbox, traced from outside.

The command inside the sandbox is :mod:`._trace` (which starts before any
learner code, watches through the kernel every process and thread the run
creates, owns the resources of :mod:`.owned`, and kills the run when its time is
up) around :mod:`._child` (which runs the learner's cells and the probe).  What
comes back, over a pipe no process of the run can open, is the tracer's report
and the probe's data as JSON: plain data, never a pickle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sandbox import PYTHON, Sandbox, resolve
from ..settings import DEFAULT_SETTINGS, RunSettings

__all__ = ["Observed", "run_job"]

_TRACE = str(Path(__file__).with_name("_trace.py"))
_CHILD = str(Path(__file__).with_name("_child.py"))
_MAX_REPORT = 2**20
_JOB_FILE = "judge-job.json"
_NO_REPORT = "the run ended without a report"


@dataclass(frozen=True)
class Observed:
    """What a judge job gave: the probe's outcome (``result``, ``error`` or ``timeout``) and the tracer's counts
    (``untraced`` says why there are none: ptrace refused, or not Linux)."""

    outcome: dict[str, Any] = field(default_factory=dict)
    processes: int = 0
    threads: int = 0
    left: int = 0
    problem: str = ""
    untraced: str = ""
    tasks: tuple[dict[str, Any], ...] = ()
    owned: dict[str, Any] = field(default_factory=dict)

    def busy(self, seconds: float) -> int:
        """How many counted processes used at least ``seconds`` of CPU (observed from outside)."""
        return sum(1 for task in self.tasks if float(task.get("cpu", 0)) >= seconds)

    @property
    def terminated(self) -> int:
        """How many counted processes were ended by a signal."""
        return sum(1 for task in self.tasks if task.get("signal"))

    @property
    def result(self) -> Any:
        """The probe's ``RESULT`` (``None`` when it gave none)."""
        return self.outcome.get("result")

    @property
    def failure(self) -> str:
        """Why the probe gave no result (``""`` when it gave one)."""
        if self.problem:
            return self.problem
        if "timeout" in self.outcome:
            return f"it did not finish within {self.outcome['timeout']:.0f} s"
        if "error" in self.outcome:
            return str(self.outcome["error"])
        return "" if "result" in self.outcome else "the run gave no result"


def _read_all(descriptor: int, keep: int, into: list[bytes], tail: bool = False) -> None:
    """Drain a pipe into ``into``, keeping its first ``keep`` bytes (``tail``: its last ones)."""
    size = 0
    try:
        while chunk := os.read(descriptor, 65536):
            if tail:
                into.append(chunk)
                size += len(chunk)
                while size - len(into[0]) >= keep:
                    size -= len(into.pop(0))
            elif size < keep:
                into.append(chunk[: keep - size])
                size += len(into[-1])
    finally:
        os.close(descriptor)


def _last_words(chunks: list[bytes]) -> str:
    lines = b"".join(chunks).decode("utf-8", errors="replace").strip().splitlines()
    return f"; it said: {lines[-1][:300]}" if lines else ""


def _parse(data: bytes) -> Observed:
    """The tracer's report: the last one, written after every process of the run was killed (so no process
    of the run can write after it, even if it reached the pipe)."""
    for line in reversed(data.decode("utf-8", errors="replace").splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if "error" in record and "trace" not in record and "output" not in record:
            return Observed(problem=f"grading could not observe the run ({record['error']})"[:500])
        if "trace" in record or "untraced" in record:
            outcome: dict[str, Any] = {}
            for result_line in reversed(str(record.get("output", "")).splitlines()):
                try:
                    parsed = json.loads(result_line)
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    outcome = parsed
                    break
            owned = record.get("owned") if isinstance(record.get("owned"), dict) else {}
            if "untraced" in record:
                return Observed(outcome, untraced=str(record["untraced"]), owned=owned)
            counts = record["trace"]
            if counts.get("timed_out"):
                outcome = {"timeout": float(counts.get("kill_after", 0) or 0)}
            tasks = tuple(task for task in counts.get("tasks", ()) if isinstance(task, dict))
            return Observed(
                outcome, int(counts["processes"]), int(counts["threads"]), int(counts["left"]), tasks=tasks, owned=owned
            )
    return Observed(problem=_NO_REPORT)


def run_job(job: dict[str, Any], settings: RunSettings = DEFAULT_SETTINGS) -> Observed:
    """Run ``job`` (see :mod:`._child`) in a fresh sandbox under the tracer; return what was observed."""
    limits = settings.limits
    box = Sandbox(resolve(settings.sandbox), limits, jobs=settings.jobs)
    report_read, report_write = os.pipe()
    log_read, log_write = os.pipe()
    chunks: list[bytes] = []
    log: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(report_read, _MAX_REPORT, chunks), daemon=True)
    log_reader = threading.Thread(target=_read_all, args=(log_read, 2000, log, True), daemon=True)
    try:
        command = [PYTHON, _TRACE, str(report_write), str(limits.output_chars * 50), box.path("work", _JOB_FILE)]
        command += [PYTHON, _CHILD]
        files = {f"work/{_JOB_FILE}": json.dumps(job).encode()}
        try:
            process = box.popen(
                command, files=files, cwd=box.path("work"), stdout=log_write, stderr=log_write,
                report_fd=report_write,
            )  # fmt: skip
        finally:
            os.close(report_write)
            os.close(log_write)
        reader.start()
        log_reader.start()
        if settings.cancel is not None and settings.cancel.is_set():
            box.stop()
        try:
            process.wait(timeout=limits.timeout or None)
        except subprocess.TimeoutExpired:
            box.stop()
            reader.join(10)
            return Observed(problem=f"stopped after {limits.timeout:g} s")
        box.stop()
        reader.join(10)
        log_reader.join(10)
        observed = _parse(b"".join(chunks))
        if observed.problem.startswith(_NO_REPORT):
            return Observed(problem=f"{observed.problem} (exit code {process.returncode}){_last_words(log)}")
        if observed.untraced and sys.platform.startswith("linux"):
            return Observed(problem=f"grading could not count the run's processes ({observed.untraced})")
        return observed
    finally:
        box.close()
        for thread, descriptor in ((reader, report_read), (log_reader, log_read)):
            if thread.ident is None:
                os.close(descriptor)
