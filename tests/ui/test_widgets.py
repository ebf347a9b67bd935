"""Does the worker explorer time real runs and redraw its chart, without a browser?"""

from __future__ import annotations

import base64
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from mpcourse.ui.widgets import (
    CPU_BOUND,
    IO_BOUND,
    Timing,
    WorkerExplorer,
    explore_workers,
    make_executor,
    plot_timings,
    time_run,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chart_png(explorer: WorkerExplorer) -> bytes:
    """The PNG bytes the explorer's Output widget shows."""
    (output,) = explorer.output.outputs
    assert output["output_type"] == "display_data"
    return base64.b64decode(output["data"]["image/png"])


# --- the pure part ---------------------------------------------------------------------


# How long the runs take (threads waiting together, taking turns under the GIL) is
# measured by benchmarks/explorer_times.py: wall-clock claims stay out of unit tests.
# The bounds below only say the run waited for its tasks, which no load can break.


def test_io_bound_threads_run_every_task():
    timing = time_run(IO_BOUND, "threads", workers=4, tasks=4, task_seconds=0.1)
    assert timing == Timing(IO_BOUND, "threads", 4, 4, 0.1, timing.seconds)
    assert timing.serial_seconds == pytest.approx(0.4)
    assert timing.seconds >= 0.1


def test_cpu_bound_threads_run_every_task():
    timing = time_run(CPU_BOUND, "threads", workers=2, tasks=2, task_seconds=0.05)
    assert timing == Timing(CPU_BOUND, "threads", 2, 2, 0.05, timing.seconds)
    assert timing.seconds >= 0.05


def test_processes_run_the_tasks_under_the_start_method():
    timing = time_run(IO_BOUND, "processes", workers=2, tasks=2, task_seconds=0.05)
    assert timing.backend == "processes"
    assert timing.seconds >= 0.05


@pytest.mark.parametrize(
    ("kind", "backend"),
    [("GPU-bound", "threads"), (CPU_BOUND, "fibers")],
)
def test_unknown_kind_or_backend_is_refused(kind, backend):
    with pytest.raises(ValueError, match="must be one of"):
        time_run(kind, backend, workers=1, tasks=1, task_seconds=0.01)


def test_make_executor_refuses_an_unknown_backend():
    with pytest.raises(ValueError, match="threads, processes"):
        make_executor("greenlets", 2)


def test_timing_label_names_the_configuration():
    timing = Timing(CPU_BOUND, "processes", 2, 4, 0.1, 0.25)
    assert timing.label == "CPU-bound\n4 × 0.10 s\n2 processes"


def test_plot_timings_draws_one_bar_per_pair():
    ax = plot_timings([("a", 0.5), ("b", 0.25)], colors=["tab:blue", "tab:orange"])
    assert [bar.get_height() for bar in ax.patches] == [0.5, 0.25]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["a", "b"]
    plt.close(ax.figure)


# --- the widget wiring -----------------------------------------------------------------


def test_clicking_run_times_the_chosen_configuration_and_redraws():
    explorer = explore_workers()
    assert explorer.output.outputs == ()

    explorer.kind.value = IO_BOUND
    explorer.tasks.value = 2
    explorer.task_seconds.value = 0.04
    explorer.workers.value = 2
    explorer.backend.value = "threads"
    explorer.run_button.click()

    (timing,) = explorer.timings
    assert (timing.kind, timing.backend, timing.workers, timing.tasks) == (IO_BOUND, "threads", 2, 2)
    assert timing.task_seconds == pytest.approx(0.04)
    first = chart_png(explorer)
    assert first.startswith(PNG_SIGNATURE)
    assert "2 threads" in explorer.output.outputs[0]["data"]["text/plain"]
    assert "on 2 threads" in explorer.status.value
    assert not explorer.run_button.disabled

    explorer.backend.value = "processes"
    explorer.run_button.click()

    assert [t.backend for t in explorer.timings] == ["threads", "processes"]
    second = chart_png(explorer)
    assert second.startswith(PNG_SIGNATURE)
    assert second != first
    assert "2 processes" in explorer.output.outputs[0]["data"]["text/plain"]


def test_chart_keeps_the_latest_runs_only():
    explorer = WorkerExplorer()
    explorer.max_bars = 2
    explorer.kind.value = IO_BOUND
    explorer.tasks.value = 1
    explorer.task_seconds.value = 0.02
    for workers in (1, 2, 3):
        explorer.workers.value = workers
        explorer.run_button.click()
    assert len(explorer.timings) == 3
    text = explorer.output.outputs[0]["data"]["text/plain"]
    assert "1 threads" not in text
    assert "2 threads" in text
    assert "3 threads" in text


def test_clear_empties_the_chart():
    explorer = explore_workers()
    explorer.kind.value = IO_BOUND
    explorer.tasks.value = 1
    explorer.task_seconds.value = 0.02
    explorer.run_button.click()
    explorer.clear_button.click()
    assert explorer.timings == []
    assert explorer.output.outputs == ()


def test_a_failed_run_is_reported_not_raised(monkeypatch):
    explorer = explore_workers()

    def broken(*args, **kwargs):
        raise RuntimeError("no workers today")

    monkeypatch.setattr("mpcourse.ui.widgets.time_run", broken)
    explorer.run_button.click()
    assert explorer.status.value == "That run failed: RuntimeError: no workers today"
    assert explorer.timings == []
    assert not explorer.run_button.disabled


def test_explorer_displays_as_a_widget_with_a_plain_text_fallback():
    bundle = explore_workers()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "WorkerExplorer (run the cell in Jupyter to use it)"


def test_importing_mpcourse_does_not_load_widgets():
    """A spawned child imports mpcourse; it must not pay for ipywidgets or matplotlib."""
    code = "import sys, mpcourse, mpcourse.workers; print(sorted({'ipywidgets', 'matplotlib'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
