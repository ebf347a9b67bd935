"""Chapter 09's judge (grading/judge/q9.py): logged_squares judged in the sandbox, on numbers drawn at grading time."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from grading_fixtures import require_bwrap

from mpcourse.grading.judge import judge_notebook
from mpcourse.grading.notebook import load_master
from mpcourse.grading.settings import RunSettings

MASTER = Path(__file__).resolve().parents[3] / "notebooks" / "09_multiprocessing_in_real_programs.ipynb"

#: Wrong answers, each with the words its hint must hold.
WRONG = {
    "handler-in-the-parent": (
        "def logged_squares(numbers, handler):\n"
        "    logging.getLogger('mpcourse.squares').addHandler(handler)\n"
        "    with mpcourse.Pool(2) as pool:\n"
        "        squares = pool.map(log_square, numbers)\n"
        "        pool.close()\n"
        "        pool.join()\n"
        "    return squares\n",
        "no record reached the handler",
    ),
    "no-workers": (
        "def logged_squares(numbers, handler):\n"
        "    logging.getLogger('mpcourse.squares').addHandler(handler)\n"
        "    logging.getLogger('mpcourse.squares').setLevel(logging.INFO)\n"
        "    return [log_square(n) for n in numbers]\n",
        "logged in this process",
    ),
    "written-for-the-visible-numbers": (
        "def logged_squares(numbers, handler):\n    return [16, 49, 1, 144, 81, 9]\n",
        "returned [16, 49, 1, 144, 81, 9]",
    ),
}


def _judged(source: str) -> list[str]:
    """The judge's lines for the master with its answer cell replaced by ``source``."""
    master = load_master(MASTER)
    merged = copy.deepcopy(master.notebook)
    next(cell for cell in merged.cells if cell.get("id") == "exercise-answer").source = source
    verdicts = judge_notebook(master, merged, RunSettings(sandbox="bwrap"))
    assert verdicts
    return [verdict.output for verdict in verdicts.values() if not verdict.passed]


@pytest.mark.slow
def test_the_masters_answer_passes_its_judge():
    require_bwrap()
    master = load_master(MASTER)
    verdicts = judge_notebook(master, master.notebook, RunSettings(sandbox="bwrap"))
    assert verdicts and all(v.passed for v in verdicts.values()), {k: v.output for k, v in verdicts.items()}


@pytest.mark.slow
@pytest.mark.parametrize("answer", sorted(WRONG))
def test_a_wrong_answer_fails_its_judge_with_the_hint(answer):
    require_bwrap()
    source, hint = WRONG[answer]
    failed = _judged(source)
    assert failed and hint in failed[0], failed
