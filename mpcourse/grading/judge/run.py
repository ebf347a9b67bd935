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
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bwrap import PYTHON
from ..driver import SandboxRun
from ..sandbox import resolve
from ..seccomp import tracee_command
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


def _last_words(log: bytes) -> str:
    lines = log.decode("utf-8", errors="replace").strip().splitlines()
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
    mode = resolve(settings.sandbox)
    with SandboxRun(mode, limits, jobs=settings.jobs, report_bytes=_MAX_REPORT, log_bytes=2000, tracing=True) as run:
        command = [PYTHON, _TRACE, str(run.report_fd), str(limits.output_chars * 50), run.path("work", _JOB_FILE)]
        command += tracee_command(mode, _CHILD)
        finished = run.run(command, files={f"work/{_JOB_FILE}": json.dumps(job).encode()})
    if finished.ending == "stopped":
        return Observed(problem="interrupted")
    if finished.ending == "timeout":
        return Observed(problem=f"stopped after {limits.timeout:g} s")
    observed = _parse(finished.report)
    if observed.problem.startswith(_NO_REPORT):
        return Observed(problem=f"{observed.problem} (exit code {finished.returncode}){_last_words(finished.log)}")
    if observed.untraced and sys.platform.startswith("linux"):
        return Observed(problem=f"grading could not count the run's processes ({observed.untraced})")
    return observed
