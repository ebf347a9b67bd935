"""Tests for mpcourse/course_format.py: what tags, check cells, answer cells and ``%%worker`` cells mean."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_fixtures import build_basics

from mpcourse import course_format as fmt
from mpcourse.kernel.worker_magic import define_worker
from mpcourse.learner.course import course_notebooks


def _plain(notebook: nbformat.NotebookNode) -> dict:
    """The notebook as plain JSON, the way a stdlib-only reader (a kernel, the judge's child) sees it."""
    return json.loads(nbformat.writes(notebook))


def test_source_text_joins_the_lines_notebook_json_may_store():
    assert fmt.source_text(["a = 1\n", "b = 2"]) == "a = 1\nb = 2"
    assert fmt.source_text("x") == "x" and fmt.source_text(None) == ""


@pytest.mark.parametrize("metadata", [None, {}, {"tags": "answer"}, {"tags": [1, None]}])
def test_malformed_tags_and_options_read_as_none(metadata):
    cell = {"cell_type": "code", "source": "", "metadata": metadata}
    assert fmt.cell_tags(cell) == [] and fmt.cell_options(cell) == {}


def test_checks_grade_the_answers_since_the_previous_check_else_that_checks():
    """Does a hidden check after another check grade the same answers, on plain JSON as on nbformat nodes?"""
    for notebook in (build_basics(), _plain(build_basics())):
        found = fmt.exercises(notebook, "01_basics.ipynb")
        assert [(e.check_id, e.answer_ids, e.hidden, e.points) for e in found] == [
            ("check-one", ("answer-one",), False, 2),
            ("check-two", ("answer-two",), False, 1),
            ("check-hidden", ("answer-two",), True, 1),
        ]
        assert [e.name for e in found] == ["answer", "double", "double_negative"]
        assert found[0].title == "the answer is 42" and found[0].notebook == "01_basics.ipynb"


@pytest.mark.parametrize(
    ("tags", "cell_type", "points", "message"),
    [
        (["answer", "check"], "code", 1, "both answer and check"),
        (["check", "self-check"], "code", 1, "never graded"),
        (["check"], "markdown", 1, "must be a code cell"),
        (["check"], "code", "two", "must be a number"),
        (["check"], "code", -1, "must not be negative"),
        (["check"], "code", float("nan"), "must be a number"),
    ],
)
def test_a_cell_that_breaks_the_format_is_named_with_what_to_fix(tags, cell_type, points, message):
    cell = {
        "id": "bad",
        "cell_type": cell_type,
        "source": "",
        "metadata": {"tags": tags, "mpcourse": {"points": points}},
    }
    with pytest.raises(fmt.FormatError, match=f"cell bad: .*{message}"):
        fmt.exercises({"cells": [cell]})


def test_a_checks_title_is_its_stored_pass_line_else_what_it_printed_else_its_source():
    def check(*texts: str) -> dict:
        return {"source": "check_x(x)", "outputs": [{"output_type": "stream", "text": t} for t in texts]}

    assert fmt.check_title(check("", "PASS: the sum is right\n")) == "the sum is right"
    assert fmt.check_title(check("NOT YET: the sum is right. Hint: add. Stuck? %solution x\n")) == "the sum is right"
    assert fmt.check_title(check("\nok\n")) == "ok"
    assert fmt.check_title(check()) == "check_x(x)"


def test_verdict_lines_parse_and_other_lines_do_not():
    assert fmt.parse_verdict("PASS: squares") == ("PASS", "squares")
    assert fmt.parse_verdict("NOT YET: squares. Hint: use a pool. Stuck? %solution squares") == ("NOT YET", "squares")
    assert fmt.parse_verdict("PASSED: squares") is None and fmt.parse_verdict("the PASS: x") is None


@pytest.mark.parametrize(
    ("source", "called"),
    [
        ("check_squares(squares_from_processes)", "check_squares"),
        ('print("both:", a == b)\ncheck_zero_copy(a, b)', "check_zero_copy"),
        ("%matplotlib inline\nmy_check(x)", "my_check"),
        ("check_a(x)\ncheck_b(x)", None),
        ("result = check_a(x)", None),
        ("def broken(:", None),
    ],
)
def test_the_check_a_cell_calls_is_its_one_check_call(source, called):
    assert fmt.called_check(source) == called


def test_imported_checks_are_found_in_code_cells_with_magics():
    cells = [
        {"cell_type": "code", "source": "%load_ext mpcourse\nfrom mpcourse.checks.q6 import check_squares as cs"},
        {"cell_type": "code", "source": ["%%worker\n", "from mpcourse.checks import report\n"]},
        {"cell_type": "code", "source": "from mpcourse.checksum import check_x\nfrom os import path"},
        {"cell_type": "markdown", "source": "from mpcourse.checks.q1 import check_md"},
        {"cell_type": "code", "source": "%%bash\nfrom mpcourse.checks.q1 import check_shell"},
    ]
    assert fmt.imported_checks(cells) == {"cs": "mpcourse.checks.q6", "report": "mpcourse.checks"}


def test_a_worker_cell_splits_into_its_body_and_the_module_the_magic_makes_of_it():
    """The kernel's %%worker and the judge name a cell's module the same way."""
    body, worker = fmt.python_source("\n%%worker\ndef f(x):\n    return x\n%time f(1)\n")
    assert worker and body == "def f(x):\n    return x\n\n"
    assert fmt.python_source("x = 1\n!ls") == ("x = 1\n\n", False)
    assert fmt.python_source("%%time\nx = 1") == ("x = 1\n", False) and fmt.python_source("%%bash\nls") is None
    assert fmt.cell_magic("%%worker --quiet\nx") == "worker" and fmt.cell_magic("%time x") is None
    source = "def shout_in_test(word):\n    return word.upper()\n"
    assert define_worker(source).__name__ == fmt.worker_module_name(source) != fmt.worker_module_name(source + "\n")


def test_renamed_cell_ids_map_to_ids_the_masters_have():
    """A submission made on an earlier copy keeps matching: every old id maps to a cell id of today's masters."""
    ids = {cell["id"] for path in course_notebooks() for cell in json.loads(path.read_text())["cells"]}
    assert set(fmt.RENAMED_CELL_IDS.values()) <= ids
    assert not set(fmt.RENAMED_CELL_IDS) & ids
    assert fmt.canonical_id("seed-code") == "apply-in-a-loop" and fmt.canonical_id("answer-one") == "answer-one"


def test_a_solution_note_names_the_exercise_and_keeps_a_worker_cell_a_worker_cell():
    inserted = f"%%worker\ndef f(x):\n    return x\n{fmt.solution_note('sum_of_squares')}"
    assert fmt.inserted_solution(inserted) == "sum_of_squares"
    assert fmt.python_source(inserted)[1] and fmt.inserted_solution("def f(x):\n    return x") is None


def test_the_reference_answer_drops_the_solution_markers():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert fmt.solution_source(source) == "def f(x):\n    return x"
