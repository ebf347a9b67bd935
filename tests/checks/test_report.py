"""mpcourse.checks (the package's own module): one stable line per check, and the worker hint."""

from __future__ import annotations

import sys
import types

from check_output import one_line

from mpcourse import workers
from mpcourse.checks import FAIL_MARK, PASS_MARK, report, worker_problem
from mpcourse.kernel.worker_magic import define_worker


def test_a_pass_is_one_line_and_returns_true(capsys):
    assert report(True, "the sum is right", "a hint nobody sees") is True
    assert one_line(capsys) == f"{PASS_MARK}: the sum is right"


def test_a_fail_gives_its_hint_on_the_same_line_and_returns_false(capsys):
    assert report(False, "not an exercise of the course", "add one") is False
    assert one_line(capsys) == f"{FAIL_MARK}: not an exercise of the course. Hint: add one"


def test_a_fail_without_a_hint_is_just_the_name(capsys):
    assert report(False, "not an exercise of the course") is False
    assert one_line(capsys) == f"{FAIL_MARK}: not an exercise of the course"


def test_the_marks_are_what_graders_and_learners_read():
    """The words the stored outputs, the grader and the README all use."""
    assert (PASS_MARK, FAIL_MARK) == ("PASS", "NOT YET")


def test_a_failed_exercise_says_how_to_get_its_solution(capsys):
    from mpcourse.learner.solutions import exercises

    title = next(iter(exercises().values())).title
    report(False, title, "look again")
    line = one_line(capsys)
    assert line.startswith(f"{FAIL_MARK}: {title}. Hint: look again. Stuck? %solution ")


def test_a_hint_never_breaks_a_check(monkeypatch, capsys):
    """No course to read the solutions from (a broken install): the check still prints its one line."""
    from mpcourse.learner import solutions

    def broken():
        raise OSError("no course here")

    monkeypatch.setattr(solutions, "exercises", broken)
    assert report(False, "anything", "a hint") is False
    assert one_line(capsys) == f"{FAIL_MARK}: anything. Hint: a hint"


def test_worker_problem_is_empty_for_an_importable_worker():
    assert worker_problem(workers.double, "check(double)") == ""


def test_worker_problem_says_to_pass_the_function_itself():
    assert worker_problem(workers.double(2), "check(double)") == "pass the function itself: check(double)"


def test_worker_problem_gives_the_worker_magic_hint_for_a_notebook_function(monkeypatch):
    """Whatever this kernel's start method: a function in a kernel's __main__ would not reach a spawned child."""
    kernel_main = types.ModuleType("__main__")  # like a kernel's __main__: no __file__
    exec("def square(x):\n    return x * x", kernel_main.__dict__)
    monkeypatch.setitem(sys.modules, "__main__", kernel_main)
    hint = worker_problem(kernel_main.square, "check(square)")
    assert "%%worker" in hint and "%load_ext mpcourse" in hint


def test_a_worker_cell_passes_the_worker_check():
    square = define_worker("def square(x):\n    return x * x  # test_report\n").square
    assert worker_problem(square, "check(square)") == ""
