"""mpcourse.checks.q6: does the exercise check pass the solution and fail wrong answers?"""

from __future__ import annotations

import pytest

import mpcourse
from mpcourse.checks.q6 import check_squares
from mpcourse.workers import put_square, sleep_for


def make_solution(method: str | None = None):
    ctx = mpcourse.get_context(method)

    def squares_from_processes(numbers):
        queue = ctx.Queue()
        processes = [ctx.Process(target=put_square, args=(queue, i, n)) for i, n in enumerate(numbers)]
        for p in processes:
            p.start()
        pairs = [queue.get() for _ in processes]
        for p in processes:
            p.join()
        return [square for _, square in sorted(pairs)]

    return squares_from_processes


def test_solution_passes(method, capsys):
    assert check_squares(make_solution(method)) is True
    assert capsys.readouterr().out.startswith("PASS: ")


def test_run_processes_answer_passes(capsys):
    def squares_from_processes(numbers):
        outcomes = mpcourse.run_processes(mpcourse.workers.square, [(n,) for n in numbers])
        return [outcome.result for outcome in outcomes]

    assert check_squares(squares_from_processes) is True


def sorted_by_size(numbers):
    return sorted(make_solution()(numbers))


def no_processes(numbers):
    return [n * n for n in numbers]


def wrong_numbers(numbers):
    return [2 * n for n in make_solution()(numbers)]


def raises(numbers):
    raise RuntimeError("forgot something")


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (sorted_by_size, "sorted by size"),
        (no_processes, "one ctx.Process"),
        (wrong_numbers, "expected [0, 1, 4, 9]"),
        (raises, "raised RuntimeError"),
        (None, "define a function"),
    ],
)
def test_wrong_answers_fail(answer, hint, capsys):
    assert check_squares(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("NOT YET: ") and hint in out and out.count("\n") == 1


def test_a_process_never_started_times_out(capsys):
    ctx = mpcourse.get_context()

    def forgot_start(numbers):
        queue = ctx.Queue()
        [ctx.Process(target=put_square, args=(queue, i, n)) for i, n in enumerate(numbers)]
        return [queue.get() for _ in numbers]  # waits forever: nothing was started

    assert check_squares(forgot_start, timeout=1.0) is False
    assert "did not finish within 1 s" in capsys.readouterr().out


def test_a_process_left_running_fails(capsys):
    ctx = mpcourse.get_context()
    left_running = []

    def leaves_one_running(numbers):
        straggler = ctx.Process(target=sleep_for, args=(3,))
        straggler.start()
        left_running.append(straggler)
        return make_solution()(numbers)

    try:
        assert check_squares(leaves_one_running) is False
        assert "still running" in capsys.readouterr().out
    finally:
        for process in left_running:
            process.terminate()
            process.join()
