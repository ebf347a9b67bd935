"""mpcourse.checks.q3: does each check of notebook 03 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

import pytest
from check_output import one_line
from machine_load import machine_gives, notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse import get_context, workers
from mpcourse.checks import q3
from mpcourse.checks.q3 import check_cubes, check_put_cube, check_startup_costs
from mpcourse.kernel.worker_magic import define_worker

SOLUTION = (
    'def put_cube(queue, index, number):\n    """Put (index, number cubed)."""\n    queue.put((index, number**3))\n'
)
SQUARES = "def put_cube(queue, index, number):\n    queue.put((index, number**2))\n"
NO_INDEX = "def put_cube(queue, index, number):\n    queue.put(number**3)\n"
RETURNS = "def put_cube(queue, index, number):\n    return (index, number**3)\n"
RAISES = "def put_cube(queue, index, number):\n    raise ValueError('oops')\n"
HANGS = "import time\n\ndef put_cube(queue, index, number):\n    time.sleep(60)\n"


def worker(source: str):
    """The ``put_cube`` a ``%%worker`` cell with ``source`` would define."""
    return define_worker(source).put_cube


# --- the measured start-up costs --------------------------------------------------


@pytest.mark.parametrize(
    "costs",
    [
        {"fork": 0.003, "spawn": 0.06, "forkserver": 0.02},
        {"spawn": 0.06, "fork": 0.03},
        {"spawn": 0.06},  # Windows: nothing to compare
    ],
)
def test_startup_costs_pass_when_spawn_costs_more(capsys, costs):
    assert check_startup_costs(costs) is True
    assert one_line(capsys).startswith("PASS: ")


@pytest.mark.parametrize(
    "costs",
    [
        {"fork": 0.05, "spawn": 0.06},
        {"fork": 0.06, "spawn": 0.003},
        {"fork": 0.0, "spawn": 0.06},
        {"fork": 0.003},
        [0.003, 0.06],
    ],
)
def test_startup_costs_fail_otherwise(capsys, costs):
    assert check_startup_costs(costs) is False
    assert one_line(capsys).startswith("NOT YET: ")


def test_startup_costs_a_small_ratio_fails_on_an_idle_machine(capsys, notes):
    """spawn only 1.5x fork while both cores stood idle: NOT YET."""
    assert check_startup_costs({"fork": 0.04, "spawn": 0.06}) is False
    assert one_line(capsys).startswith("NOT YET: ") and notes == []


def test_startup_costs_a_small_ratio_passes_on_a_loaded_machine(capsys, monkeypatch, notes):
    machine_gives(monkeypatch, 1.1)
    assert check_startup_costs({"fork": 0.04, "spawn": 0.06}) is True
    assert one_line(capsys) == "PASS: start-up cost of each start method measured"
    assert len(notes) == 1 and "about 1.1 of 2 cores" in notes[0]


def test_startup_costs_swapped_fail_on_a_loaded_machine_too(capsys, notes):
    assert check_startup_costs({"fork": 0.06, "spawn": 0.03}, free_cpus=0.6) is False
    assert notes == []


def test_startup_costs_pass_and_fail_with_the_same_name(capsys):
    """The stored output of the notebook must not depend on which branch passed."""
    check_startup_costs({"spawn": 0.06})
    check_startup_costs({"fork": 0.003, "spawn": 0.06})
    check_startup_costs({"fork": 0.06, "spawn": 0.06})
    first, second, third = capsys.readouterr().out.splitlines()
    assert first == second
    assert third.startswith(first.replace("PASS", "NOT YET", 1) + ". Hint: ")


# --- exercise part 1: put_cube ----------------------------------------------------


def test_put_cube_passes_for_the_solution(capsys, method):
    assert check_put_cube(worker(SOLUTION), method=method) is True
    assert one_line(capsys) == "PASS: put_cube sends (index, number ** 3) back from a child process"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        (SQUARES, "put (0, 4); expected (0, 8)"),
        (NO_INDEX, "the queue held [8, 27, 64]"),
        (RETURNS, "nothing arrived on the queue"),
        (RAISES, "nothing arrived on the queue"),
    ],
)
def test_put_cube_fails_for_a_wrong_worker(capsys, method, source, hint):
    assert check_put_cube(worker(source), method=method) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and hint in line


def test_put_cube_fails_for_the_demo_worker(capsys):
    """put_square from the demo is not the answer."""
    assert check_put_cube(workers.put_square) is False
    assert "expected (0, 8)" in one_line(capsys)


def test_put_cube_refuses_what_a_spawned_child_cannot_load(capsys):
    """A notebook function works under fork only; the check asks for one that works everywhere."""

    def put_cube(queue, index, number):
        queue.put((index, number**3))

    assert check_put_cube(put_cube) is False
    assert "%%worker" in one_line(capsys)


def test_put_cube_needs_a_function(capsys):
    assert check_put_cube(None) is False
    assert "pass the function itself" in one_line(capsys)


def test_put_cube_stops_a_worker_that_never_answers(capsys, monkeypatch, method):
    """No hang and no leftover process (the autouse leak guard checks) when the worker hangs."""
    monkeypatch.setattr(q3, "_TIMEOUT_SECONDS", 1.0)
    assert check_put_cube(worker(HANGS), method=method) is False
    assert "nothing arrived on the queue" in one_line(capsys)


# --- exercise part 2: cubes from the processes --------------------------------------


class FakeProcess:
    """Enough of a ``Process`` for check_cubes: alive or not, and an exit code."""

    def __init__(self, alive: bool = False, exitcode: int | None = 0) -> None:
        self.alive, self.exitcode = alive, exitcode

    def is_alive(self) -> bool:
        return self.alive


def test_cubes_pass_for_the_solution(capsys, method):
    ctx = get_context(method)
    processes = [ctx.Process(target=workers.sleep_for, args=(0,)) for _ in q3.CUBE_INPUTS]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    assert check_cubes([8, 27, 64], processes) is True
    assert one_line(capsys) == "PASS: cubes collected from the processes, in the order of the numbers"


@pytest.mark.parametrize(
    ("cubes", "processes", "hint"),
    [
        ([27, 8, 64], [FakeProcess()] * 3, "sort the (index, cube) pairs"),
        ([4, 9, 16], [FakeProcess()] * 3, "expected [8, 27, 64]"),
        ([(0, 8), (1, 27), (2, 64)], [FakeProcess()] * 3, "expected [8, 27, 64]"),
        (None, [FakeProcess()] * 3, "expected [8, 27, 64]"),
        ([8, 27, 64], [FakeProcess()] * 2, "one process per number"),
        ([8, 27, 64], None, "one process per number"),
        ([8, 27, 64], [1, 2, 3], "one process per number"),
        ([8, 27, 64], [FakeProcess(), FakeProcess(True, None), FakeProcess()], "call join()"),
        ([8, 27, 64], [FakeProcess(), FakeProcess(exitcode=1), FakeProcess()], "[0, 1, 0]"),
    ],
)
def test_cubes_fail_for_a_wrong_answer(capsys, cubes, processes, hint):
    assert check_cubes(cubes, processes) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and hint in line
