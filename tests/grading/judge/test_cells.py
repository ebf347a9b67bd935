"""Which of the learner's cells the judge's child runs (mpcourse/grading/judge/cells.py): the answer's, anywhere."""

from __future__ import annotations

from mpcourse.grading.judge.cells import needed_cells, prepare, without_unused_imports


def _kept(cells: list[dict], *names: str, given: frozenset[str] = frozenset()) -> list[int]:
    prepared, _ = prepare(cells)
    return [cell.number for cell in needed_cells(prepared, set(names), given)]


def test_a_value_built_step_by_step_keeps_every_step():
    """Item assignment, a loop and append: the cells that change the value count, the demos between do not."""
    cells = [
        {"source": "choices = {}"},
        {"source": "x = 1\nprint(x)"},
        {"source": "choices['a'] = 'threads'\nfor k in ['b']:\n    choices[k] = 'processes'"},
        {"source": "results = []"},
        {"source": "for n in range(3):\n    results.append(n)"},
    ]
    assert _kept(cells, "choices") == [1, 3]
    assert _kept(cells, "results") == [4, 5]


def test_check_cells_and_cells_that_do_not_parse_are_never_run():
    """A tagged check cell, an untagged call of a check and broken code are left out (broken code is noted)."""
    cells = [
        {"source": "answer = 1"},
        {"source": "check_answer(answer)", "tags": ["check"]},
        {"source": "answer = 2\ncheck_answer(answer)"},
        {"source": "answer = (", "tags": []},
    ]
    prepared, notes = prepare(cells)
    assert [cell.number for cell in prepared] == [1] and notes == ["code cell 4 is not valid Python (SyntaxError)"]


def test_a_pasted_copy_below_the_original_is_the_answer_and_the_functions_globals_are_followed():
    """The later definition runs last; the setup cell its function reads is kept; a local name is not looked for."""
    cells = [
        {"source": "import mpcourse\nctx = mpcourse.get_context()"},
        {"source": "pool = 'a demo'"},
        {"source": "def f(numbers):\n    return ..."},
        {"source": "def f(numbers):\n    pool = ctx.Pool(2)\n    return pool.map(abs, numbers)"},
    ]
    assert _kept(cells, "f") == [1, 3, 4]


def test_the_judge_s_inputs_are_not_looked_for_in_the_cells():
    cells = [{"source": "CUBE_INPUTS = (2, 3)"}, {"source": "cubes = [n**3 for n in CUBE_INPUTS]"}]
    assert _kept(cells, "cubes", given=frozenset({"CUBE_INPUTS"})) == [2]


def test_a_kept_cell_loses_only_imports_nothing_reads():
    """A setup cell's plotting import goes; the imports the answer or the cell itself reads stay."""
    setup = "import matplotlib.pyplot as plt\nimport mpcourse\nctx = mpcourse.get_context()"
    prepared, _ = prepare([{"source": setup}])
    source = without_unused_imports(prepared[0], {"ctx"})
    assert "matplotlib" not in source and "import mpcourse" in source
