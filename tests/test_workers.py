"""mpcourse.workers: right answers, and light enough for a spawned child."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mpcourse import workers

HEAVY = ("matplotlib", "ipywidgets", "numpy", "nbformat", "IPython", "tqdm", "nbclient")


def test_importing_workers_pulls_in_no_heavy_library():
    """Does a spawned child that imports mpcourse.workers stay light?"""
    code = f"import sys, json, mpcourse.workers; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_double_say_hello_and_print_number_print_and_return_what_chapter_03_shows(capsys):
    assert workers.double(21) == 42
    workers.say_hello()
    assert workers.print_number(3) == 3
    assert capsys.readouterr().out == "Hello from a child process\nnumber 3\n"


def test_count_primes():
    assert [workers.count_primes(n) for n in (0, 2, 3, 10, 100)] == [0, 0, 1, 4, 25]


def test_busy_wait_and_sleep_return_their_argument():
    assert workers.busy_wait(0.01) == 0.01
    assert workers.sleep_for(0.01) == 0.01


def test_traced_records_pid_and_order_of_times():
    record = workers.traced_count_primes(50)
    assert record.result == 15
    assert record.start <= record.end
    assert record.pid == workers.get_pid()


def test_counter_is_per_process_global():
    start = workers.COUNTER
    assert workers.add_to_counter(2) == start + 2


def test_mandelbrot_row_counts_escape_steps():
    width, height = 7, 5
    middle = workers.mandelbrot_row(2, width, height, max_iter=50)
    assert len(middle) == width
    assert middle[0] == 1  # c = -2.2: |z| > 2 after one step
    assert 50 in middle  # the real axis crosses the set
    assert workers.mandelbrot_row(0, width, height, 50) == workers.mandelbrot_row(4, width, height, 50)  # symmetric


def test_mandelbrot_row_rejects_a_row_outside_the_image():
    with pytest.raises(ValueError, match=r"row must be in range\(5\), got 5"):
        workers.mandelbrot_row(5, 7, 5)
