"""mpcourse.checks.q8: does the exercise check fail for wrong answers, with a hint, and pass for the solution?"""

from __future__ import annotations

import sys
import types

import pytest
from check_output import one_line

from mpcourse import Pool
from mpcourse.checks.exercise import EXERCISES
from mpcourse.checks.q8 import CASES, INSIDE_PIXELS, MAX_ITER, check_inside_count, rows_data
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


@pytest.fixture(scope="module")
def cluster(solution):
    """An in-process dask cluster on which inside_count ran, as the notebook's cluster cell does."""
    distributed = pytest.importorskip("distributed")
    import logging

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.CRITICAL
    )
    client = distributed.Client(cluster)
    futures = client.map(solution, [[200, 1], [200]], max_iter=200)
    assert client.submit(sum, futures).result() == 2
    yield client
    client.close()
    cluster.close()


def test_the_function_s_part_is_plain_data_and_silent(capsys, solution):
    """What the kernel gathers from the function is plain data a judge gathers the same way; nothing printed."""
    rows = [(counts, max_iter, isinstance(counts, bytes)) for counts, max_iter, _ in CASES]
    data = rows_data(define_worker(WRONG["a fixed 200"]).inside_count, rows)
    data.update(total=INSIDE_PIXELS, expected_total=INSIDE_PIXELS)
    passed, hint = EXERCISES["inside_count"].judge(data)
    assert not passed and "not a fixed 200" in hint
    assert capsys.readouterr().out == ""


def test_a_count_made_outside_the_cluster_fails(capsys, solution):
    """The right total, but no inside_count task on any cluster: the work was done in the kernel."""
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, dashboard_address=None, n_workers=1, threads_per_worker=1) as client:
        assert client.submit(sum, [1, 2]).result() == 3
        assert check_inside_count(solution, INSIDE_PIXELS) is False
    assert "the cluster ran no inside_count task" in one_line(capsys)


def test_passes_for_the_solution(capsys, solution, cluster):
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
def test_passes_for_another_right_function(capsys, body, cluster):
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


def test_passes_and_fails_with_the_same_name(capsys, solution, cluster):
    """The stored output of the notebook must not depend on which branch ran."""
    check_inside_count(solution, INSIDE_PIXELS)
    check_inside_count(solution, 0)
    passed, failed = capsys.readouterr().out.splitlines()
    assert failed.startswith(passed.replace("PASS", "NOT YET", 1) + ". Hint: ")
