"""Functions that run in child processes.

Everything here is importable by name, so it can be pickled under every start
method (fork, spawn, forkserver).  A spawned child imports this module, so it
uses the standard library only and stays quick to import.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = [
    "COUNTER",
    "MANDELBROT_SIZE",
    "TaskRecord",
    "add_to_counter",
    "append_numbers",
    "busy_wait",
    "count_primes",
    "count_up",
    "count_up_once",
    "crash",
    "double",
    "double_over_pipe",
    "fail",
    "fill_squares",
    "get_pid",
    "mandelbrot_row",
    "power",
    "print_number",
    "print_number_locked",
    "print_own_name",
    "put_bytes",
    "put_square",
    "reciprocal",
    "say_hello",
    "send_number",
    "send_number_after",
    "sleep_for",
    "square",
    "traced",
    "traced_busy_wait",
    "traced_count_primes",
    "traced_sleep",
]


def say_hello() -> None:
    """Print a greeting from the child."""
    print("Hello from a child process")


def double(number: int) -> int:
    """Return ``number * 2``."""
    return number * 2


def print_number(number: int) -> int:
    """Print the number this process was given, and return it."""
    print(f"number {number}")
    return number


def square(number: int) -> int:
    """Return ``number ** 2``."""
    return number * number


# --- CPU-bound and I/O-bound tasks ------------------------------------------


def count_primes(limit: int) -> int:
    """Count the primes below ``limit`` by trial division (pure Python, CPU-bound)."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def busy_wait(seconds: float) -> float:
    """Burn ``seconds`` of this thread's CPU time (CPU-bound, fixed amount of work).

    It counts CPU time, not wall time, so two of them sharing one core take twice
    as long, and threads held back by the GIL gain nothing: an honest CPU-bound task.
    """
    deadline = time.thread_time() + seconds
    spins = 0
    while time.thread_time() < deadline:
        spins += 1
    return seconds


#: ``(width, height)`` of the Mandelbrot image chapters 07 and 08 carry from a loop to a pool and beyond.
MANDELBROT_SIZE = (480, 320)


def mandelbrot_row(
    row: int, width: int = MANDELBROT_SIZE[0], height: int = MANDELBROT_SIZE[1], max_iter: int = 200
) -> list[int]:
    """Escape counts of one image row of the Mandelbrot set (pure Python, CPU-bound: a real workload).

    The image spans ``[-2.2, 0.8] x [-1.2, 1.2]`` of the complex plane; each pixel
    holds how many of ``max_iter`` steps of ``z = z*z + c`` kept ``|z| <= 2``.
    Rows near the middle cost the most, so equal-sized chunks take unequal time.
    """
    if not 0 <= row < height:
        raise ValueError(f"row must be in range({height}), got {row}")
    imag = -1.2 + 2.4 * row / max(1, height - 1)
    counts = []
    for column in range(width):
        c = complex(-2.2 + 3.0 * column / max(1, width - 1), imag)
        z = 0j
        steps = 0
        while steps < max_iter and abs(z) <= 2.0:
            z = z * z + c
            steps += 1
        counts.append(steps)
    return counts


def sleep_for(seconds: float) -> float:
    """Wait ``seconds`` without using the CPU: a stand-in for I/O (network, disk)."""
    time.sleep(seconds)
    return seconds


# --- process identity and isolation ------------------------------------------

COUNTER = 0


def add_to_counter(amount: int) -> int:
    """Add ``amount`` to this process's global ``COUNTER`` and return the new value."""
    global COUNTER
    COUNTER += amount
    return COUNTER


def get_pid(_: object = None) -> int:
    """Return the id of the process that runs this call."""
    return os.getpid()


# --- failures, shown on purpose ------------------------------------------------


def fail(message: str = "this task failed on purpose") -> None:
    """Raise ``ValueError(message)`` inside the worker."""
    raise ValueError(message)


def crash(exit_code: int = 1) -> None:
    """End this process at once, as a segfault or the OOM killer would."""
    os._exit(exit_code)


