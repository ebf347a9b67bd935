"""mpcourse.checks.q1: does each check of notebook 01 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

import sys
import types

import pytest
from check_output import one_line
from machine_load import notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse import START_METHOD_ENV, workers
from mpcourse.backend.timing import Seconds, SpeedupRow, measure_speedup
from mpcourse.checks.q1 import check_counter_prediction, check_speedup, check_sum_of_squares
from mpcourse.kernel.worker_magic import define_worker

SOLUTION = 'def sum_of_squares(n):\n    """0² + … + (n-1)²."""\n    return sum(i * i for i in range(n))\n'
OFF_BY_ONE = "def sum_of_squares(n):\n    return sum(i * i for i in range(n + 1))\n"
RAISES = "def sum_of_squares(n):\n    return 1 // (n - n)\n"


def rows_with(two_worker_speedup: float, free_cpus: float | None = None) -> list[SpeedupRow]:
    return [
        SpeedupRow(1, 1.0, 0.95, 0.95, 2.0),
        SpeedupRow(2, 0.5, two_worker_speedup, two_worker_speedup / 2, free_cpus),
    ]


# --- the measured speedup ------------------------------------------------------


def test_speedup_passes_when_two_workers_are_fast_enough(capsys, notes):
    assert check_speedup(rows_with(1.8, 1.9), cpus=2) is True
    assert one_line(capsys).startswith("PASS: ")
    assert notes == [
        "Your measurement: 2 workers ran 1.80x as fast as the loop, with 1.9 of 2 cores free. "
        "The ideal on 2 free cores is 2x."
    ]


@pytest.mark.parametrize("speedup", [0.5, 1.0, 1.3])
def test_speedup_fails_when_two_workers_are_too_slow(capsys, speedup):
    assert check_speedup(rows_with(speedup), cpus=2) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and f"{speedup:.2f}x" in line


def test_speedup_asks_nothing_of_a_single_core(capsys):
    assert check_speedup(rows_with(0.9), cpus=1) is True
    assert one_line(capsys).startswith("PASS: ")


def test_speedup_needs_a_two_worker_row(capsys):
    assert check_speedup([SpeedupRow(1, 1.0, 1.0, 1.0)], cpus=2) is False
    assert "measure with 2 workers" in one_line(capsys)


def test_speedup_passes_and_fails_with_the_same_name(capsys):
    """The stored output of the notebook must not depend on which branch passed."""
    check_speedup(rows_with(1.8), cpus=2)
    check_speedup(rows_with(0.9), cpus=1)
    check_speedup(rows_with(0.9), cpus=2)
    first, second, third = capsys.readouterr().out.splitlines()
    assert first == second
    assert third.startswith(first.replace("PASS", "NOT YET", 1) + ". Hint: ")


# --- the same on a busy machine: held to the cores the machine gave --------------------


@pytest.mark.parametrize("free", [1.9, 2.0, None], ids=["measured-idle", "measured-full", "probed-idle"])
@pytest.mark.parametrize("speedup", [0.95, 1.05, 1.2], ids=["serial-loop", "tiny-tasks", "half-parallel"])
def test_speedup_wrong_approach_fails_on_an_idle_machine(capsys, notes, free, speedup):
    """A loop, or tasks too small to gain, on a machine that left both cores free: NOT YET, and no excuse."""
    assert check_speedup(rows_with(speedup, free), cpus=2) is False
    assert one_line(capsys).startswith("NOT YET: ")
    assert len(notes) == 1 and f"{speedup:.2f}x" in notes[0] and "Other programs" not in notes[0]


@pytest.mark.parametrize(("free", "speedup"), [(1.33, 1.2), (1.5, 1.25), (1.1, 0.9), (0.7, 0.6)])
def test_speedup_right_approach_passes_on_a_loaded_machine(capsys, notes, free, speedup):
    """2 workers that got what the machine could give pass with the idle machine's line, and the numbers beside it."""
    assert check_speedup(rows_with(speedup, free), cpus=2) is True
    assert one_line(capsys) == "PASS: 2 workers sped up the CPU-bound tasks as far as the free cores allowed"
    assert len(notes) == 1 and f"{speedup:.2f}x" in notes[0] and f"about {free:.1f} cores" in notes[0]
    assert "not your code, is why the speedup is low" in notes[0]


