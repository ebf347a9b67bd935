"""Solutions on demand (mpcourse/learner/solutions.py, ``%solution``) and ``release --no-solutions``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from grading_fixtures import SOLUTIONS, write_masters
from notebook_runner import execute, stream_text

from mpcourse import load_ipython_extension
from mpcourse.checks import report
from mpcourse.cli import main
from mpcourse.course_format import solution_note
from mpcourse.grading.notebook import load_master
from mpcourse.learner import solutions
from mpcourse.learner.course import course_notebooks
from mpcourse.learner.solution_magic import solution


class Shell:
    """What ``%solution`` uses of IPython: the next input it sets, which must replace the asking cell's text."""

    def __init__(self) -> None:
        self.next_inputs: list[str] = []

    def set_next_input(self, text: str, replace: bool = False) -> None:
        assert replace, "a solution in a new cell is added again by every run of the %solution cell"
        self.next_inputs.append(text)

    def register_magic_function(self, func: object, magic_kind: str, magic_name: str) -> None:
        pass

    custom_exceptions: tuple[type, ...] = ()

    def set_custom_exc(self, exceptions: tuple[type, ...], handler: object) -> None:
        self.custom_exceptions = exceptions

    def run_cell(self, text: str, store_history: bool = False) -> None:
        self.ran = text


