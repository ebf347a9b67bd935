"""mpcourse.checks.q5: does each check pass the solution and fail a wrong answer?"""

from __future__ import annotations

import multiprocessing

import pytest
from machine_load import notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

import mpcourse
from mpcourse.backend.timing import Seconds
from mpcourse.checks.q5 import check_apply_blocks, check_map_faster, check_run_all, tasks_at_once
from mpcourse.workers import TaskRecord


def one_after_another(count: int = 8, length: float = 0.15) -> list[TaskRecord]:
    """Records of tasks that ran one at a time, alternating between two workers."""
    return [TaskRecord(100 + i % 2, i * (length + 0.01), i * (length + 0.01) + length, length) for i in range(count)]


def two_at_a_time(count: int = 8, length: float = 0.15) -> list[TaskRecord]:
    """Records of tasks that ran in pairs on two workers."""
    return [TaskRecord(100 + i % 2, (i // 2) * length, (i // 2 + 1) * length, length) for i in range(count)]


def test_tasks_at_once():
    assert tasks_at_once(one_after_another()) == pytest.approx(0.15 / 0.16, rel=0.05)
    assert tasks_at_once(two_at_a_time()) == pytest.approx(2.0)
    assert tasks_at_once([]) == 0.0


def test_apply_blocks_passes_the_real_pattern(capsys):
    assert check_apply_blocks(one_after_another(), two_at_a_time(), two_at_a_time()) is True
    assert capsys.readouterr().out.startswith("PASS: ")


@pytest.mark.parametrize(
    "runs",
    [
        pytest.param((two_at_a_time(), two_at_a_time(), two_at_a_time()), id="apply-overlapped"),
        pytest.param((one_after_another(), one_after_another(), two_at_a_time()), id="map-serial"),
        pytest.param((one_after_another(), two_at_a_time(), one_after_another()), id="async-serial"),
        pytest.param((None, two_at_a_time(), two_at_a_time()), id="not-records"),
        pytest.param((one_after_another(), [1.2, 0.6], two_at_a_time()), id="times-not-records"),
    ],
)
def test_apply_blocks_fails_wrong_input(runs, capsys):
    assert check_apply_blocks(*runs) is False
    out = capsys.readouterr().out
    assert out.startswith("NOT YET: ") and out.count("\n") == 1


def loaded(records: list[TaskRecord], stretch: dict[int, float], delay: dict[int, float]) -> list[TaskRecord]:
    """``records`` as a busy machine would have run them: each worker late by ``delay`` and slower by ``stretch``."""
    return [
        TaskRecord(r.pid, delay[r.pid] + r.start * stretch[r.pid], delay[r.pid] + r.end * stretch[r.pid], r.result)
        for r in records
    ]


def test_apply_blocks_right_approach_passes_on_a_loaded_machine(capsys):
    """One worker started late and both ran slower (another program on the cores): the overlap still shows."""
    stretch, delay = {100: 1.5, 101: 2.0}, {100: 0.0, 101: 0.05}
    apply_records = loaded(one_after_another(), {100: 1.5, 101: 1.5}, {100: 0.0, 101: 0.0})
    assert check_apply_blocks(apply_records, loaded(two_at_a_time(), stretch, delay), two_at_a_time()) is True
    assert capsys.readouterr().out.startswith("PASS: ")


def test_apply_blocks_loop_of_apply_fails_on_an_idle_machine(capsys):
    assert check_apply_blocks(one_after_another(), one_after_another(), one_after_another()) is False
    assert capsys.readouterr().out.startswith("NOT YET: ")


def make_solution(method: str):
    def run_all(func, items):
        with mpcourse.Pool(processes=4, method=method) as pool:
            results = pool.map(func, items)
            pool.close()
            pool.join()
        return results

    return run_all


def test_run_all_solution_passes(method, capsys):
    assert check_run_all(make_solution(method)) is True
    assert capsys.readouterr().out.startswith("PASS: ")


def test_run_all_apply_async_solution_passes(capsys):
    def run_all(func, items):
        with mpcourse.Pool(processes=4) as pool:
            pending = [pool.apply_async(func, (item,)) for item in items]
            results = [p.get() for p in pending]
            pool.close()
            pool.join()
        return results

    assert check_run_all(run_all) is True


def apply_in_a_loop(func, items):
    with mpcourse.Pool(processes=4) as pool:
        return [pool.apply(func, (item,)) for item in items]


def plain_loop(func, items):
    return [func(item) for item in items]


def unordered(func, items):
    # fork starts the workers within milliseconds, so the shortest task surely comes back first
    method = "fork" if "fork" in mpcourse.valid_start_methods() else None
    with mpcourse.Pool(processes=4, method=method) as pool:
        return list(pool.imap_unordered(func, items))


def returns_nothing(func, items):
    with mpcourse.Pool(processes=4) as pool:
        pool.map(func, items)


def wrong_numbers(func, items):
    return list(items)


def raises(func, items):
    with mpcourse.Pool(processes=4) as pool:
        pool.join()  # ValueError: Pool is still running


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (apply_in_a_loop, "one after another"),
        (plain_loop, "one after another"),
        (unordered, "item order"),
        (returns_nothing, "returned None"),
        (wrong_numbers, "expected [0, 2"),
        (raises, "raised ValueError"),
        ("run_all", "define a function"),
    ],
)
def test_run_all_fails_wrong_answers(answer, hint, capsys):
    assert check_run_all(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("NOT YET: ") and hint in out


def test_run_all_fails_a_pool_left_open(capsys):
    left_open = []

    def leaky(func, items):
        pool = mpcourse.Pool(processes=4)
        left_open.append(pool)
        return pool.map(func, items)

    try:
        assert check_run_all(leaky) is False
        assert "still running" in capsys.readouterr().out
    finally:
        for pool in left_open:
            pool.terminate()
            pool.join()


def leaked(func, items):
    """A pool nothing refers to once the function returns: the garbage collector would finalise it."""
    return mpcourse.Pool(processes=4).map(func, items)


def leaked_executor(func, items):
    import concurrent.futures

    executor = concurrent.futures.ProcessPoolExecutor(2, mp_context=mpcourse.get_context())
    return list(executor.map(func, items))


@pytest.mark.parametrize("answer", [leaked, leaked_executor])
def test_run_all_fails_a_pool_left_to_the_garbage_collector(answer, capsys):
    """Issue 24: a pool closed only by the collector is a leak; the check keeps it referenced, and sees its workers."""
    before = set(multiprocessing.active_children())
    assert check_run_all(answer) is False
    assert "still running after run_all returned" in capsys.readouterr().out
    assert set(multiprocessing.active_children()) <= before  # the check stopped what it kept


def with_block_only(func, items):
    with mpcourse.Pool(processes=2) as pool:
        return pool.map(func, items)


def executor_answer(func, items):
    import concurrent.futures

    with concurrent.futures.ProcessPoolExecutor(2, mp_context=mpcourse.get_context()) as executor:
        return list(executor.map(func, items))


@pytest.mark.parametrize("answer", [with_block_only, executor_answer])
def test_run_all_passes_other_honest_forms(answer, capsys):
    assert check_run_all(answer) is True, capsys.readouterr().out


def test_map_faster_passes_the_real_pattern(capsys):
    assert check_map_faster(0.8, 0.82, 0.42, cpus=2) is True
    assert capsys.readouterr().out.startswith("PASS: ")


@pytest.mark.parametrize(
    "times",
    [
        (0.8, 0.42, 0.42),  # apply came out faster: arguments swapped, or apply was not in a loop
        (0.8, 0.82, 0.75),  # map no faster than one process on 2 cores
        (0.8, 0.82, 0.0),  # not a measurement
        ("0.8", 0.82, 0.42),
    ],
)
def test_map_faster_fails_wrong_measurements(times, capsys):
    assert check_map_faster(*times, cpus=2) is False
    out = capsys.readouterr().out
    assert out.startswith("NOT YET: ") and "Hint:" in out and out.count("\n") == 1


def test_map_faster_map_without_gain_fails_on_an_idle_machine(capsys, notes):
    """map measured no faster than a loop while both cores stood idle: NOT YET."""
    assert check_map_faster(Seconds(0.8, 1.0), Seconds(0.82, 1.9), Seconds(0.7, 1.95), cpus=2) is False
    assert capsys.readouterr().out.startswith("NOT YET: ") and "Other programs" not in notes[0]


@pytest.mark.parametrize(("free", "map_time"), [(1.33, 0.68), (1.0, 0.79), (1.6, 0.66)])
def test_map_faster_right_approach_passes_on_a_loaded_machine(capsys, notes, free, map_time):
    assert check_map_faster(Seconds(0.8, 1.0), Seconds(0.82, 1.0), Seconds(map_time, free), cpus=2) is True
    assert capsys.readouterr().out == (
        "PASS: apply in a loop was no faster than one process; map was faster as far as the free cores allowed\n"
    )
    assert len(notes) == 1 and f"about {free:.1f} cores" in notes[0]


def test_map_faster_apply_faster_than_serial_fails_on_a_loaded_machine_too(capsys, notes):
    assert check_map_faster(0.8, 0.42, 0.42, cpus=2, free_cpus=1.0) is False
    assert notes == []


def test_map_faster_asks_nothing_of_map_on_one_core(capsys):
    assert check_map_faster(0.8, 0.82, 0.8, cpus=1) is True
    assert check_map_faster(0.8, 0.4, 0.8, cpus=1) is False


def test_map_faster_a_one_process_run_slowed_by_other_programs_is_no_wrong_answer(capsys, notes):
    """The right answer on a loaded machine: the loop lost its core (1.83x for apply), the pool runs did not."""
    assert check_map_faster(Seconds(1.5, 0.5), Seconds(0.82, 1.9), Seconds(0.42, 1.9), cpus=2) is True
    assert capsys.readouterr().out.startswith("PASS: ")