def test_speedup_on_a_loaded_machine_still_asks_what_it_could_give(capsys, notes):
    """1.6 cores free can give 1.18x; a loop's 1.0x fails and says what was asked."""
    assert check_speedup(rows_with(1.0, 1.6), cpus=2) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and "1.6 cores free" in line and "1.18x" in line


def test_speedup_free_cpus_argument_wins_over_the_rows(capsys):
    assert check_speedup(rows_with(1.2, 2.0), cpus=2, free_cpus=1.3) is True
    assert check_speedup(rows_with(1.2, 1.3), cpus=2, free_cpus=2.0) is False


def test_speedup_probes_the_machine_only_for_rows_that_carry_nothing(capsys, monkeypatch):
    from machine_load import machine_gives

    machine_gives(monkeypatch, 1.2)
    assert check_speedup(rows_with(1.1, None), cpus=2) is True
    assert check_speedup(rows_with(1.1, 2.0), cpus=2) is False


def test_measure_speedup_rows_carry_the_free_cores(monkeypatch):
    """measure_speedup copies what each pool run's Seconds says about the machine into its row."""
    timed = iter([(Seconds(1.0, 1.9), None), (Seconds(0.6, 1.4), None)])
    monkeypatch.setattr("mpcourse.backend.timing.stopwatch", lambda func, *args, **kwargs: next(timed))
    (row,) = measure_speedup(workers.square, [1], [2])
    assert row.free_cpus == 1.4 and row.speedup == pytest.approx(1.0 / 0.6)


# --- exercise 1: predict COUNTER ------------------------------------------------


@pytest.fixture
def fresh_counter(monkeypatch, method):
    """COUNTER at 0 in this process (so fork children start from 0 too), under each start method."""
    monkeypatch.setattr(workers, "COUNTER", 0)
    monkeypatch.setenv(START_METHOD_ENV, method)


def test_counter_prediction_passes_for_the_solution(capsys, fresh_counter):
    assert check_counter_prediction([10, 10, 10], 0) is True
    assert one_line(capsys).startswith("PASS: ")


@pytest.mark.parametrize(
    ("children", "parent", "hint"),
    [
        ([10, 20, 30], 30, "own copy"),  # the children share one COUNTER
        ([10, 20, 30], 0, "own copy"),
        ([10, 10, 10], 30, "reach the parent"),  # the children's additions come back
        ([10, 10, 10], 10, "reach the parent"),
        (10, 0, "list of three"),
        ([10, 10], 0, "list of three"),
    ],
)
def test_counter_prediction_fails_for_a_wrong_prediction(capsys, monkeypatch, children, parent, hint):
    monkeypatch.setattr(workers, "COUNTER", 0)
    assert check_counter_prediction(children, parent) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and hint in line


# --- exercise 2: sum_of_squares in a %%worker cell --------------------------------


def test_sum_of_squares_passes_for_the_solution(capsys, method, monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, method)
    assert check_sum_of_squares(define_worker(SOLUTION).sum_of_squares) is True
    assert one_line(capsys).startswith("PASS: ")


@pytest.mark.parametrize(
    ("source", "hint"),
    [(OFF_BY_ONE, "sum_of_squares(1) returned 1, expected 0"), (RAISES, "ZeroDivisionError")],
)
def test_sum_of_squares_fails_for_a_wrong_function(capsys, source, hint):
    assert check_sum_of_squares(define_worker(source).sum_of_squares) is False
    line = capsys.readouterr().out.splitlines()[-1]  # a task's own output may come first
    assert line.startswith("NOT YET: ") and hint in line


def test_sum_of_squares_fails_for_a_lambda(capsys):
    assert check_sum_of_squares(lambda n: sum(i * i for i in range(n))) is False
    assert "%%worker" in one_line(capsys)


def test_sum_of_squares_fails_for_a_function_typed_into_the_notebook(capsys, monkeypatch):
    """Without %%worker, a notebook's function lives in __main__, which spawn children cannot import."""

    def sum_of_squares(n):
        return sum(i * i for i in range(n))

    sum_of_squares.__module__ = "__main__"
    sum_of_squares.__qualname__ = "sum_of_squares"
    kernel_main = types.ModuleType("__main__")  # like a kernel's __main__: no __file__
    monkeypatch.setitem(sys.modules, "__main__", kernel_main)
    assert check_sum_of_squares(sum_of_squares) is False
    assert "%%worker" in one_line(capsys)


def test_sum_of_squares_fails_for_something_not_callable(capsys):
    assert check_sum_of_squares(285) is False
    assert "pass the function itself" in one_line(capsys)
