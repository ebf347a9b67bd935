"""mpcourse.checks.q8: does the exercise check fail for wrong answers, with a hint, and pass for the solution?"""

from __future__ import annotations

import sys
import types

import pytest
from check_output import one_line

from mpcourse import Pool
from mpcourse.checks.q8 import INSIDE_PIXELS, MAX_ITER, check_inside_count, function_problem
from mpcourse.kernel.worker_magic import define_worker
from mpcourse.workers import MANDELBROT_SIZE, mandelbrot_row

SOLUTION = "def inside_count(counts, max_iter):\n    return sum(1 for count in counts if count == max_iter)\n"
WRONG = {
    "the pixels that escaped": SOLUTION.replace("count == max_iter", "count != max_iter"),
    "a fixed 200": SOLUTION.replace("count == max_iter", "count == 200"),
    "every pixel": "def inside_count(counts, max_iter):\n    return len(counts)\n",
    "one step short": SOLUTION.replace("count == max_iter", "count >= max_iter - 1"),
    "the steps, not the pixels": "def inside_count(counts, max_iter):\n    return sum(counts)\n",
    "a list only": (
        "def inside_count(counts, max_iter):\n    return counts.count(max_iter) if isinstance(counts, list) else None\n"
    ),
}
HINTS = {
    "the pixels that escaped": "the pixels that escaped",
    "a fixed 200": "not a fixed 200",
    "every pixel": "expected 2",
    "one step short": "expected",
    "the steps, not the pixels": "expected 2",
    "a list only": "returned None",
}
NAME = "inside_count counts the pixels inside the set, and the cluster added them up"


@pytest.fixture(scope="module")
def solution():
    return define_worker(SOLUTION).inside_count


def test_the_stored_count_is_the_image_s(solution):
    """INSIDE_PIXELS is recomputed here from mandelbrot_row itself (about 1.5 s)."""
    width, height = MANDELBROT_SIZE
    rows = [mandelbrot_row(row, width, height, MAX_ITER) for row in range(height)]
    assert sum(solution(row, MAX_ITER) for row in rows) == INSIDE_PIXELS


def test_function_problem_is_silent_and_names_the_wrong_case(capsys, solution):
    """The function's part of the check, for a judge: a hint or "", and nothing printed."""
    assert function_problem(solution) == ""
    assert "not a fixed 200" in function_problem(define_worker(WRONG["a fixed 200"]).inside_count)
    assert capsys.readouterr().out == ""


def test_passes_for_the_solution(capsys, solution):
    assert check_inside_count(solution, INSIDE_PIXELS) is True
    assert one_line(capsys) == f"PASS: {NAME}"


def test_the_solution_runs_in_a_process_pool(method, solution):
    """%%worker makes it a module: a pool's workers, under every start method, can run it too."""
    with Pool(2, method=method) as pool:
        counts = pool.starmap(solution, [([200, 3, 200], 200), ([7, 7], 7)])
        pool.close()
        pool.join()
    assert counts == [2, 2]


@pytest.mark.parametrize("wrong", sorted(WRONG))
def test_fails_for_a_wrong_function(capsys, wrong):
    func = define_worker(WRONG[wrong]).inside_count
    assert check_inside_count(func, INSIDE_PIXELS) is False
    line = one_line(capsys)
    assert line.startswith(f"NOT YET: {NAME}. Hint: ") and HINTS[wrong] in line


@pytest.mark.parametrize(
    "body",
    ["return counts.count(max_iter)", "return len([c for c in counts if c >= max_iter])"],
    ids=["count", "at-least-max_iter"],
)
def test_passes_for_another_right_function(capsys, body):
    func = define_worker(f"def inside_count(counts, max_iter):\n    {body}\n").inside_count
    assert check_inside_count(func, INSIDE_PIXELS) is True


def test_fails_for_a_function_that_raises(capsys):
    func = define_worker("def inside_count(counts, max_iter):\n    raise NotImplementedError('later')\n").inside_count
    assert check_inside_count(func, INSIDE_PIXELS) is False
    assert "raised NotImplementedError: later" in one_line(capsys)


def test_fails_when_the_worker_cell_forgot_an_argument(capsys):
    func = define_worker("def inside_count(counts):\n    return counts.count(200)\n").inside_count
    assert check_inside_count(func, INSIDE_PIXELS) is False
    assert "raised TypeError" in one_line(capsys)


def test_fails_for_a_function_typed_into_the_notebook(capsys, monkeypatch):
    """Without %%worker, the function lives in a kernel's __main__, which a spawned process cannot import."""

    def inside_count(counts, max_iter):
        return sum(1 for count in counts if count == max_iter)

    inside_count.__module__ = "__main__"
    inside_count.__qualname__ = "inside_count"
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # a kernel's __main__ has no file
    assert check_inside_count(inside_count, INSIDE_PIXELS) is False
    assert "%%worker" in one_line(capsys)


def test_fails_for_a_lambda(capsys):
    assert check_inside_count(lambda counts, max_iter: list(counts).count(max_iter), INSIDE_PIXELS) is False
    assert "%%worker" in one_line(capsys)


def test_fails_for_the_released_stub(capsys):
    """The learner's copy binds the names to ``...`` until they are written."""
    assert check_inside_count(..., ...) is False
    assert "write your answer in the cell above (it still holds `...`)" in one_line(capsys)


def test_fails_for_arguments_swapped(capsys, solution):
    assert check_inside_count(INSIDE_PIXELS, solution) is False
    assert "pass the function itself: check_inside_count(inside_count, inside_pixels)" in one_line(capsys)


@pytest.mark.parametrize(
    ("total", "hint"),
    [
        (480 * 320 - INSIDE_PIXELS, "the pixels outside the set"),
        (INSIDE_PIXELS - 101, "every row of the image"),  # a row or two left out
        (7_175_252, "every row of the image"),  # the sum of every count: steps, not pixels
        ([101] * 320, "one int"),  # the per-row counts, never summed
        ("32376", "one int"),
        (float(INSIDE_PIXELS), "one int"),
        (True, "one int"),
    ],
)
def test_fails_for_a_wrong_total(capsys, solution, total, hint):
    assert check_inside_count(solution, total) is False
    line = one_line(capsys)
    assert line.startswith(f"NOT YET: {NAME}. Hint: ") and hint in line


def test_passes_and_fails_with_the_same_name(capsys, solution):
    """The stored output of the notebook must not depend on which branch ran."""
    check_inside_count(solution, INSIDE_PIXELS)
    check_inside_count(solution, 0)
    passed, failed = capsys.readouterr().out.splitlines()
    assert failed.startswith(passed.replace("PASS", "NOT YET", 1) + ". Hint: ")