# --- traced tasks, for timelines ----------------------------------------------


class TaskRecord(NamedTuple):
    """Which process ran a task, when it started and ended (``time.time()``), and its result."""

    pid: int
    start: float
    end: float
    result: Any


def traced(func: Callable[..., Any], *args: Any) -> TaskRecord:
    """Run ``func(*args)`` and return a :class:`TaskRecord` of who ran it and when."""
    start = time.time()
    result = func(*args)
    return TaskRecord(os.getpid(), start, time.time(), result)


def traced_count_primes(limit: int) -> TaskRecord:
    """:func:`count_primes`, traced."""
    return traced(count_primes, limit)


def traced_busy_wait(seconds: float) -> TaskRecord:
    """:func:`busy_wait`, traced."""
    return traced(busy_wait, seconds)


def traced_sleep(seconds: float) -> TaskRecord:
    """:func:`sleep_for`, traced."""
    return traced(sleep_for, seconds)


# --- used by notebook 04 ---


def power(base: int, exponent: int) -> int:
    """Return ``base ** exponent``: a task with two arguments, for ``starmap``."""
    return base**exponent


def reciprocal(number: float) -> float:
    """Return ``1 / number``; ``0`` raises ``ZeroDivisionError`` in the worker."""
    return 1 / number


# --- used by notebook 03 ---


def put_square(queue: Any, index: int, number: int) -> None:
    """Put ``(index, number ** 2)`` on ``queue``: how a child sends a result back."""
    queue.put((index, number * number))


def put_bytes(queue: Any, size: int) -> None:
    """Put ``size`` zero bytes on ``queue``: more than a pipe holds, so it waits to be read."""
    queue.put(bytes(size))


# --- used by notebook 06 ---


def print_own_name(number: int) -> str:
    """Print this process's name instead of ``number`` (a mistake chapter 06 shows); return the name."""
    import multiprocessing

    name = multiprocessing.current_process().name
    print(name)
    return name


def send_number(queue: Any, number: int) -> None:
    """Put ``number`` on ``queue``: report to the parent instead of printing."""
    queue.put(number)


def print_number_locked(lock: Any, number: int) -> None:
    """Print ``number`` while holding ``lock``, flushed before letting go, so lines never tear."""
    with lock:
        print(f"number {number}", flush=True)


def double_over_pipe(conn: Any) -> None:
    """Receive numbers on ``conn`` and send each one back doubled, until ``None`` arrives."""
    while (number := conn.recv()) is not None:
        conn.send(number * 2)
    conn.close()


def send_number_after(queue: Any, number: int, seconds: float) -> None:
    """Wait ``seconds`` (a task of some length), then put ``number`` on ``queue``."""
    time.sleep(seconds)
    queue.put(number)


# --- chapter 07: sharing data ---


def count_up(counter: Any, times: int, start: Any, locked: bool = False) -> None:
    """Add 1 to shared ``counter.value`` ``times`` times, once ``start.wait()`` lets every counter go.

    ``+=`` reads, then writes (each step locked on its own for a synchronized ``Value``): another
    process may write in between, and its update is lost. With ``locked``, each ``+=`` holds the lock.
    """
    start.wait()
    for _ in range(times):
        if locked:
            with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1


def count_up_once(counter: Any, times: int, start: Any) -> None:
    """Count to ``times`` in a local variable, then add the total to ``counter.value`` in one locked step."""
    start.wait()
    total = 0
    for _ in range(times):  # the work, done locally: no lock, nothing shared
        total += 1
    with counter.get_lock():
        counter.value += total


def fill_squares(shared: Any, start: int, stop: int) -> None:
    """Write ``i * i`` into ``shared[i]`` for each ``i`` in ``range(start, stop)``: disjoint slices need no lock."""
    for i in range(start, stop):
        shared[i] = i * i


def append_numbers(proxy: Any, numbers: list[int]) -> None:
    """Append each of ``numbers`` to ``proxy`` (a ``Manager().list()``): one round trip to the manager each."""
    for number in numbers:
        proxy.append(number)
