"""mpcourse.checks.q3: does each check of notebook 03 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest
from check_output import one_line
from machine_load import machine_gives, notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse import get_context, run_processes, workers
from mpcourse.checks import q3
from mpcourse.checks.exercise import EXERCISES
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


# --- exercise part 2: collect_cubes(worker, numbers) ---------------------------------

PASS_LINE = "PASS: collect_cubes runs the worker in one process per number and returns the cubes in order"
PUT_ALL = (
    "def put_all(worker, queue, numbers):\n"
    "    for index, number in enumerate(numbers):\n"
    "        worker(queue, index, number)\n"
)


def start_get_join(ctx):
    """The chapter's answer: start them all, one get per process, join them all, sort by index."""

    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        processes = [ctx.Process(target=worker, args=(queue, i, n)) for i, n in enumerate(numbers)]
        for process in processes:
            process.start()
        pairs = [queue.get(timeout=30) for _ in processes]
        for process in processes:
            process.join()
        return [cube for _, cube in sorted(pairs)]

    return collect_cubes


def loop_append_dict(ctx):
    def collect_cubes(worker, numbers):
        queue, processes, cubes = ctx.SimpleQueue(), [], {}
        for index, number in enumerate(numbers):
            process = ctx.Process(target=worker, args=(queue, index, number))
            process.start()
            processes.append(process)
        for _ in numbers:
            index, cube = queue.get()
            cubes[index] = cube
        for process in processes:
            process.join()
        return tuple(cubes[index] for index in range(len(numbers)))

    return collect_cubes


def queue_per_process(ctx):
    def collect_cubes(worker, numbers):
        queues = {index: ctx.Queue() for index in range(len(numbers))}
        processes = {i: ctx.Process(target=worker, args=(queues[i], i, n)) for i, n in enumerate(numbers)}
        for process in processes.values():
            process.start()
        cubes = [queues[index].get(timeout=30)[1] for index in sorted(queues)]
        for process in processes.values():
            process.join()
        return cubes

    return collect_cubes


def one_at_a_time(ctx):
    """Start, get, join, one number after another: one process per number, none left."""

    def collect_cubes(worker, numbers):
        queue, cubes = ctx.Queue(), []
        for index, number in enumerate(numbers):
            process = ctx.Process(target=worker, args=(queue, index, number))
            process.start()
            cubes.append(queue.get(timeout=30)[1])
            process.join()
        return cubes

    return collect_cubes


def with_run_processes(ctx):
    """The chapter's helper starts and joins one process per argument tuple."""

    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        run_processes(worker, [(queue, i, n) for i, n in enumerate(numbers)], method=ctx.get_start_method())
        return [cube for _, cube in sorted(queue.get(timeout=30) for _ in numbers)]

    return collect_cubes


@pytest.mark.parametrize(
    "style", [start_get_join, loop_append_dict, queue_per_process, one_at_a_time, with_run_processes]
)
def test_cubes_pass_for_honest_answers_in_any_style(capsys, method, style):
    assert check_cubes(style(get_context(method))) is True
    assert one_line(capsys) == PASS_LINE


def idle_processes(ctx):
    """Processes that do nothing, and the cubes computed here: passed the check of the old exercise."""

    def collect_cubes(worker, numbers):
        processes = [ctx.Process(target=workers.sleep_for, args=(0,)) for _ in numbers]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        return [number**3 for number in numbers]

    return collect_cubes


def worker_in_this_process(ctx):
    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        for index, number in enumerate(numbers):
            worker(queue, index, number)
        return [cube for _, cube in sorted(queue.get(timeout=30) for _ in numbers)]

    return collect_cubes


