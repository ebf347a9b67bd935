"""Marks right both ways (issues 20, 24): the judge's verdict on answers in many styles, honest and hostile.

Each answer (:mod:`grading_fixtures.answers`) is a learner notebook; the judge runs its
own cells in the sandbox.  Honest styles get the point, and the learner's kernel (the
same cells run here, the check cell called) says PASS too: one verdict function.  Each
trick scores 0 with the judge's hint.  Without bubblewrap these tests are skipped (in
CI they fail).
"""

from __future__ import annotations

import ast
import contextlib
import io
import multiprocessing

import pytest
from grading_fixtures import require_bwrap
from grading_fixtures.answers import HONEST, HOSTILE, Answer, learner_notebook

import mpcourse.grading.judge.exercise as judge_exercise
from mpcourse.checks.exercise import find
from mpcourse.grading.judge import judge_check, learner_cells
from mpcourse.grading.judge.cells import needed_cells, prepare
from mpcourse.grading.settings import RunSettings
from mpcourse.kernel.worker_magic import cell_directory, define_worker

SETTINGS = RunSettings(sandbox="bwrap")


def _judged(answer: Answer) -> str:
    require_bwrap()
    verdict = judge_check(learner_cells(learner_notebook(answer)), find(f"check_{answer.exercise}"), SETTINGS)
    return verdict.output


def _kernel_line(answer: Answer) -> str:
    """What the learner's kernel prints for the check: the cells the check cell needs run here, then the check cell."""
    cells = learner_cells(learner_notebook(answer))
    check = next(cell for cell in cells if f"check_{answer.exercise}(" in cell["source"])
    prepared, _ = prepare(cells)
    wanted = {node.id for node in ast.walk(ast.parse(check["source"])) if isinstance(node, ast.Name)}
    if answer.notebook == "08":  # the learner's kernel has the chapter's cluster from cells the answer may not name
        wanted.add("client")
    namespace: dict = {"__name__": "__main__"}
    cell_directory()  # on sys.path before any child starts, as `%load_ext mpcourse` puts it (a cluster's workers)
    try:
        for cell in needed_cells(prepared, wanted):
            if cell.worker:
                namespace.update({k: v for k, v in vars(define_worker(cell.source)).items() if not k.startswith("_")})
            else:
                exec(compile(cell.source, "<cell>", "exec"), namespace)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(check["source"], "<check>", "exec"), namespace)
        return output.getvalue()
    finally:
        for name in ("client", "cluster"):  # chapter 08's cells start a dask cluster: close it as the chapter does
            if hasattr(namespace.get(name), "close"):
                namespace[name].close()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HONEST))
def test_every_honest_style_gets_the_point_from_the_judge_and_the_kernel(name):
    """Item assignment, append, dict(), closed forms, threads by hand, apply_async, executors, pasted cells: PASS."""
    answer = HONEST[name]
    line = _judged(answer)
    assert line.startswith("PASS"), line
    title = find("check_" + answer.exercise).title
    assert _kernel_line(answer).startswith(f"PASS: {title}"), name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_trick_scores_zero_with_the_judge_s_hint(name, monkeypatch):
    """A forged result line, input echoed, invented records, a leaked pool, idle processes, serial work, the GIL."""
    monkeypatch.setattr(judge_exercise, "KILL_AFTER", 8.0)  # the GIL trick runs until the tracer kills it
    answer = HOSTILE[name]
    line = _judged(answer)
    shown = answer.shown
    if shown == "not under spawn" and multiprocessing.get_context().get_start_method() != "fork":
        shown = "in a child"  # forkserver (3.14's default) inherits nothing either: judged once, and it fails
    assert line.startswith("NOT YET") and shown in line, line


def test_a_serial_prime_count_fails_in_the_kernel_too():
    """The judge's serial trick, run in a kernel: primes_with_limit was never handed to a pool, so NOT YET there too."""
    serial = HOSTILE["prime-counts-serial"]
    worker = serial.replace["answer-worker"] + "# a definition no other test pooled\n"
    answer = serial._replace(replace={**serial.replace, "answer-worker": worker})
    line = _kernel_line(answer)
    assert line.startswith("NOT YET") and "never handed to an mpcourse.Pool" in line, line


_BOMB = """\
import json
import resource
import sys
from pathlib import Path

import nbformat

from mpcourse.grading.grade import grade_notebook
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import discover

course, folder = Path(sys.argv[1]), Path(sys.argv[2])
master = load_master(course / "02_processes_vs_threads.ipynb")
copy = nbformat.from_dict(student_copy(master))
for cell in copy.cells:
    if cell.get("id") == "ex1-answer":
        cell.source = "choices = [" + "0, " * 3_000_000 + "]\\n"
(folder / "bomber").mkdir(parents=True)
nbformat.write(copy, folder / "bomber" / master.path.name)
grade = grade_notebook(master, discover(folder)[0], RunSettings(sandbox="bwrap"))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"points": [c.earned for c in grade.checks], "status": str(grade.status), "peak": peak}))
"""


@pytest.mark.slow
def test_a_literal_bomb_costs_the_grader_no_memory(tmp_path):
    """A 6 MB literal of three million elements is parsed in the sandbox, if at all: the grader stays under 1 GiB."""
    import json
    import subprocess
    import sys

    from grading_fixtures.answers import COURSE

    require_bwrap()
    script = tmp_path / "bomb.py"
    script.write_text(_BOMB)
    done = subprocess.run(
        [sys.executable, str(script), str(COURSE), str(tmp_path / "class")],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["points"][0] == 0, result
    assert result["peak"] < 2**30, f"the grader peaked at {result['peak'] / 2**20:.0f} MiB"


@pytest.mark.slow
def test_an_answer_in_a_cell_of_the_learner_s_own_earns_its_points(tmp_path):
    """The stub left untouched, the answer in an untagged cell below it: graded, not 'not attempted'."""
    import nbformat
    from grading_fixtures.answers import COURSE

    from mpcourse.grading.grade import grade_notebook
    from mpcourse.grading.notebook import load_master
    from mpcourse.grading.submissions import discover

    require_bwrap()
    answer = HONEST["run-all-untagged-below-the-stub"]
    master = load_master(COURSE / "05_creating_a_pool.ipynb")
    (tmp_path / "learner").mkdir()
    nbformat.write(learner_notebook(answer), tmp_path / "learner" / master.path.name)
    grade = grade_notebook(master, discover(tmp_path)[0], SETTINGS)
    assert [check.earned for check in grade.checks] == [1], grade.checks


@pytest.mark.slow
def test_an_answer_killed_at_the_time_limit_is_marked_timed_out(monkeypatch):
    """The GIL trick is killed from outside: the verdict says so, and grade_notebook makes it the notebook's status."""
    require_bwrap()
    monkeypatch.setattr(judge_exercise, "KILL_AFTER", 5.0)
    answer = HOSTILE["squares-holds-the-gil"]
    verdict = judge_check(learner_cells(learner_notebook(answer)), find(f"check_{answer.exercise}"), SETTINGS)
    assert not verdict.passed and verdict.timed_out, verdict
