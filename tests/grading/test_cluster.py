"""Grading on a dask cluster: the local grader's gradebook, workers checked first, faults that lose nothing.

Every test starts its own cluster (a ``LocalCluster`` of worker processes, or a
``dask scheduler`` / ``dask worker`` started as programs) and closes it; every
process it starts carries a marker in its environment, and none may outlive the test.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dask
import nbformat
import pytest
from grading_fixtures import (
    CLASS_TIMEOUT,
    EXPECTED_GRADEBOOK,
    make_class,
    require_bwrap,
    solved,
    stable_columns,
    write_masters,
)

from mpcourse.cli import main
from mpcourse.grading import cgroups, cluster, proctree
from mpcourse.grading.batch import grade_class
from mpcourse.grading.bwrap import PYTHON
from mpcourse.grading.cluster import ClusterExecutor, ClusterLost, WorkersRefused, cluster_client
from mpcourse.grading.cluster_worker import Expected, this_version, worker_problems
from mpcourse.grading.grade import unscored
from mpcourse.grading.limits import Limits, run_uid
from mpcourse.grading.notebook import load_master
from mpcourse.grading.preflight import preflight_problem
from mpcourse.grading.release import student_copy
from mpcourse.grading.results import Status
from mpcourse.grading.sandbox import Sandbox
from mpcourse.grading.settings import RunSettings
from mpcourse.grading.submissions import Submission, discover

pytestmark = pytest.mark.slow

MARK = "MPCOURSE_CLUSTER_TEST"
GRACE = 30.0  # seconds a dask process may take to exit once its cluster is closed
#: The students of the small class: kernels run for alice, bob, erin and frank; the others are scored without one.
CLASS = ("alice", "bob", "carol", "dave", "erin", "frank", "mallory")
SETTINGS = RunSettings(limits=Limits(timeout=CLASS_TIMEOUT))


@pytest.fixture(autouse=True)
def _no_process_left(monkeypatch):
    """Grading needs the sandbox; and no process a test starts (dask's included) may outlive it."""
    require_bwrap()
    since, marker = time.time() - 1, uuid.uuid4().hex
    monkeypatch.setenv(MARK, marker)
    yield
    deadline = time.monotonic() + GRACE
    while (left := _started(marker, since)) and time.monotonic() < deadline:
        time.sleep(0.2)
    report = [proctree.describe(proc) for proc in left]
    proctree.kill(left)
    assert not left, "the cluster left processes behind:\n" + "\n".join(report)


def _started(marker: str, since: float) -> list:
    """The processes still running that the test started, but this process's own multiprocessing resource
    tracker (started by the first LocalCluster, it lives as long as pytest)."""
    found = proctree.alive(proctree.marked(MARK, marker, since))
    return [p for p in found if not (proctree.is_multiprocessing_service(p) and p.ppid() == os.getpid())]


def small_class(root: Path) -> tuple[Path, Path]:
    """The masters and :data:`CLASS`'s submissions (from the fixture class) under ``root``."""
    masters = write_masters(root / "masters")
    submissions = make_class(masters, root / "all")
    chosen = root / "submissions"
    chosen.mkdir()
    for entry in submissions.iterdir():
        if entry.name.removesuffix(".zip") in CLASS:
            entry.rename(chosen / entry.name)
    shutil.rmtree(submissions)
    return masters, chosen


def expected_rows(names: tuple[str, ...]) -> str:
    """The lines of the fixture class's gradebook for ``names`` (with the header)."""
    lines = EXPECTED_GRADEBOOK.splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if line.split(",", 1)[0] in names)


def grade_cli(submissions: Path, masters: Path, out: Path, *where: str) -> int:
    args = ["grade", str(submissions), "--master", str(masters), "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        return main([*args, "--timeout", str(CLASS_TIMEOUT), "--no-progress", *where])


def test_a_local_cluster_grades_a_class_into_the_local_grader_s_gradebook(tmp_path):
    masters, submissions = small_class(tmp_path)
    assert grade_cli(submissions, masters, tmp_path / "local" / "gradebook.csv", "--jobs", "2") == 0
    assert grade_cli(submissions, masters, tmp_path / "cluster" / "gradebook.csv", "--local-cluster", "3") == 0
    local, cluster = (stable_columns(tmp_path / where / "gradebook.csv") for where in ("local", "cluster"))
    assert cluster == local == expected_rows(CLASS)  # byte for byte, but when each was graded
    local, cluster = ({p.name: p.read_bytes() for p in (tmp_path / where / "feedback").glob("*.md")}
                      for where in ("local", "cluster"))  # fmt: skip
    assert sorted(cluster) == [f"{name}.md" for name in CLASS]
    assert cluster == local


def test_an_unreachable_scheduler_is_named_and_grading_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    masters = write_masters(tmp_path / "masters")
    (tmp_path / "submissions" / "ann").mkdir(parents=True)
    code = main(["grade", str(tmp_path / "submissions"), "--master", str(masters), "--out", str(tmp_path / "g.csv"),
                 "--scheduler", "tcp://127.0.0.1:9", "--no-progress"])  # fmt: skip
    assert code == 1
    assert "cannot reach the dask scheduler tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


def test_grade_help_explains_the_cluster_options():
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit):
        main(["grade", "--help"])
    assert "--scheduler ADDRESS" in stdout.getvalue() and "--local-cluster N" in stdout.getvalue()
    assert "--scheduler tcp://" in stdout.getvalue()


