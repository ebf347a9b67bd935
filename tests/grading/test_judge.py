"""Marks no learner code can forge (issue 11): hostile submissions against the course's own masters, one batch.

The class of :mod:`grading_fixtures.judged` (one trick per student, beside honest
controls) is graded once with ``grade_class`` in the sandbox, ``jobs=2``.  While
it runs, the kernel's own verdicts (today's: what the learner's kernel printed)
are recorded too, so each test shows both that the trick fooled the kernel and
that the judge gave it 0.  Without bubblewrap these tests are skipped, except in
CI, where they fail.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from grading_fixtures import require_bwrap
from grading_fixtures.judged import CONTROLS, NOTEBOOKS, SNOOP_CLEAN, TRICKS, make_judged_class

import mpcourse.grading.grade as grade_module
import mpcourse.grading.judge.grader as judge
from mpcourse.grading.batch import grade_class
from mpcourse.grading.notebook import load_master
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import discover

COURSE = Path(__file__).resolve().parents[2] / "notebooks"
#: Tricks that make the learner's kernel show PASS (today's verdicts gave them the points).
#: (threadpool: the kernel's check sees one worker pid in the tasks' records since the checks share the verdict.)
FOOLS_THE_KERNEL = set(TRICKS) - {"resultfiles", "snoop", "threadpool"}


@pytest.fixture(scope="module")
def judged(tmp_path_factory, monkeypatch_module):
    """Grade the class once; keep the gradebook, the feedback and the kernel's verdicts."""
    require_bwrap()
    root = tmp_path_factory.mktemp("judged")
    make_judged_class(COURSE, root / "submissions")
    masters = [load_master(COURSE / f"{name}.ipynb") for name in NOTEBOOKS]
    kernel: dict[str, bool] = {}
    lock = threading.Lock()
    kernel_verdicts = judge.kernel_verdicts

    def recording(master, merged, run, settings, learner=None):
        verdicts = kernel_verdicts(master, merged, run, settings)
        answers = tuple(merged.notebook.cells[a.index].source for a in master.answers)
        with lock:
            kernel[(master.name, answers)] = {key: v.passed for key, v in verdicts.items()}
        return verdicts

    monkeypatch_module.setattr(judge, "kernel_verdicts", recording)
    monkeypatch_module.setattr(grade_module, "all_judged", lambda master: False)  # run the kernel too, to compare
    settings = RunSettings(sandbox="bwrap", jobs=2)
    result = grade_class(masters, discover(root / "submissions"), root / "gradebook.csv", root / "feedback",
                         settings=settings, progress=False)  # fmt: skip
    feedback = {path.stem: path.read_text(encoding="utf-8") for path in (root / "feedback").glob("*.md")}
    checks = {
        student.name: {check.name: check for notebook in student.notebooks for check in notebook.checks}
        for student in result.graded
    }
    return {"rows": result.rows, "feedback": feedback, "kernel": kernel, "masters": masters, "checks": checks}


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def _attacked(judged, notebook: str, cell_id: str):
    master = next(m for m in judged["masters"] if m.name == notebook)
    return master, next(c for c in master.checks if c.cell_id == cell_id)


def _kernel_passed(judged, trick) -> bool:
    """Did the learner's kernel show PASS for the check the trick attacks (today's verdicts)?"""
    master, check = _attacked(judged, trick.notebook, trick.check)
    key = tuple(trick.answers.get(a.cell_id, a.stub) for a in master.answers)
    verdicts = judged["kernel"].get((master.name, key))
    assert verdicts is not None, "no kernel run recorded"
    return verdicts.get(check.cell_id, False)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TRICKS))
def test_each_trick_scores_zero_on_the_check_it_attacks(judged, name):
    """A forged check earns nothing, and the feedback says why (the judge's own hint)."""
    trick = TRICKS[name]
    _, check = _attacked(judged, trick.notebook, trick.check)
    result = judged["checks"][name][check.name]
    assert (result.outcome, result.earned) == ("fail", 0), result
    assert trick.shown in result.output, result.output
    assert trick.shown in judged["feedback"][name], judged["feedback"][name]
    if name in FOOLS_THE_KERNEL:
        assert _kernel_passed(judged, trick), f"{name} does not fool the kernel: the test shows nothing"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_honest_students_grade_as_before(judged, name):
    """Full marks for the solution, 0 for the blank copy, a hint for a wrong answer."""
    notebook, _, points, shown = CONTROLS[name]
    assert judged["rows"][name][notebook] == points, judged["rows"][name]
    assert shown in judged["feedback"][name], judged["feedback"][name]


@pytest.mark.slow
def test_the_judges_inputs_are_not_on_disk_or_in_any_environment_of_the_run(judged):
    """An answer that searched its run's files, environments and command lines for the judge's inputs found none."""
    assert f"returned ['{SNOOP_CLEAN}']" in judged["feedback"]["snoop"], judged["feedback"]["snoop"]
