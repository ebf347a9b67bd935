"""Can each check of notebook 02 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from check_output import one_line
from machine_load import machine_gives, notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse.checks import q2
from mpcourse.workers import sleep_for

IDLE_TWO_CORES = {"cpus": 2, "gil": True, "free_cpus": 2.0}


# --- demo checks ----------------------------------------------------------------------


def test_cpu_bound_passes_when_processes_clearly_win(capsys):
    assert q2.check_cpu_bound(0.40, 0.21, **IDLE_TWO_CORES) is True
    assert one_line(capsys) == "PASS: CPU-bound work: threads vs processes"


@pytest.mark.parametrize(
    ("threads", "processes"),
    [(0.40, 0.38), (0.21, 0.40), (0.0, 0.2), ("0.4", 0.2), (True, 0.2)],
    ids=["no-speedup", "swapped", "zero", "text", "bool"],
)
def test_cpu_bound_fails_without_a_clear_speedup(capsys, threads, processes):
    assert q2.check_cpu_bound(threads, processes, **IDLE_TWO_CORES) is False
    assert one_line(capsys).startswith("NOT YET: CPU-bound work: threads vs processes. Hint: ")


@pytest.mark.parametrize(
    "where",
    [
        {"cpus": 1, "gil": True, "free_cpus": 2.0},
        {"cpus": 2, "gil": True, "free_cpus": 0.9},
        {"cpus": 2, "gil": False, "free_cpus": 2.0},
    ],
    ids=["one-core", "busy", "free-threaded"],
)
def test_cpu_bound_asks_no_speedup_where_none_can_show(capsys, where):
    """On one core, a busy machine or without a GIL, processes cannot be required to win."""
    assert q2.check_cpu_bound(0.40, 0.40, **where) is True
    assert one_line(capsys).startswith("PASS")


def test_cpu_bound_uses_this_machine_by_default(capsys):
    assert q2.check_cpu_bound(1.0, 0.1) is True
    assert q2.check_cpu_bound(0.0, 0.1) is False


@pytest.mark.parametrize(
    ("threads", "processes"), [(0.40, 0.40), (0.40, 0.36), (0.21, 0.40)], ids=["threads-twice", "almost", "swapped"]
)
def test_cpu_bound_wrong_approach_fails_on_an_idle_machine(capsys, notes, threads, processes):
    """Threads measured twice (or nearly no gain) while both cores stood idle: NOT YET, no note."""
    assert q2.check_cpu_bound(threads, processes, cpus=2, gil=True) is False
    assert one_line(capsys).startswith("NOT YET: ")
    assert len(notes) == 1 and "Other programs" not in notes[0]


@pytest.mark.parametrize(("free", "threads", "processes"), [(1.33, 0.40, 0.34), (1.0, 0.40, 0.41), (1.6, 0.40, 0.33)])
def test_cpu_bound_right_approach_passes_on_a_loaded_machine(capsys, monkeypatch, notes, free, threads, processes):
    """Processes that got what a busy machine could give pass with the same line, and a note."""
    machine_gives(monkeypatch, free)
    assert q2.check_cpu_bound(threads, processes, cpus=2, gil=True) is True
    assert one_line(capsys) == "PASS: CPU-bound work: threads vs processes"
    assert len(notes) == 1 and f"about {free:.1f} cores" in notes[0]


def test_cpu_bound_on_a_loaded_machine_still_fails_threads_twice(capsys, notes):
    """With 1.6 cores free processes can win by 1.18x; equal times still fail, saying what was asked."""
    assert q2.check_cpu_bound(0.40, 0.40, cpus=2, gil=True, free_cpus=1.6) is False
    assert "1.6 cores free, over 1.18x was expected" in one_line(capsys)


def test_cpu_bound_reads_the_cores_the_times_carry(capsys):
    from mpcourse.backend.timing import Seconds

    assert q2.check_cpu_bound(Seconds(0.4, 1.2), Seconds(0.36, 1.2), cpus=2, gil=True) is True
    assert q2.check_cpu_bound(Seconds(0.4, 2.0), Seconds(0.38, 1.95), cpus=2, gil=True) is False


def test_io_bound_passes_when_threads_overlap_and_keep_up(capsys):
    assert q2.check_io_bound(0.21, 0.20, serial_seconds=0.8) is True
    assert one_line(capsys) == "PASS: I/O-bound work: threads keep up with processes"


@pytest.mark.parametrize(
    ("threads", "processes"),
    [(0.80, 0.20), (0.45, 0.20), (-1.0, 0.2)],
    ids=["threads-one-after-another", "threads-much-slower", "negative"],
)
def test_io_bound_fails_when_threads_did_not_overlap_or_lag(capsys, threads, processes):
    assert q2.check_io_bound(threads, processes, serial_seconds=0.8) is False
    assert one_line(capsys).startswith("NOT YET: I/O-bound work")


def test_startup_passes_when_a_process_costs_more(capsys):
    assert q2.check_startup(0.0001, 0.02) is True
    assert one_line(capsys).startswith("PASS: start-up")


@pytest.mark.parametrize(("thread", "process"), [(0.02, 0.0001), (0.01, 0.01), (0.0, 0.01)])
def test_startup_fails_for_swapped_or_equal_times(capsys, thread, process):
    assert q2.check_startup(thread, process) is False
    assert one_line(capsys).startswith("NOT YET: start-up")


def test_startup_a_small_ratio_fails_on_an_idle_machine(capsys, notes):
    assert q2.check_startup(0.01, 0.02) is False
    assert one_line(capsys).startswith("NOT YET: start-up") and notes == []


def test_startup_a_small_ratio_passes_on_a_loaded_machine(capsys, monkeypatch, notes):
    machine_gives(monkeypatch, 1.0)
    assert q2.check_startup(0.01, 0.02) is True
    assert one_line(capsys) == "PASS: start-up: a thread starts much faster than a process"
    assert len(notes) == 1


def test_startup_swapped_times_fail_on_a_loaded_machine_too(capsys, notes):
    assert q2.check_startup(0.02, 0.0001, free_cpus=0.5) is False
    assert notes == []


# --- exercise 1 ------------------------------------------------------------------------


def test_choices_solution_passes(capsys):
    assert q2.check_choices(dict(q2.CHOICES)) is True
    assert one_line(capsys) == "PASS: threads or processes for each task"


def test_choices_accept_singular_and_capitals(capsys):
    spelling = {"threads": "Thread", "processes": " Process "}
    answer = {task: spelling[tool] for task, tool in q2.CHOICES.items()}
    assert q2.check_choices(answer) is True


def test_choices_all_processes_fails_and_counts_the_wrong_ones(capsys):
    assert q2.check_choices(dict.fromkeys(q2.CHOICES, "processes")) is False
    assert "2 of 4 are not right yet" in one_line(capsys)


@pytest.mark.parametrize(
    "answer",
    [{}, dict.fromkeys(q2.CHOICES, ...), ["threads", "processes"], None],
    ids=["empty", "stub", "list", "none"],
)
def test_choices_incomplete_answers_fail(capsys, answer):
    assert q2.check_choices(answer) is False
    assert one_line(capsys).startswith("NOT YET: threads or processes for each task. Hint: ")


# --- exercise 2 ------------------------------------------------------------------------

FAST = (0.05,) * 4


def download_all_solution(delays):
    with ThreadPoolExecutor(max_workers=len(delays)) as pool:
        return list(pool.map(sleep_for, delays))


def download_one_at_a_time(delays):
    return [sleep_for(delay) for delay in delays]


def download_lazily(delays):
    return map(sleep_for, delays)  # looks instant, waits when the result is read


def download_and_lose_results(delays):
    with ThreadPoolExecutor(max_workers=len(delays)) as pool:
        pool.map(sleep_for, delays)


def download_and_fail(delays):
    raise RuntimeError("no network")


def test_download_all_solution_passes(capsys):
    assert q2.check_download_all(download_all_solution, FAST) is True
    assert one_line(capsys) == "PASS: download_all waits for all downloads at once"


def test_download_all_default_delays_pass_with_the_solution(capsys):
    assert q2.check_download_all(download_all_solution) is True


@pytest.mark.parametrize(
    ("func", "hint"),
    [
        (download_one_at_a_time, "as long as waiting for each in turn"),
        (download_lazily, "as long as waiting for each in turn"),
        (download_and_lose_results, "return the list"),
        (download_and_fail, "raised RuntimeError: no network"),
        ("download_all", "pass the function itself"),
    ],
    ids=["serial", "lazy", "no-result", "raises", "not-callable"],
)
def test_download_all_wrong_answers_fail(capsys, func, hint):
    assert q2.check_download_all(func, FAST) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: download_all waits for all downloads at once. Hint: ")
    assert hint in line


def test_download_all_untouched_stub_is_told_to_write_the_answer(capsys):
    assert q2.check_download_all(...) is False
    assert one_line(capsys).endswith("Hint: write your answer in the cell above (it still holds `...`)")
