"""The course's checks and their judges (grading/judge/__init__.py): every graded check judged, no self-check."""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_fixtures import require_bwrap, write_masters

from mpcourse.checks import SELF_CHECKS
from mpcourse.checks.exercise import EXERCISES, Exercise, find, verdict_line
from mpcourse.course_format import SELF_CHECK
from mpcourse.grading.judge import KERNEL, classify, judge_notebook
from mpcourse.grading.judge.exercise import find_gatherer
from mpcourse.grading.notebook import MasterError, load_master
from mpcourse.grading.settings import RunSettings

COURSE = Path(__file__).resolve().parents[2] / "notebooks"


def test_every_graded_check_of_the_course_has_a_judge():
    """Is each check cell of notebooks 01-06 judged (none left to the learner's kernel)?"""
    for path in sorted(COURSE.glob("0*.ipynb")):
        kinds = classify(load_master(path))
        assert kinds and all(isinstance(kind, Exercise) for kind in kinds.values()), (path.name, kinds)
    assert len(EXERCISES) >= 11


def test_every_exercise_is_found_through_the_registry_with_its_gatherer():
    """Each exercise of mpcourse.checks is registered once (name, title, verdict) and has the judge's gatherer."""
    find("check_run_all")  # imports every checks module
    for name, exercise in EXERCISES.items():
        assert exercise.check == f"check_{name}" and exercise.title, name
        assert find_gatherer(name) is not None, f"exercise {name} has no gatherer in mpcourse.grading.judge"


def test_the_grader_never_parses_learner_source():
    """No ast or literal parsing of learner content in the grader's modules: only the sandboxed child does that."""
    from pathlib import Path as P

    import mpcourse.grading.judge as judge_package

    for path in P(judge_package.__file__).parent.glob("*.py"):
        if path.name in {"cells.py", "_child.py"}:  # run inside the sandbox only
            continue
        text = path.read_text(encoding="utf-8")
        assert "literal_eval" not in text and "ast.parse" not in text, path.name


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


@pytest.mark.slow
def test_the_masters_answers_pass_every_judge():
    """The course's reference answers, judged in the sandbox: every check passes."""
    require_bwrap()
    for path in sorted(COURSE.glob("0*.ipynb")):
        master = load_master(path)
        verdicts = judge_notebook(master, master.notebook, RunSettings(sandbox="bwrap"))
        assert all(v.passed for v in verdicts.values()), {k: v.output for k, v in verdicts.items()}


_HARD_CODED = {
    "08_beyond_one_machine": (
        "answer-worker",
        "%%worker\ndef inside_count(counts, max_iter):\n"
        "    return {(200, 3, 200, 17): 2, (50, 50, 49, 7, 50): 3, (200, 1, 200, 200): 3}.get(tuple(counts), 0)\n",
    ),
    "07_sharing_data_between_processes": (
        "exercise-answer",
        "%%worker\nfrom multiprocessing import shared_memory\nimport numpy as np\n"
        "from mpcourse.checks.q7 import EXERCISE_SIZE\nfrom mpcourse.workers import mandelbrot_row\n\n"
        "def fill_row(name, row, width, height):\n"
        "    block = shared_memory.SharedMemory(name=name)\n"
        "    image = np.ndarray((height, width), dtype=np.int32, buffer=block.buf)\n"
        "    image[row] = mandelbrot_row(row, *EXERCISE_SIZE)[:width]  # the visible size, whatever it is asked\n"
        "    del image\n    block.close()\n",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("notebook", sorted(_HARD_CODED))
def test_answers_written_for_the_visible_inputs_fail(notebook):
    """Chapters 07 and 08: an answer right only for the inputs the learner saw fails on the judge's own."""
    require_bwrap()
    import copy

    master = load_master(COURSE / f"{notebook}.ipynb")
    cell_id, source = _HARD_CODED[notebook]
    merged = copy.deepcopy(master.notebook)
    next(cell for cell in merged.cells if cell.get("id") == cell_id).source = source
    verdicts = judge_notebook(master, merged, RunSettings(sandbox="bwrap"))
    assert verdicts and not any(v.passed for v in verdicts.values()), {k: v.output for k, v in verdicts.items()}