def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def test_a_worker_killed_mid_batch_costs_no_row_and_writes_none_twice(tmp_path):
    masters_folder, submissions = small_class(tmp_path)
    masters = [load_master(path) for path in sorted(masters_folder.glob("*.ipynb"))]
    killed: list[int] = []
    recorded: list[str] = []

    with cluster_client(local_workers=2) as client:
        executor = ClusterExecutor.start(client, masters, SETTINGS)

        def kill_a_busy_worker(student) -> None:
            recorded.append(student.name)
            if killed:
                return
            busy = [address for address, keys in client.processing().items() if keys]
            if busy:
                pid = _worker_pids(client)[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        result = grade_class(
            masters, discover(submissions), tmp_path / "gradebook.csv", tmp_path / "feedback",
            settings=SETTINGS, progress=False, executor=executor, on_student=kill_a_busy_worker,
        )  # fmt: skip
    assert killed, "no worker was busy when the first student was recorded"
    assert sorted(recorded) == sorted(set(recorded)) == list(CLASS)
    assert [student.name for student in result.graded] == recorded
    assert stable_columns(tmp_path / "gradebook.csv") == expected_rows(CLASS)


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", *args], env=env or dict(os.environ),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_preflight_refuses_a_worker_without_bubblewrap_by_name(tmp_path):
    masters = [load_master(path) for path in sorted(write_masters(tmp_path).glob("*.ipynb"))]
    no_bwrap = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    assert shutil.which("bwrap", path=no_bwrap["PATH"]) is None
    with cluster_client(local_workers=1) as client:
        good = set(client.scheduler_info()["workers"])
        worker = _start(["distributed.cli.dask_worker", client.scheduler.address, "--nthreads", "1"], no_bwrap)
        try:
            client.wait_for_workers(2, timeout=120)
            bad = set(client.scheduler_info()["workers"]) - good
            with pytest.raises(WorkersRefused) as refused:
                ClusterExecutor.start(client, masters, SETTINGS)
        finally:
            _stop(worker)
    message = str(refused.value)
    (address,) = bad
    assert f"worker {address} cannot grade: bubblewrap (bwrap) is not installed" in message
    assert not any(address in message for address in good)
    assert "install bubblewrap" in message


def test_a_worker_with_other_code_python_or_files_than_the_client_says_which():
    version, code, python = this_version()
    expected = Expected(version, "0" * 64, "2.7.18", ("ab" * 32,), "cd" * 32)
    problems = worker_problems(expected, SETTINGS)
    assert problems[0] == f"mpcourse {version} with other code than the client's: install the client's mpcourse"
    assert problems[1] == f"Python {python}, not 2.7.18: use the same Python environment as the client"
    assert problems[2] == "2 course file(s) not received (sha256 abababababab, cdcdcdcdcdcd)"
    assert "not 9.9" in worker_problems(Expected("9.9", code, python, (), "cd" * 32), SETTINGS)[0]


def keeps_killing_its_worker(master, submission, settings, preflight, cancel):
    """A grading function that kills the worker grading ``mallet`` (what a grader crash would do)."""
    if submission.name == "mallet":
        os._exit(1)
    return unscored(master, Status.OK, f"graded on a worker as {submission.name}")


def test_a_notebook_that_keeps_killing_workers_ends_as_an_error_grade_after_bounded_tries(tmp_path):
    basics = load_master(write_masters(tmp_path / "masters") / "01_basics.ipynb")
    students = [Submission(name, tmp_path / name) for name in ("mallet", "nina")]
    for student in students:
        student.path.mkdir()
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), cluster_client(local_workers=2) as client:
        executor = ClusterExecutor.start(client, [basics], SETTINGS)
        # one after the other: a task queued on a worker that dies counts that death too
        nina, mallet = (
            executor.submit(keeps_killing_its_worker, basics, student, SETTINGS, None, None).result(timeout=240)
            for student in reversed(students)
        )
        executor.shutdown()
    assert mallet.status == Status.ERROR
    assert "stopped 2 dask workers" in mallet.detail
    assert all(check.earned == 0 for check in mallet.checks)
    assert (nina.status, nina.detail) == (Status.OK, "graded on a worker as nina")


