"""mpcourse.checks (the package's own module): one stable line per check, and the worker hint."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest
from check_output import one_line

from mpcourse import checks, load_ipython_extension, workers
from mpcourse.checks import report, worker_problem
from mpcourse.course_format import FAIL_MARK, PASS_MARK
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


class _Shell:
    """What register_solution needs of IPython: a place for the magic."""

    def __init__(self):
        self.magics = {}

    def register_magic_function(self, func, magic_kind, magic_name):
        self.magics[magic_name] = func

    custom_exceptions = ()

    def set_custom_exc(self, exceptions, handler):
        self.custom_exceptions = exceptions


@pytest.fixture(name="no_hooks")
def no_hooks_fixture(monkeypatch):
    """The hint hooks as a fresh kernel has them: none until %load_ext mpcourse."""
    monkeypatch.setattr(checks, "_hint_hooks", [])


def test_a_check_alone_adds_nothing_from_the_layers_above(no_hooks, capsys):
    """Before %load_ext mpcourse a failed exercise prints its own hint, and the learner layer stays unloaded."""
    from mpcourse.learner.solutions import exercises

    title = next(iter(exercises().values())).title
    report(False, title, "look again")
    assert one_line(capsys) == f"{FAIL_MARK}: {title}. Hint: look again"


def test_checks_import_nothing_above_them():
    """A fresh interpreter that runs a failing check never loads mpcourse.learner."""
    code = (
        "import sys\nfrom mpcourse.checks import report\nreport(False, 'x', 'y')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mpcourse.learner', 'mpcourse.grading'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_load_ext_makes_a_failed_exercise_say_how_to_get_its_solution(no_hooks, capsys):
    from mpcourse.learner.solutions import exercises

    shell = _Shell()
    load_ipython_extension(shell)
    assert "solution" in shell.magics
    title = next(iter(exercises().values())).title
    report(False, title, "look again")
    line = one_line(capsys)
    assert line.startswith(f"{FAIL_MARK}: {title}. Hint: look again. Stuck? %solution ")


def test_a_hint_never_breaks_a_check(no_hooks, monkeypatch, capsys):
    """No course to read the solutions from (a broken install): the check still prints its one line."""
    from mpcourse.learner import solutions

    def broken():
        raise OSError("no course here")

    load_ipython_extension(_Shell())
    monkeypatch.setattr(solutions, "exercises", broken)
    assert report(False, "anything", "a hint") is False
    assert one_line(capsys) == f"{FAIL_MARK}: anything. Hint: a hint"


def test_a_hook_that_raises_leaves_the_line_whole(no_hooks, capsys):
    def broken(name):
        raise RuntimeError(name)

    checks.add_hint_hook(broken)
    assert report(False, "anything", "a hint") is False
    assert one_line(capsys) == f"{FAIL_MARK}: anything. Hint: a hint"


def test_an_untouched_answer_is_told_to_write_the_answer():
    """The student copy's placeholder ``...`` gets what to do next, not "pass the function itself"."""
    assert worker_problem(..., "check(double)") == "write your answer in the cell above (it still holds `...`)"


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


def test_a_check_in_a_kernel_prints_its_line_and_no_out_value():
    """In Jupyter a check cell shows its one line, not ``Out[n]: True`` under it."""
    from notebook_runner import execute

    notebook = execute(["from mpcourse.checks import report\nreport(True, 'shown once')"])
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream"] and outputs[0].text == f"{PASS_MARK}: shown once\n"
