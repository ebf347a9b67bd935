"""Tests for mpcourse/grading/runner.py (and the grader's safety): time and memory limits, process cleanup."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import nbformat
import pytest
from grading_fixtures import LOOP_ANSWER, executed, orphans, require_bwrap, write_masters

from mpcourse.grading.driver import cancelled_by, stop_all_runs
from mpcourse.grading.grade import grade_notebook
from mpcourse.grading.limits import Limits, cpus_for
from mpcourse.grading.notebook import load_master
from mpcourse.grading.runner import run_notebook
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import Submission


@pytest.fixture(autouse=True)
def _sandbox_available():
    """These tests grade, and the grader refuses to run learner code without its sandbox."""
    require_bwrap()


class _Watcher(threading.Thread):
    """Notices whether a fixture's orphan processes ever existed (so the kill was really tested)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.seen = max(self.seen, len(orphans()))


def _loop_submission(tmp_path: Path):
    masters = write_masters(tmp_path / "masters")
    master = load_master(masters / "01_basics.ipynb")
    notebook = nbformat.read(masters / "01_basics.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.get("id") == "answer-one":
            cell.source = LOOP_ANSWER
    (tmp_path / "grace").mkdir()
    nbformat.write(notebook, tmp_path / "grace" / "01_basics.ipynb")
    return master, Submission("grace", tmp_path / "grace")


@pytest.mark.slow
def test_infinite_loop_is_stopped_with_every_process_it_started(tmp_path):
    """--timeout 5: stopped within a few seconds, its children (one in its own session) killed too.

    (On a loaded machine the children may not have started within 5 s; the next
    test waits for them, and the class test grades this answer with a longer timeout.)
    """
    master, submission = _loop_submission(tmp_path)
    started = time.monotonic()
    result = grade_notebook(master, submission, RunSettings(Limits(timeout=5)))
    elapsed = time.monotonic() - started
    assert result.status == "timeout"
    assert elapsed < 5 + 4
    assert orphans() == []
    assert [c.outcome for c in result.checks] == ["not run", "not run", "not run"]


@pytest.mark.slow
def test_stop_all_runs_kills_a_run_in_progress(tmp_path):
    """After Ctrl-C the batch calls stop_all_runs: a run in progress must end at once, leaving nothing.

    This test waits until the loop's two children (one in a session of its own) exist, so it also
    proves that running children are killed; the timeout path uses the same kill.
    """
    master, submission = _loop_submission(tmp_path)
    cancel = threading.Event()
    results: list = []
    watcher = _Watcher()
    watcher.start()
    settings = RunSettings(Limits(timeout=120))

    def grade() -> None:
        with cancelled_by(cancel):
            results.append(grade_notebook(master, submission, settings))

    worker = threading.Thread(target=grade)
    worker.start()
    deadline = time.monotonic() + 60
    while watcher.seen < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    cancel.set()
    stop_all_runs()
    worker.join(timeout=15)
    watcher.stop.set()
    watcher.join()
    assert watcher.seen == 2, "the loop's two child processes never started"
    assert not worker.is_alive()
    assert results[0].status == "error" and results[0].detail == "interrupted"
    assert orphans() == []


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["bwrap", "none"])
def test_limits_and_isolation_inside_the_kernel(monkeypatch, sandbox):
    """Does the kernel run under RLIMIT_AS, in its own folder, HOME and TMPDIR, with no teacher variable?"""
    probe = (
        "import os, resource, tempfile\n"
        "from pathlib import Path\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)\n"
        "print(Path.cwd().name, Path.home().name, Path(tempfile.gettempdir()).name)\n"
        "print(Path.cwd().parent == Path.home().parent == Path(tempfile.gettempdir()).parent)\n"
        "print(os.environ.get('PYTEST_ADDOPTS'), os.environ.get('MPCOURSE_TEST_SECRET'))"
    )
    cells = [
        executed(probe, "probe", 1, "1024\nwork home tmp\nTrue\nNone None\n"),
        executed("print(Path.cwd().parent)", "where", 2),
    ]
    monkeypatch.setenv("MPCOURSE_TEST_SECRET", "teacher-only")
    settings = RunSettings(Limits(timeout=60, memory_mb=1024), sandbox=sandbox)
    result = run_notebook(nbformat.v4.new_notebook(cells=cells), "probe.ipynb", settings)
    assert result.status == "ok", result.detail
    assert result.cells[0].passed, result.cells[0].output
    sandbox = Path(result.cells[1].output.strip())
    assert sandbox.name.startswith("mpgrade") and not sandbox.exists()


@pytest.mark.slow
def test_available_cpus_inside_a_run_is_the_runs_share():
    """A run of a --jobs 2 batch sees only its own CPUs, and mpcourse.available_cpus() says so."""
    import os

    expected = len(cpus_for(0, 2))
    probe = "import mpcourse, os\nprint(mpcourse.available_cpus(), len(os.sched_getaffinity(0)))"
    cells = [executed(probe, "probe", 1, f"{expected} {expected}\n")]
    result = run_notebook(nbformat.v4.new_notebook(cells=cells), "cpus.ipynb", RunSettings(jobs=2))
    assert result.status == "ok", result.detail
    assert result.cells[0].passed, (result.cells[0].output, expected, os.sched_getaffinity(0))
