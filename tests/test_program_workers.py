"""mpcourse.program_workers: do chapter 09's workers behave in pool workers under every start method?"""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import time

import pytest

import mpcourse
from mpcourse.program_workers import (
    SQUARE_MESSAGE,
    SQUARES_LOGGER,
    handlers_of,
    ignore_sigint,
    log_square,
    log_to_queue,
    short_tracebacks,
    start_a_child,
)
from mpcourse.workers import sleep_for


def test_a_worker_that_ignores_sigint_finishes_its_task(method):
    with mpcourse.Pool(1, method=method, initializer=ignore_sigint) as pool:
        pool.map(sleep_for, [0.05])  # the worker is up, its initializer has run
        pending = pool.apply_async(sleep_for, (0.3,))
        time.sleep(0.1)
        for child in mpcourse.get_context(method).active_children():
            os.kill(child.pid, signal.SIGINT)
        assert pending.get(timeout=10) == 0.3
        pool.close()
        pool.join()


def test_records_logged_in_workers_reach_a_listener_in_the_parent(method):
    received = logging.handlers.BufferingHandler(capacity=100)
    queue = mpcourse.get_context(method).Queue()
    listener = logging.handlers.QueueListener(queue, received)
    listener.start()
    try:
        with mpcourse.Pool(2, method=method, initializer=log_to_queue, initargs=(queue,)) as pool:
            assert pool.map(log_square, [2, 3]) == [4, 9]
            pool.close()
            pool.join()
    finally:
        listener.stop()
    assert sorted(r.getMessage() for r in received.buffer) == [SQUARE_MESSAGE % (2, 4), SQUARE_MESSAGE % (3, 9)]
    assert {r.name for r in received.buffer} == {SQUARES_LOGGER}
    assert all(r.process != os.getpid() for r in received.buffer)


def test_a_fresh_worker_has_no_handler_of_the_parents(method):
    logger = logging.getLogger(SQUARES_LOGGER)
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        with mpcourse.Pool(1, method=method) as pool:
            handlers = pool.apply(handlers_of, (SQUARES_LOGGER,))
            pool.close()
            pool.join()
    finally:
        logger.removeHandler(handler)
    assert handlers == (["NullHandler"] if method == "fork" else [])


def test_a_pool_worker_cannot_start_a_child_and_an_executor_worker_can(method):
    from concurrent.futures import ProcessPoolExecutor

    with mpcourse.Pool(1, method=method) as pool:
        with pytest.raises(AssertionError, match="daemonic processes are not allowed to have children"):
            pool.apply(start_a_child, (method,))
    with ProcessPoolExecutor(1, mp_context=mpcourse.get_context(method)) as executor:
        assert executor.submit(start_a_child, method).result(timeout=30) == 0


def test_short_tracebacks_keep_the_last_line_only(capfd):
    child = mpcourse.get_context("spawn").Process(target=_interrupted_after, args=(short_tracebacks,))
    child.start()
    child.join(30)
    assert child.exitcode == 1
    err = capfd.readouterr().err
    assert "KeyboardInterrupt" in err and "Traceback" not in err and "File " not in err


def _interrupted_after(setup):
    setup()
    raise KeyboardInterrupt
