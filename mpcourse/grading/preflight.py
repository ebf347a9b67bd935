"""Before the first real run: can a trivial notebook be graded here at all?  If not, say why, once."""

from __future__ import annotations

import sys
import threading

import nbformat

from .results import Status
from .runner import CellRun, run_notebook
from .settings import DEFAULT_SETTINGS, RunSettings

__all__ = ["GradingUnavailable", "Preflight", "preflight_problem"]


class GradingUnavailable(RuntimeError):
    """Grading cannot run on this machine as configured (not a student's fault)."""


def preflight_problem(settings: RunSettings = DEFAULT_SETTINGS) -> str | None:
    """Grade a one-cell notebook; return why grading cannot run here, or ``None`` when it can."""
    cell = nbformat.v4.new_code_cell('print("ready")', execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ready\n")]
    result = run_notebook(nbformat.v4.new_notebook(cells=[cell]), "preflight.ipynb", settings)
    if result.status == Status.OK and result.cells.get(0, CellRun(False)).passed:
        return None
    why = result.detail or result.cells.get(0, CellRun(False)).reason or "its one cell did not pass"
    return (
        f"a one-cell test notebook could not be graded ({result.status}: {why}). Check that pytest, nbval "
        f"and ipykernel are installed for {sys.executable}, and that --memory-mb {settings.limits.memory_mb} "
        "leaves room for a kernel (2048 does; 0 removes the limit)."
    )


class Preflight:
    """Run :func:`preflight_problem` once, on the first call of :meth:`ensure` (from any thread)."""

    def __init__(self, settings: RunSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._done = False
        self._problem: str | None = None

    def ensure(self) -> None:
        """Raise :class:`GradingUnavailable` if grading cannot run here."""
        with self._lock:
            if not self._done:
                try:
                    self._problem = preflight_problem(self._settings)
                except Exception as exc:  # e.g. the run could not even start
                    self._problem = f"{type(exc).__name__}: {exc}"
                self._done = True
        if self._problem:
            raise GradingUnavailable(self._problem)