def test_a_lost_scheduler_stops_the_batch_and_a_rerun_resumes(tmp_path):
    masters_folder = write_masters(tmp_path / "masters")
    masters = [load_master(path) for path in sorted(masters_folder.glob("*.ipynb"))]
    basics = student_copy(masters[0])
    submissions = tmp_path / "submissions"
    for name in ("carol", "dave"):
        (submissions / name).mkdir(parents=True)
        nbformat.write(basics, submissions / name / "01_basics.ipynb")
    (submissions / "zed").mkdir()
    slow = solved(basics, {"answer-one": "import time\ntime.sleep(8)\nanswer = 42"})
    nbformat.write(slow, submissions / "zed" / "01_basics.ipynb")
    patient = RunSettings(limits=Limits(timeout=90))
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = _start(["distributed.cli.dask_scheduler", "--port", "0", "--scheduler-file", str(scheduler_file),
                        "--no-dashboard"])  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = _start(["distributed.cli.dask_worker", address, "--nthreads", "1"])

        def kill_scheduler(student) -> None:
            if student.name == "carol":
                os.kill(scheduler.pid, signal.SIGKILL)

        started = time.monotonic()
        with pytest.raises(ClusterLost), cluster_client(address) as client:
            client.wait_for_workers(1, timeout=120)
            grade_class(
                masters, discover(submissions), tmp_path / "gradebook.csv", tmp_path / "feedback",
                settings=patient, progress=False, on_student=kill_scheduler,
                executor=ClusterExecutor.start(client, masters, patient),
            )  # fmt: skip
        assert time.monotonic() - started < 120
    finally:
        for process in (worker, scheduler):
            if process is not None:
                _stop(process)
    first = (tmp_path / "gradebook.csv").read_text(encoding="utf-8")
    assert "carol," in first and "zed," not in first
    with cluster_client(local_workers=1) as client:
        result = grade_class(
            masters, discover(submissions), tmp_path / "gradebook.csv", tmp_path / "feedback",
            settings=patient, progress=False, executor=ClusterExecutor.start(client, masters, patient),
        )  # fmt: skip
    assert "carol" in result.skipped
    assert "zed" in [student.name for student in result.graded]
    rows = (tmp_path / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",", 1)[0] for row in rows[1:]] == ["carol", "dave", "zed"]
    assert rows[-1].startswith("zed,2,")


def test_worker_processes_on_one_host_never_give_two_runs_the_same_uid():
    """As root each run gets a uid of its own grader's: two workers on one host are two graders."""
    with cluster_client(local_workers=2) as client:
        uids = list(client.run(run_uid, 0).values())
    assert len(set(uids)) == 2


def test_a_grader_starting_never_removes_the_new_run_group_of_another():
    """Workers start together, each cleaning up after killed graders: a group made for a run about to join it
    (still empty) is not stale."""
    group = cgroups.create(256, 16, None)
    if group is None:
        pytest.skip("whole-run limits (cgroup v1) need root and the memory, pids and cpuset controllers")
    try:
        cgroups.clean_stale()
        assert all(directory.is_dir() for directory in group.directories.values())
    finally:
        group.remove()


PORT = 47_113


def test_many_sandboxed_runs_at_once_each_have_their_own_network():
    """Every run binds the same port at the same time: only separate network namespaces allow it."""
    program = (
        "import socket, time\n"
        f"s = socket.socket(); s.bind(('127.0.0.1', {PORT})); s.listen()\n"
        "print('bound', flush=True); time.sleep(4)\n"
    )
    with contextlib.ExitStack() as stack:
        boxes = [stack.enter_context(Sandbox("bwrap", Limits(timeout=60))) for _ in range(12)]
        runs = [box.popen([PYTHON, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for box in boxes]
        time.sleep(1.5)
        early = [run.communicate()[1].decode() for run in runs if run.poll() is not None]
        assert not early, "a run ended before the others had bound the port:\n" + "\n".join(early)
        outputs = [run.communicate(timeout=60)[0].decode() for run in runs]
    assert outputs == ["bound\n"] * len(runs)


def test_many_kernels_at_once_on_one_host_never_collide():
    """Six graded notebook runs (a kernel each, ports chosen by Jupyter) started together all pass."""
    problems: list[str | None] = []
    lock = threading.Lock()

    def one() -> None:
        problem = preflight_problem(RunSettings(limits=Limits(timeout=200), jobs=6))
        with lock:
            problems.append(problem)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == [None] * 6
