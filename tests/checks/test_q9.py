"""mpcourse.checks.q9: does each check of notebook 09 pass the solution and fail, with a hint, for wrong answers?"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import time

import pytest
from check_output import one_line
from machine_load import machine_gives, notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

import mpcourse
from mpcourse.backend.timing import Seconds
from mpcourse.checks.q9 import (
    EXERCISE_NUMBERS,
    LOGGED_SQUARES_TITLE,
    check_blas_limits,
    check_logged_squares,
    expected_messages,
    logged_squares_verdict,
)
from mpcourse.program_workers import SQUARES_LOGGER, log_square, log_to_queue


def solution(method: str | None = None):
    """The reference answer, on pools of start method ``method`` (default: the course's)."""

    def logged_squares(numbers, handler):
        queue = mpcourse.get_context(method).Queue()
        listener = logging.handlers.QueueListener(queue, handler)
        listener.start()
        try:
            with mpcourse.Pool(2, method=method, initializer=log_to_queue, initargs=(queue,)) as pool:
                squares = pool.map(log_square, numbers)
                pool.close()
                pool.join()
        finally:
            listener.stop()
        return squares

    return logged_squares


@contextlib.contextmanager
def handler_on_the_squares_logger(handler):
    """``handler`` on this process's ``mpcourse.squares`` logger, at INFO, for the block."""
    logger = logging.getLogger(SQUARES_LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def handler_in_the_parent(numbers, handler):
    """The handler goes on this process's logger: the workers' records never reach it."""
    with handler_on_the_squares_logger(handler), mpcourse.Pool(2) as pool:
        squares = pool.map(log_square, numbers)
        pool.close()
        pool.join()
    return squares


def logged_here(numbers, handler):
    """No workers at all: every record comes from this process."""
    with handler_on_the_squares_logger(handler):
        return [log_square(n) for n in numbers]


def listener_left_running(numbers, handler):
    queue = mpcourse.get_context().Queue()
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    with mpcourse.Pool(2, initializer=log_to_queue, initargs=(queue,)) as pool:
        squares = pool.map(log_square, numbers)
        pool.close()
        pool.join()
    wait_for_records(handler, len(numbers))
    _left.append(listener)  # no listener.stop(): its thread goes on (the fixture stops it after the test)
    return squares


def wait_for_records(handler, count: int, seconds: float = 5.0) -> None:
    """Wait until ``handler`` has ``count`` records (so a wrong answer fails for its one mistake only)."""
    deadline = time.monotonic() + seconds
    while len(handler.records) < count and time.monotonic() < deadline:
        time.sleep(0.02)


_left: list[logging.handlers.QueueListener] = []


@pytest.fixture(autouse=True)
def _stop_leftover_listeners():
    yield
    while _left:
        _left.pop().stop()


def pool_left_open(numbers, handler):
    queue = mpcourse.get_context().Queue()
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    pool = mpcourse.Pool(2, initializer=log_to_queue, initargs=(queue,))
    _pools.append(pool)
    squares = pool.map(log_square, numbers)
    wait_for_records(handler, len(numbers))
    listener.stop()
    return squares


_pools: list = []


@pytest.fixture(autouse=True)
def _stop_leftover_pools():
    yield
    while _pools:
        pool = _pools.pop()
        pool.terminate()
        pool.join()


def test_the_solution_passes(capsys):
    assert check_logged_squares(solution()) is True
    assert one_line(capsys) == f"PASS: {LOGGED_SQUARES_TITLE}"


@pytest.mark.slow
def test_the_solution_passes_under_every_start_method(capsys, method):
    assert check_logged_squares(solution(method)) is True
    assert one_line(capsys) == f"PASS: {LOGGED_SQUARES_TITLE}"


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (handler_in_the_parent, "no record reached the handler"),
        (logged_here, "the records were logged in this process"),
        (listener_left_running, "listener.stop()"),
        (pool_left_open, "worker process(es) were still running"),
        (lambda numbers, handler: [n * 2 for n in numbers], "expected [16, 49"),
        (lambda numbers, handler: 1 / 0, "raised ZeroDivisionError"),
    ],
    ids=["handler-in-parent", "logged-here", "listener-running", "pool-open", "wrong-results", "raises"],
)
def test_plausible_wrong_answers_fail_with_a_hint(capsys, answer, hint):
    assert check_logged_squares(answer) is False
    line = one_line(capsys)
    assert line.startswith(f"NOT YET: {LOGGED_SQUARES_TITLE}. Hint: ") and hint in line, line


