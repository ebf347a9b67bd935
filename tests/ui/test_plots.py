"""mpcourse.ui.plots: is the serial fraction fitted from the measurement, and does the ideal line stop at the cores?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from mpcourse.backend.timing import SpeedupRow, TaskSpan, amdahl_speedup
from mpcourse.ui.plots import fit_serial_fraction, plot_speedup, plot_timeline


def _rows(speedups: dict[int, float]) -> list[SpeedupRow]:
    return [SpeedupRow(n, 1.0 / s, s, s / n) for n, s in speedups.items()]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_fit_recovers_the_serial_fraction_of_exact_amdahl_data():
    rows = _rows({n: amdahl_speedup(0.2, n) for n in [1, 2, 3, 4]})
    assert fit_serial_fraction(rows, cores=4) == pytest.approx(0.2)


def test_fit_counts_only_the_usable_cores():
    """On 2 cores, 3 and 4 workers run like 2: the fit must not read that as a large serial part."""
    speedup_on_two = amdahl_speedup(0.1, 2)
    rows = _rows({1: 1.0, 2: speedup_on_two, 3: speedup_on_two, 4: speedup_on_two})
    assert fit_serial_fraction(rows, cores=2) == pytest.approx(0.1)


def test_single_row_fit_is_the_karp_flatt_metric():
    speedup, busy = 1.6, 2
    karp_flatt = (1 / speedup - 1 / busy) / (1 - 1 / busy)
    assert fit_serial_fraction(_rows({2: speedup}), cores=2) == pytest.approx(karp_flatt)


def test_fit_is_clipped_to_a_fraction():
    assert fit_serial_fraction(_rows({2: 2.5}), cores=2) == 0.0  # faster than ideal (noise)
    assert fit_serial_fraction(_rows({2: 0.2}), cores=2) == 1.0  # slower than one core


def test_fit_needs_two_busy_cores():
    with pytest.raises(ValueError, match="at least 2 workers on at least 2 cores"):
        fit_serial_fraction(_rows({1: 0.97, 2: 1.0, 4: 1.0}), cores=1)


def test_ideal_line_stops_rising_at_the_usable_cores():
    rows = _rows({1: 0.97, 2: 1.8, 3: 1.7, 4: 1.6})
    ax = plot_speedup(rows, cores=2, serial_fraction=0.05)
    lines = {line.get_label(): line for line in ax.get_lines()}
    ideal = lines["ideal: n×, at most 2× on 2 cores"]
    assert max(ideal.get_ydata()) == 2
    assert list(lines["measured"].get_ydata()) == [0.97, 1.8, 1.7, 1.6]
    amdahl = lines["Amdahl's law, 5% serial (fitted)"]
    assert max(amdahl.get_ydata()) == pytest.approx(amdahl_speedup(0.05, 2))
    assert any("2 usable cores" in text.get_text() for text in ax.get_legend().get_texts())


def test_without_a_fraction_no_amdahl_curve_and_no_core_line_when_all_cores_used():
    ax = plot_speedup(_rows({1: 1.0, 2: 1.9}), cores=4)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["measured", "ideal: n×, at most 4× on 4 cores"]
    assert max(ax.get_lines()[1].get_ydata()) == 2


def test_plot_speedup_refuses_zero_cores():
    with pytest.raises(ValueError, match="cores must be at least 1"):
        plot_speedup(_rows({1: 1.0}), cores=0)


def test_timeline_has_one_row_per_worker():
    spans = [TaskSpan(0, 0, 0.0, 0.1, 11), TaskSpan(1, 1, 0.0, 0.1, 12), TaskSpan(2, 0, 0.1, 0.2, 11)]
    ax = plot_timeline(spans)
    assert [label.get_text() for label in ax.get_yticklabels()] == ["worker 0", "worker 1"]
    assert len(ax.patches) == 3
