"""The judge's parts: answers read as text, checks matched to their judges, processes counted by tracing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_fixtures import require_bwrap, write_masters

import mpcourse.grading.judge._trace as trace_module
from mpcourse.checks import SELF_CHECKS
from mpcourse.grading.judge import EXERCISES, KERNEL, classify, judge_notebook
from mpcourse.grading.judge.answers import NOT_LITERAL, AnswerCell, literal_values, plain_source
from mpcourse.grading.judge.exercise import Exercise, verdict_line
from mpcourse.grading.notebook import SELF_CHECK, MasterError, load_master
from mpcourse.grading.settings import RunSettings

COURSE = Path(__file__).resolve().parent.parent / "notebooks"


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


def test_every_graded_check_of_the_course_has_a_judge():
    """Is each check cell of notebooks 01-06 judged (none left to the learner's kernel)?"""
    for path in sorted(COURSE.glob("0*.ipynb")):
        kinds = classify(load_master(path))
        assert kinds and all(isinstance(kind, Exercise) for kind in kinds.values()), (path.name, kinds)
    assert len(EXERCISES) >= 9


def test_every_self_check_cell_is_tagged_so():
    """Is each cell that calls a check of the kernel's own measurement tagged ``self-check`` (shown, not graded)?"""
    untagged = []
    for path in sorted(COURSE.glob("0*.ipynb")):
        for cell in load_master(path).notebook.cells:
            source = "".join(cell.source)
            if cell.cell_type == "code" and any(f"{name}(" in source for name in SELF_CHECKS):
                if SELF_CHECK not in cell.metadata.get("tags", []):
                    untagged.append(f"{path.name}: {cell.id}")
    assert not untagged, untagged


def test_the_judges_lines_are_the_checks_own(tmp_path):
    """Does each judge's PASS line equal the line the master's check cell stored?"""
    for path in sorted(COURSE.glob("0*.ipynb")):
        master = load_master(path)
        for check in master.checks:
            exercise = classify(master)[check.cell_id]
            assert verdict_line(exercise.title, True, "") == f"PASS: {check.name}", path.name


def test_a_teachers_own_check_is_scored_from_the_kernel_as_before(tmp_path):
    """A check function defined in the master (not in mpcourse.checks) has no judge: the kernel's verdict stays."""
    masters = write_masters(tmp_path)
    for name in ("01_basics", "02_processes"):  # 02 defines its own check_squares: not q6's
        assert set(classify(load_master(masters / f"{name}.ipynb")).values()) == {KERNEL}


def test_a_self_check_cannot_be_a_graded_check(tmp_path):
    """A check cell calling check_speedup (the kernel's own measurement) is refused, with what to do."""
    notebook = load_master(COURSE / "01_what_is_multiprocessing.ipynb").notebook
    target = next(c for c in notebook.cells if "check_speedup(" in "".join(c.source) and c.cell_type == "code")
    target.metadata["tags"] = ["check"]
    import nbformat

    nbformat.write(notebook, tmp_path / "01.ipynb")
    with pytest.raises(MasterError, match="self-check"):
        classify(load_master(tmp_path / "01.ipynb"))
    target.metadata["tags"] = ["check", "self-check"]
    nbformat.write(notebook, tmp_path / "01.ipynb")
    with pytest.raises(MasterError, match="never graded"):
        load_master(tmp_path / "01.ipynb")


_COUNTED = """\
import multiprocessing, sys, threading
def nothing():
    pass
if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1])
    kind = sys.argv[2]
    if kind == "processes":
        ps = [ctx.Process(target=nothing) for _ in range(3)]
        [p.start() for p in ps]
        [p.join() for p in ps]
    elif kind == "unstarted":
        ps = [ctx.Process(target=nothing) for _ in range(3)]
    elif kind == "threads":
        ts = [threading.Thread(target=nothing) for _ in range(3)]
        [t.start() for t in ts]
        [t.join() for t in ts]
    print("done")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
@pytest.mark.parametrize("kind, processes, threads", [("processes", 3, None), ("unstarted", 0, 0), ("threads", 0, 3)])
def test_the_tracer_counts_processes_that_really_ran(tmp_path, method, kind, processes, threads):
    """Started processes count; unstarted Process objects and threads do not (multiprocessing's helpers aside)."""
    script = tmp_path / "counted.py"
    script.write_text(_COUNTED)
    job = tmp_path / "input"
    job.write_bytes(b"")
    read, write = os.pipe()
    command = [sys.executable, trace_module.__file__, str(write), "1000", str(job), sys.executable, str(script)]
    done = subprocess.run([*command, method, kind], pass_fds=(write,), timeout=60, check=False)
    os.close(write)
    with os.fdopen(read) as stream:
        report = json.loads(stream.readline())
    assert done.returncode == 0
    assert not job.exists(), "the tracer leaves its input on disk"
    assert report["trace"]["processes"] == processes, report
    if threads is not None:
        assert report["trace"]["threads"] == threads, report
    assert report["output"] == "done\n"


@pytest.mark.slow
def test_the_masters_answers_pass_every_judge():
    """The course's reference answers, judged in the sandbox: every check passes."""
    require_bwrap()
    for path in sorted(COURSE.glob("0*.ipynb")):
        master = load_master(path)
        verdicts = judge_notebook(master, master.notebook, RunSettings(sandbox="bwrap"))
        assert all(v.passed for v in verdicts.values()), {k: v.output for k, v in verdicts.items()}
