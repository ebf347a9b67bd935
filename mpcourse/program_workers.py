"""Functions that run in child processes of chapter 09: pool workers as real programs need them.

A worker that ignores Ctrl+C, a worker that sends its log records to the parent
through a queue, and a worker that tries to start a process of its own.  Like
:mod:`mpcourse.workers`, this module uses the standard library only, so a spawned
child imports it quickly.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import signal
import sys
from typing import Any

__all__ = [
    "SQUARES_LOGGER",
    "SQUARE_MESSAGE",
    "do_nothing",
    "handlers_of",
    "ignore_sigint",
    "log_square",
    "log_to_queue",
    "short_tracebacks",
    "start_a_child",
]

#: The logger :func:`log_square` writes to, and the message it logs (number, square).
SQUARES_LOGGER = "mpcourse.squares"
SQUARE_MESSAGE = "square of %d is %d"


# --- Ctrl+C and signals -----------------------------------------------------------


def ignore_sigint() -> None:
    """Pool initializer: this worker ignores SIGINT (Ctrl+C), so only the parent decides what an interrupt stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def short_tracebacks() -> None:
    """Pool initializer: this worker prints a traceback as its last line only (no frames, no file paths).

    It writes them to its own standard error, as a spawned worker does: a worker forked from a
    Jupyter kernel has the kernel's ``sys.stderr`` instead, which loses what a worker writes just
    before it dies.
    """
    sys.tracebacklimit = 0
    if sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__


# --- logging from children --------------------------------------------------------


def log_to_queue(queue: Any, level: int = logging.INFO) -> None:
    """Pool initializer: send every log record of this worker into ``queue``, for a QueueListener in the parent.

    The worker's root logger gets one handler, a :class:`logging.handlers.QueueHandler`:
    any handler a forked worker inherited from the parent is a copy that writes from the
    worker, so it is replaced, not kept beside.
    """
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(level)


def log_square(number: int) -> int:
    """Return ``number * number``, and log it at INFO level on :data:`SQUARES_LOGGER`."""
    square = number * number
    logging.getLogger(SQUARES_LOGGER).info(SQUARE_MESSAGE, number, square)
    return square


def handlers_of(logger_name: str) -> list[str]:
    """The class names of the handlers of logger ``logger_name`` in this process: what a child got from its parent."""
    return [type(handler).__name__ for handler in logging.getLogger(logger_name).handlers]


# --- processes that start processes -----------------------------------------------


def do_nothing() -> None:
    """A process target that does nothing: the child's start and exit are the whole point."""


def start_a_child(method: str) -> int | None:
    """Start one child process of this process with start method ``method``, join it, return its exit code.

    In a ``multiprocessing.Pool`` worker this raises ``AssertionError``: pool workers are
    daemonic, and a daemonic process may not have children.
    """
    child = multiprocessing.get_context(method).Process(target=do_nothing)
    child.start()
    child.join()
    return child.exitcode