def test_not_a_function(capsys):
    assert check_logged_squares("logged_squares") is False
    assert "define a function logged_squares" in one_line(capsys)


def _outcome(numbers, **changes):
    """What a right answer's call gives, as plain data, with ``changes``."""
    outcome = {
        "numbers": list(numbers),
        "problem": "",
        "results": [n * n for n in numbers],
        "messages": expected_messages(numbers),
        "record_pids": [101, 102] * len(numbers),
        "parent_pid": 100,
        "workers_left": 0,
        "threads_left": 0,
        "busy": 2,
    }
    return {**outcome, **changes}


def test_the_verdict_passes_a_right_outcome():
    assert logged_squares_verdict(_outcome([2, 3])) == (True, "")
    assert logged_squares_verdict(_outcome([2, 3], busy=None)) == (True, "")


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"messages": ["square of 2 is 4"]}, "1 of 2 records reached the handler"),
        ({"messages": ["square of 2 is 5", "x"]}, "log with log_square itself"),
        ({"busy": 0}, "logged in this process"),
        ({"record_pids": [100, 100]}, "logged in this process"),
        ({"problem": "logged_squares([2, 3], handler) raised OSError: no"}, "raised OSError"),
    ],
    ids=["records-lost", "other-records", "no-process-worked", "parent-pids", "raised"],
)
def test_the_verdict_fails_what_the_judge_sees_wrong(changes, hint):
    passed, text = logged_squares_verdict(_outcome([2, 3], **changes))
    assert not passed and hint in text, text


def test_the_check_leaves_no_process_or_listener_running(capsys):
    before = set(mpcourse.get_context().active_children())
    check_logged_squares(solution())
    assert set(mpcourse.get_context().active_children()) <= before
    assert os.getpid()  # the check ran here, in this process


# --- the self-check of the BLAS measurement ---------------------------------------------------


def test_blas_limits_passes_a_clear_gain(capsys):
    assert check_blas_limits(Seconds(2.0, 2.0), Seconds(0.2, 2.0), 2) is True
    assert one_line(capsys).startswith("PASS: ")


def test_blas_limits_fails_no_gain_on_an_idle_machine(capsys):
    assert check_blas_limits(Seconds(0.5, 2.0), Seconds(0.5, 2.0), 2) is False
    line = one_line(capsys)
    assert "only 1.00x faster" in line and "run the measurement again" in line


def test_blas_limits_asks_only_a_gain_of_a_busy_machine(capsys, notes):
    assert check_blas_limits(Seconds(0.6, 0.9), Seconds(0.5, 0.9), 2) is True
    assert one_line(capsys).startswith("PASS: ") and notes


def test_blas_limits_asks_nothing_of_one_thread_per_worker(capsys, notes):
    assert check_blas_limits(0.5, 0.5, 1) is True
    assert one_line(capsys).startswith("PASS: ") and "nothing to oversubscribe" in notes[0]


def test_blas_limits_prints_the_same_pass_line_on_an_idle_a_busy_and_a_one_thread_machine(capsys, notes):
    """Only the notes (an image, which nbval does not compare) tell these machines apart."""
    lines = []
    for oversubscribed, limited, threads in (
        (Seconds(2.0, 2.0), Seconds(0.2, 2.0), 2),
        (Seconds(0.6, 0.9), Seconds(0.5, 0.9), 2),
        (0.5, 0.5, 1),
    ):
        assert check_blas_limits(oversubscribed, limited, threads) is True
        lines.append(one_line(capsys))
    assert len(set(lines)) == 1 and len(notes) == 2


def test_blas_limits_fails_a_slower_limited_pool_on_a_busy_machine(capsys):
    assert check_blas_limits(Seconds(0.5, 0.9), Seconds(0.6, 0.9), 2) is False
    assert "only 0.83x faster" in one_line(capsys)


def test_blas_limits_refuses_what_is_not_a_time(capsys):
    assert check_blas_limits("fast", 0.5, 2) is False
    assert "oversubscribed_seconds should be a positive number" in one_line(capsys)


def test_the_exercise_numbers_are_what_the_notebook_shows():
    assert expected_messages(EXERCISE_NUMBERS[:1]) == ["square of 4 is 16"]
