"""Interactive explorers: run small tasks on threads or processes and see the wall time.

The logic is split so it can be tested without a browser: :func:`time_run` runs one
configuration and returns a :class:`Timing`; :func:`plot_timings` draws bars;
:class:`WorkerExplorer` only wires ipywidgets controls to the two.  This module
imports ipywidgets and matplotlib, so ``mpcourse/__init__.py`` never imports it.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..backend.context import get_context, start_method, valid_start_methods
from ..workers import busy_wait, sleep_for

__all__ = [
    "BACKENDS",
    "CPU_BOUND",
    "IO_BOUND",
    "KINDS",
    "Timing",
    "WorkerExplorer",
    "explore_workers",
    "make_executor",
    "plot_timings",
    "time_run",
]

CPU_BOUND = "CPU-bound"
IO_BOUND = "I/O-bound"
#: Task kinds and the worker that plays each: CPU time burnt, or waiting.
KINDS: dict[str, Callable[[float], float]] = {CPU_BOUND: busy_wait, IO_BOUND: sleep_for}
BACKENDS = ("threads", "processes")
_COLOURS = {"threads": "tab:blue", "processes": "tab:orange"}


class Timing(NamedTuple):
    """One measured run: ``tasks`` tasks of ``task_seconds`` each, on ``workers`` threads or processes."""

    kind: str
    backend: str
    workers: int
    tasks: int
    task_seconds: float
    seconds: float

    @property
    def serial_seconds(self) -> float:
        """How long the tasks take one after another: the work they hold."""
        return self.tasks * self.task_seconds

    @property
    def label(self) -> str:
        """A short bar label, e.g. ``'CPU-bound\\n4 × 0.10 s\\n2 threads'``."""
        return f"{self.kind}\n{self.tasks} × {self.task_seconds:.2f} s\n{self.workers} {self.backend}"


def make_executor(backend: str, workers: int, *, method: str | None = None) -> Executor:
    """Return a ``ThreadPoolExecutor`` or a ``ProcessPoolExecutor`` (for the start method) of ``workers``."""
    if backend == "threads":
        return ThreadPoolExecutor(max_workers=workers)
    if backend == "processes":
        return ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method))
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")


def time_run(
    kind: str,
    backend: str,
    workers: int,
    tasks: int,
    task_seconds: float,
    *,
    method: str | None = None,
) -> Timing:
    """Run ``tasks`` tasks of ``kind`` on ``workers`` threads or processes; return the wall time.

    The time includes starting and stopping the workers, as a learner pays it.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    executor = make_executor(backend, workers, method=method)
    start = time.perf_counter()
    with executor:
        list(executor.map(KINDS[kind], [task_seconds] * tasks))
    return Timing(kind, backend, workers, tasks, task_seconds, time.perf_counter() - start)


def plot_timings(
    bars: Sequence[tuple[str, float]],
    *,
    colors: Sequence[str] | None = None,
    ax: Any = None,
    title: str = "Wall time (shorter is better)",
) -> Any:
    """Draw one bar per ``(label, seconds)`` pair; return the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 1.6 * len(bars)), 3.5))
    labels = [label for label, _ in bars]
    seconds = [value for _, value in bars]
    ax.bar(range(len(bars)), seconds, color=colors, edgecolor="black")
    ax.set_xticks(range(len(bars)), labels)
    for x, value in enumerate(seconds):
        ax.text(x, value, f"{value:.2f} s", ha="center", va="bottom")
    ax.set_ylabel("seconds")
    ax.set_ylim(0, max(seconds, default=1.0) * 1.2)
    ax.set_title(title)
    return ax


class WorkerExplorer:
    """Controls for a task kind, size and worker count; a Run button; a chart of the runs so far.

    Display it as the last expression of a cell.  ``timings`` holds every run;
    ``output`` (an ``ipywidgets.Output``) holds the chart as a PNG.
    """

    #: Bars kept on the chart (the oldest drop off).
    max_bars = 6

    def __init__(self, *, method: str | None = None) -> None:
        self.kind = widgets.ToggleButtons(options=list(KINDS), description="task")
        self.tasks = widgets.IntSlider(value=4, min=1, max=8, description="tasks")
        self.task_seconds = widgets.FloatSlider(
            value=0.1, min=0.02, max=0.2, step=0.02, readout_format=".2f", description="s / task"
        )
        self.workers = widgets.IntSlider(value=2, min=1, max=4, description="workers")
        self.backend = widgets.ToggleButtons(options=list(BACKENDS), description="run on")
        self.method = widgets.Dropdown(options=valid_start_methods(), value=start_method(method), description="start")
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.clear_button = widgets.Button(description="Clear")
        self.status = widgets.Label(value="Choose a task and press Run.")
        self.output = widgets.Output()
        self.timings: list[Timing] = []
        self.run_button.on_click(self._on_run)
        self.clear_button.on_click(self._on_clear)
        self.widget = widgets.VBox(
            [
                self.kind,
                widgets.HBox([self.tasks, self.task_seconds]),
                widgets.HBox([self.workers, self.method]),
                self.backend,
                widgets.HBox([self.run_button, self.clear_button, self.status]),
                self.output,
            ]
        )

    def run(self) -> Timing:
        """Run the chosen configuration once, record it and redraw the chart."""
        timing = time_run(
            self.kind.value,
            self.backend.value,
            self.workers.value,
            self.tasks.value,
            self.task_seconds.value,
            method=self.method.value,
        )
        self.timings.append(timing)
        self.status.value = (
            f"{timing.seconds:.2f} s on {timing.workers} {timing.backend} "
            f"(one after another: {timing.serial_seconds:.2f} s)"
        )
        self._redraw()
        return timing

    def _on_run(self, _button: widgets.Button) -> None:
        self.run_button.disabled = True
        try:
            self.run()
        except Exception as exc:
            self.status.value = f"That run failed: {type(exc).__name__}: {exc}"
        finally:
            self.run_button.disabled = False

    def _on_clear(self, _button: widgets.Button) -> None:
        self.timings.clear()
        self.output.outputs = ()
        self.status.value = "Cleared."

    def _redraw(self) -> None:
        """Put a PNG bar chart of the latest runs into ``output``; works with or without a kernel."""
        shown = self.timings[-self.max_bars :]
        figure = Figure(figsize=(max(4.0, 1.7 * len(shown)), 3.5), layout="tight")
        plot_timings(
            [(t.label, t.seconds) for t in shown],
            colors=[_COLOURS[t.backend] for t in shown],
            ax=figure.subplots(),
        )
        png = io.BytesIO()
        figure.savefig(png, format="png")
        text = "\n".join(f"{', '.join(t.label.splitlines())}: {t.seconds:.2f} s" for t in shown)
        self.output.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": base64.b64encode(png.getvalue()).decode("ascii"), "text/plain": text},
                "metadata": {},
            },
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "WorkerExplorer (run the cell in Jupyter to use it)"
        return bundle


def explore_workers(*, method: str | None = None) -> WorkerExplorer:
    """Return a :class:`WorkerExplorer`: time CPU- or I/O-bound tasks on threads or processes."""
    return WorkerExplorer(method=method)
