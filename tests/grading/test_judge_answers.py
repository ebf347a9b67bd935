"""What the judge reads from a submission (mpcourse/grading/judge/answers.py): text and literals, nothing run."""

from __future__ import annotations

from mpcourse.grading.judge.answers import NOT_LITERAL, AnswerCell, literal_values, plain_source


def cell(source: str) -> AnswerCell:
    return AnswerCell("a", *plain_source(source))


def test_literals_are_read_without_running_anything():
    """Is a literal read as data, and anything else left to a sandboxed run?"""
    cells = [cell("x = [10, 10, 10]\ny = {'a': 'threads'}\nz = [10] * 3\n"), cell("x = (1, 2)\nimport os as y\n")]
    values = literal_values(cells, ("x", "y", "z", "w"))
    assert values == {"x": (1, 2), "y": NOT_LITERAL, "z": NOT_LITERAL}


def test_a_worker_cell_loses_its_magic_line_and_is_marked():
    """Does ``%%worker`` make the cell a module, and other magic lines vanish?"""
    assert plain_source("%%worker\ndef f():\n    return 1\n") == ("def f():\n    return 1\n", True)
    assert plain_source("%time x = 1\ny = 2") == ("\ny = 2\n", False)
