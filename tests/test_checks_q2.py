"""Can each check of notebook 02 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from check_output import one_line

from mpcourse.checks import q2
from mpcourse.workers import sleep_for

IDLE_TWO_CORES = {"cpus": 2, "gil": True, "load": 0.0}


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
        {"cpus": 1, "gil": True, "load": 0.0},
        {"cpus": 2, "gil": True, "load": 5.0},
        {"cpus": 2, "gil": False, "load": 0.0},
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