@pytest.fixture(name="loaded")
def loaded_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel after ``%load_ext mpcourse``: the hint hook installed (and removed after the test)."""
    from mpcourse import checks

    monkeypatch.setattr(checks, "_hint_hooks", [])
    load_ipython_extension(Shell())


@pytest.fixture
def small_course(tmp_path: Path) -> Path:
    return write_masters(tmp_path / "course")


def test_every_exercise_of_the_course_has_a_name_and_its_masters_answer() -> None:
    found = solutions.exercises()
    assert len(found) >= len(course_notebooks())
    for name, exercise in found.items():
        assert name.isidentifier() or name[:2].isdigit(), name
        master = load_master(Path(solutions.course_dir()) / exercise.notebook, executed=False)
        cells = {cell.id: cell.source for cell in master.notebook.cells}
        parts = solutions.solution_parts(exercise)
        assert len(parts) == len(exercise.answer_ids)
        for cell_id, part in zip(exercise.answer_ids, parts, strict=True):
            assert part and part.splitlines()[0] in cells[cell_id]


def test_names_come_from_the_check_function(small_course: Path) -> None:
    found = solutions.exercises(small_course)
    assert list(found) == ["answer", "double", "squares"]  # the hidden check is no exercise
    assert solutions.solution_parts(found["double"], small_course) == [SOLUTIONS["answer-two"]]
    with pytest.raises(solutions.UnknownExercise, match="did you mean double"):
        solutions.find("doubel", small_course)


def test_solution_magic_puts_the_answer_in_its_own_cell(capsys: pytest.CaptureFixture[str]) -> None:
    """The answer replaces ``%solution NAME``: the cursor stays on it, and a re-run adds no second copy."""
    name, exercise = next(iter(solutions.exercises().items()))
    shell = Shell()
    solution(shell, name)
    expected = [f"{part}\n{solution_note(exercise.name)}" for part in solutions.solution_parts(exercise)[:1]]
    assert shell.next_inputs == expected
    assert "is now in this cell" in capsys.readouterr().out


def test_a_two_part_exercise_comes_in_parts(capsys: pytest.CaptureFixture[str]) -> None:
    name, exercise = next(((n, e) for n, e in solutions.exercises().items() if len(e.answer_ids) > 1), (None, None))
    if name is None:
        pytest.skip("no exercise of the course has two answer cells")
    shell = Shell()
    solution(shell, name)
    assert f"%solution {name} 2" in capsys.readouterr().out
    solution(shell, f"{name} 2")
    assert shell.next_inputs == [f"{part}\n{solution_note(name)}" for part in solutions.solution_parts(exercise)[:2]]


def test_solution_magic_without_a_name_lists_the_exercises(capsys: pytest.CaptureFixture[str]) -> None:
    shell = Shell()
    solution(shell, "")
    solution(shell, "no_such_exercise")
    out = capsys.readouterr().out
    assert all(name in out for name in solutions.exercises()) and "no exercise is called" in out
    assert shell.next_inputs == []


def test_a_failed_check_of_an_exercise_says_how_to_get_its_solution(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    name, exercise = next(iter(solutions.exercises().items()))
    report(False, exercise.title, "a hint")
    line = capsys.readouterr().out
    assert line.startswith(f"NOT YET: {exercise.title}. Hint: a hint. Stuck? %solution {name} ")
    assert line.count("\n") == 1
    report(False, "a check that is no exercise", "a hint")
    assert capsys.readouterr().out == "NOT YET: a check that is no exercise. Hint: a hint\n"


def test_release_without_solutions_marks_the_copies_and_the_magic_says_so(
    loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    student = tmp_path / "student"
    assert main(["release", str(student), "--no-solutions"]) == 0
    capsys.readouterr()
    name, exercise = next(iter(solutions.exercises().items()))
    copy = nbformat.read(student / exercise.notebook, as_version=4)
    assert copy.metadata["mpcourse"]["solutions"] is False
    monkeypatch.chdir(student)  # a kernel runs in its notebook's folder
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shell = Shell()
    solution(shell, name)
    assert shell.next_inputs == []
    assert "released without solutions" in capsys.readouterr().out
    report(False, exercise.title, "a hint")
    assert "%solution" not in capsys.readouterr().out
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "elsewhere.ipynb"))  # another notebook: cwd decides
    solution(shell, name)
    assert shell.next_inputs == []


def test_a_plain_release_keeps_solutions_on_demand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["release", str(tmp_path / "student")]) == 0
    for path in (tmp_path / "student").glob("*.ipynb"):
        assert "mpcourse" not in nbformat.read(path, as_version=4).metadata
        assert solutions.notebook_allows_solutions(path)


@pytest.mark.slow
def test_in_a_kernel_load_ext_brings_the_hint_and_the_magic() -> None:
    """Before ``%load_ext mpcourse`` a NOT YET line is the check's own; after it, it names a working %solution."""
    name, exercise = next(iter(solutions.exercises().items()))
    fail = f"from mpcourse.checks import report\nreport(False, {exercise.title!r}, 'a hint')"
    notebook = execute([fail, "%load_ext mpcourse", fail, f"%solution {name}"])
    before, _, after, magic = (stream_text(cell) for cell in notebook.cells)
    assert "%solution" not in before and "Hint: a hint" in before
    assert f"%solution {name}" in after
    assert "is now in this cell" in magic


@pytest.mark.slow
def test_in_a_kernel_the_solution_runs_where_it_was_asked_for() -> None:
    """``%solution sum_of_squares`` (a %%worker answer) and then the check: PASS, with no cell run in between."""
    notebook = execute(
        [
            "%load_ext mpcourse\nfrom mpcourse.checks.q1 import check_sum_of_squares",
            "%solution sum_of_squares",
            "check_sum_of_squares(sum_of_squares)",
        ]
    )
    assert stream_text(notebook.cells[2]).startswith("PASS: "), stream_text(notebook.cells[1])


def test_exercises_group_answers_with_checks_as_grading_does() -> None:
    """The fast index (plain JSON, read by a kernel at its first NOT YET) agrees with load_master."""
    for path in course_notebooks():
        master = load_master(path, executed=False)
        graded = {c.cell_id: (c.answers, c.name) for c in master.checks if not c.hidden and c.answers}
        indexed = {
            e.check_id: (e.answer_ids, e.title) for e in solutions.exercises().values() if e.notebook == path.name
        }
        assert indexed == graded, path.name
