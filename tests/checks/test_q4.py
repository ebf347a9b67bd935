"""mpcourse.checks.q4: does each check of notebook 04 fail for a wrong answer and pass for the solution?"""

from __future__ import annotations

import sys
import types

import pytest
from check_output import one_line
from machine_load import notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse import Pool
from mpcourse.backend.timing import Seconds
from mpcourse.checks.q4 import LIMITS, check_chunksize, check_pool_reuse, check_prime_counts
from mpcourse.kernel.worker_magic import define_worker
from mpcourse.workers import count_primes

SOLUTION = (
    "from mpcourse.workers import count_primes\n\n\n"
    "def primes_with_limit(limit):\n    return limit, count_primes(limit)\n"
)
COUNT_ONLY = SOLUTION.replace("return limit, count_primes(limit)", "return count_primes(limit)")
FORGOT_IMPORT = "def primes_with_limit(limit):\n    return limit, count_primes(limit)\n"
RIGHT_COUNTS = {limit: count_primes(limit) for limit in LIMITS}


# --- the measured demos: reuse and chunksize ---------------------------------------


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
def test_measured_check_passes_when_the_better_way_is_clearly_faster(capsys, check):
    assert check(0.25, 0.03) is True
    assert one_line(capsys).startswith("PASS: ")


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
@pytest.mark.parametrize(("slow", "fast"), [(0.03, 0.25), (0.1, 0.1), (0.15, 0.1), (0.1, 0.0)])
def test_measured_check_fails_when_the_gain_is_too_small_or_swapped(capsys, check, slow, fast):
    assert check(slow, fast) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: ") and "re-run the cell" in line


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
@pytest.mark.parametrize("free", [2.0, 1.9, None], ids=["measured-idle", "measured-nearly-idle", "probed-idle"])
def test_measured_check_small_gain_fails_on_an_idle_machine(capsys, notes, check, free):
    assert check(Seconds(0.15, free), Seconds(0.1, free)) is False
    assert one_line(capsys).startswith("NOT YET: ") and notes == []


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
def test_measured_check_small_gain_passes_on_a_loaded_machine(capsys, notes, check):
    """The times carry the cores the machine gave: 1.2 of 2, so the better way had only to be faster."""
    assert check(Seconds(0.15, 1.2), Seconds(0.1, 1.3)) is True
    line = one_line(capsys)
    assert line.startswith("PASS: ") and "2x" not in line  # the note, not the line, says what was asked
    assert len(notes) == 1 and "about 1.2 of 2 cores" in notes[0]


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
def test_measured_check_swapped_fails_on_a_loaded_machine_too(capsys, notes, check):
    assert check(Seconds(0.03, 1.0), Seconds(0.25, 1.0)) is False
    assert notes == []


@pytest.mark.parametrize("check", [check_pool_reuse, check_chunksize])
def test_measured_check_passes_and_fails_with_the_same_name(capsys, check):
    """The stored output of the notebook must not depend on which branch ran."""
    check(1.0, 0.1)
    check(0.1, 1.0)
    passed, failed = capsys.readouterr().out.splitlines()
    assert failed.startswith(passed.replace("PASS", "NOT YET", 1) + ". Hint: ")


# --- the exercise: prime counts from imap_unordered ----------------------------------


def solution_counts(func, method: str) -> dict[int, int]:
    with Pool(2, method=method) as pool:
        counts = dict(pool.imap_unordered(func, LIMITS))
        pool.close()
        pool.join()
    return counts


def test_prime_counts_passes_for_the_solution(capsys, method):
    func = define_worker(SOLUTION).primes_with_limit
    assert check_prime_counts(func, solution_counts(func, method)) is True
    assert one_line(capsys) == "PASS: prime counts from imap_unordered"


def test_prime_counts_fails_for_a_function_typed_into_the_notebook(capsys, monkeypatch):
    """Without %%worker, a notebook's function lives in __main__, which spawn children cannot import."""

    def primes_with_limit(limit):
        return limit, count_primes(limit)

    primes_with_limit.__module__ = "__main__"
    primes_with_limit.__qualname__ = "primes_with_limit"
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # a kernel's __main__ has no file
    assert check_prime_counts(primes_with_limit, RIGHT_COUNTS) is False
    assert "%%worker" in one_line(capsys)


def test_prime_counts_fails_for_a_lambda(capsys):
    assert check_prime_counts(lambda limit: (limit, count_primes(limit)), RIGHT_COUNTS) is False
    assert "%%worker" in one_line(capsys)


def test_prime_counts_fails_for_arguments_swapped(capsys):
    assert check_prime_counts(RIGHT_COUNTS, define_worker(SOLUTION).primes_with_limit) is False
    assert "pass the function itself: check_prime_counts(primes_with_limit" in one_line(capsys)


def test_prime_counts_fails_when_results_do_not_carry_their_limit(capsys):
    func = define_worker(COUNT_ONLY).primes_with_limit
    assert check_prime_counts(func, RIGHT_COUNTS) is False
    assert "returned 25" in one_line(capsys)


def test_prime_counts_fails_when_the_worker_cell_forgot_its_import(capsys):
    func = define_worker(FORGOT_IMPORT).primes_with_limit
    assert check_prime_counts(func, RIGHT_COUNTS) is False
    assert "NameError" in one_line(capsys)


@pytest.mark.parametrize(
    ("counts", "hint"),
    [
        (sorted(RIGHT_COUNTS.values()), "build a dict"),  # the bare counts, in some order
        (list(RIGHT_COUNTS.items()), "build a dict"),
        ({limit: RIGHT_COUNTS[limit] for limit in LIMITS[:-1]}, "one key per limit"),
        (dict(zip(LIMITS, reversed(RIGHT_COUNTS.values()), strict=True)), "under another limit"),  # finish order
    ],
)
def test_prime_counts_fails_for_wrong_counts(capsys, counts, hint):
    func = define_worker(SOLUTION).primes_with_limit
    assert check_prime_counts(func, counts) is False
    line = one_line(capsys)
    assert line.startswith("NOT YET: prime counts from imap_unordered. Hint: ") and hint in line