def worker_in_threads(ctx):
    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        threads = [threading.Thread(target=worker, args=(queue, i, n)) for i, n in enumerate(numbers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [cube for _, cube in sorted(queue.get(timeout=30) for _ in numbers)]

    return collect_cubes


def all_in_one_process(ctx):
    put_all = define_worker(PUT_ALL).put_all

    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        process = ctx.Process(target=put_all, args=(worker, queue, numbers))
        process.start()
        pairs = [queue.get(timeout=30) for _ in numbers]
        process.join()
        return [cube for _, cube in sorted(pairs)]

    return collect_cubes


def not_joined(ctx):
    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        for index, number in enumerate(numbers):
            ctx.Process(target=worker, args=(queue, index, number)).start()
        return [cube for _, cube in sorted(queue.get(timeout=30) for _ in numbers)]

    return collect_cubes


def first_number_twice(ctx):
    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        jobs = [(0, numbers[0]), *enumerate(numbers)]
        processes = [ctx.Process(target=worker, args=(queue, i, n)) for i, n in jobs]
        for process in processes:
            process.start()
        pairs = dict(queue.get(timeout=30) for _ in processes)
        for process in processes:
            process.join()
        return [pairs[index] for index in range(len(numbers))]

    return collect_cubes


def in_arrival_order_reversed(ctx):
    return lambda worker, numbers: start_get_join(ctx)(worker, numbers)[::-1]


def the_pairs(ctx):
    def collect_cubes(worker, numbers):
        cubes = start_get_join(ctx)(worker, numbers)
        return list(enumerate(cubes))

    return collect_cubes


def raises(ctx):
    def collect_cubes(worker, numbers):
        raise ValueError("oops")

    return collect_cubes


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (idle_processes, "the worker never ran: the processes did no work"),
        (worker_in_this_process, "the worker ran in this process (4 of 4 calls)"),
        (worker_in_threads, "called directly or in a thread"),
        (all_in_one_process, "the 4 numbers ran in 1 process(es)"),
        (not_joined, "join every process"),
        (first_number_twice, "the worker ran 5 time(s) for 4 numbers"),
        (in_arrival_order_reversed, "the right cubes in the wrong order"),
        (the_pairs, "return the cubes, not the (index, cube) pairs"),
        (raises, "raised ValueError: oops"),
    ],
)
def test_cubes_fail_for_a_wrong_answer_with_its_hint(capsys, method, answer, hint):
    assert check_cubes(answer(get_context(method))) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and hint in line, line


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (..., "write your answer in the cell above"),
        ([8, 27, 64], "define a function collect_cubes(worker, numbers)"),
        (None, "define a function collect_cubes(worker, numbers)"),
    ],
)
def test_cubes_need_a_function(capsys, value, hint):
    assert check_cubes(value) is False
    assert hint in one_line(capsys)


def test_cubes_are_checked_on_numbers_drawn_now(capsys):
    """The cubes of CUBE_INPUTS written in, after real processes did the work: the check's numbers differ."""
    honest = start_get_join(get_context())

    def collect_cubes(worker, numbers):
        honest(worker, numbers)
        return [number**3 for number in q3.CUBE_INPUTS]

    assert check_cubes(collect_cubes) is False
    assert "returned [8, 27, 64], expected" in one_line(capsys)


def test_a_pool_is_not_one_process_per_number(capsys):
    """A pool may hand one worker several numbers, or not, as it goes: the check says so every time."""
    ctx = get_context()

    def collect_cubes(worker, numbers):
        with ctx.Manager() as manager:
            queue = manager.Queue()
            with ctx.Pool(len(numbers)) as pool:
                pool.starmap(worker, [(queue, i, n) for i, n in enumerate(numbers)])
            pairs = [queue.get(timeout=30) for _ in numbers]
        return [cube for _, cube in sorted(pairs)]

    assert check_cubes(collect_cubes) is False
    assert "a pool hands its workers the numbers as they come" in one_line(capsys)


def test_cubes_stop_an_answer_that_never_returns(capsys, method):
    """No hang and no leftover process (the suite's leak guard checks) when collect_cubes waits forever."""
    ctx = get_context(method)

    def collect_cubes(worker, numbers):
        queue = ctx.Queue()
        processes = [ctx.Process(target=workers.sleep_for, args=(60,)) for _ in numbers]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        return [queue.get() for _ in numbers]

    assert check_cubes(collect_cubes, timeout=1.0) is False
    assert "did not return within 1 s" in one_line(capsys)


def test_cubes_leave_no_folder_behind(capsys):
    folders = set(Path(tempfile.gettempdir()).glob("mpcourse-cubes-*"))
    check_cubes(start_get_join(get_context()))
    assert set(Path(tempfile.gettempdir()).glob("mpcourse-cubes-*")) == folders


@pytest.mark.parametrize(
    ("observed", "hint"),
    [
        ({"calls": 4, "from_main": 0, "workers": 4, "left": 0}, ""),
        ({"calls": 0, "from_main": 0, "workers": 0, "left": 0}, "the worker never ran"),
        ({"calls": 4, "from_main": 4, "workers": 0, "left": 0}, "ran in this process"),
        ({"calls": 4, "from_main": 0, "workers": 2, "left": 0}, "ran in 2 process(es)"),
        ({"calls": 4, "from_main": 0, "workers": 4, "left": 3}, "join every process"),
        ({"calls": 4, "from_main": 0, "workers": 4, "left": 0, "pools": 1}, "a pool"),
    ],
)
def test_the_verdict_takes_what_a_judge_observed(observed, hint):
    """The judge's data: the server's counts and the tracer's leftovers, no indices; the same verdict judges it."""
    numbers = [5, -2, 7, 0]
    passed, said = EXERCISES["cubes"].judge({"numbers": numbers, "cubes": [n**3 for n in numbers], **observed})
    assert passed is (not hint) and hint in said
