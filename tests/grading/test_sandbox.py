"""The sandbox holds: one hostile submission per thing issue 10 found a graded cell could do, in one batch.

The whole class is graded once, by ``python -m mpcourse grade --sandbox bwrap``
in a child process (so an attack on the grader hits a real one), with small
limits: ``--memory-mb 768 --processes 64 --disk-mb 64``.  Each test below then
shows that one attack changed nothing.  Without bubblewrap these tests are
skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
from grading_fixtures import folder_digest as digest
from grading_fixtures import make_quick_class, require_bwrap, write_masters
from grading_fixtures.hostile import HOSTILE, Targets, make_hostile_class

import mpcourse
from mpcourse.cli import main
from mpcourse.grading import proctree, runfolders, runplaces
from mpcourse.grading.gradebook import read_gradebook

MEMORY_MB, PROCESSES, DISK_MB = 768, 64, 64


class Listener(threading.Thread):
    """Counts connections to a TCP port on 127.0.0.1 and to an abstract unix socket, until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.name = f"mpcourse-test-{uuid.uuid4().hex}"
        self.unix.bind("\0" + self.name)
        self.unix.listen()
        self.port = self.tcp.getsockname()[1]
        self.accepted = 0
        self.done = threading.Event()

    def run(self) -> None:
        for server in (self.tcp, self.unix):
            server.settimeout(0.2)
        while not self.done.is_set():
            for server in (self.tcp, self.unix):
                with contextlib.suppress(OSError):
                    server.accept()[0].close()
                    self.accepted += 1

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.tcp.close()
        self.unix.close()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """Grade the hostile class once; keep what the tests look at."""
    require_bwrap()
    root = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    targets = Targets(
        masters=write_masters(root / "masters"),
        submissions=root / "submissions",
        gradebook=root / "gradebook.csv",
        feedback=root / "feedback",
        outside=root / "outside",
        port=listener.port,
        abstract_socket=listener.name,
        secret=f"teacher-secret-{uuid.uuid4().hex}",
        token=f"mpcourse-hostile-{uuid.uuid4().hex}",
    )
    targets.outside.mkdir()
    targets.outside.chmod(0o777)
    names = make_hostile_class(targets)
    package = Path(mpcourse.__file__).parent
    before = {"package": digest(package), "masters": digest(targets.masters), "subs": digest(targets.submissions)}
    limits = ["--memory-mb", str(MEMORY_MB), "--processes", str(PROCESSES), "--disk-mb", str(DISK_MB)]
    command = [sys.executable, "-m", "mpcourse", "grade", str(targets.submissions), "--master", str(targets.masters),
               "--out", str(targets.gradebook), "--jobs", "2", "--timeout", "60", *limits, "--sandbox", "bwrap",
               "--no-progress"]  # fmt: skip
    listener.start()
    try:
        done = subprocess.run(command, cwd=root, env={**os.environ, "MPCOURSE_TEST_SECRET": targets.secret},
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        time.sleep(5)  # the lingering process would strike 4 s after its run
    finally:
        listener.stop()
    feedback = {path.stem: path.read_text(encoding="utf-8") for path in targets.feedback.glob("*.md")}
    return {
        "targets": targets,
        "names": names,
        "done": done,
        "rows": read_gradebook(targets.gradebook) if targets.gradebook.exists() else {},
        "feedback": feedback,
        "before": before,
        "after": {"package": digest(package), "masters": digest(targets.masters), "subs": digest(targets.submissions)},
        "accepted": listener.accepted,
        "package": package,
    }


def _hint(attacked, name: str) -> str:
    """The report the attack put in its answer, from the hint ``you gave '...'`` in its feedback."""
    text = attacked["feedback"][name]
    start = text.index("you gave '") + len("you gave '")
    return text[start : text.index("'", start)]


@pytest.mark.slow
def test_the_grader_survives_and_grades_everyone(attacked):
    """Exit 0, every student in the gradebook; each attack ran (its report is in its feedback)."""
    done = attacked["done"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(attacked["rows"]) == attacked["names"]
    for name, (_, shown) in HOSTILE.items():
        assert shown in attacked["feedback"][name], attacked["feedback"][name]
        assert attacked["rows"][name]["01_basics"] == "0", (name, attacked["rows"][name])
    assert attacked["rows"]["alice"]["01_basics"] == "4"


@pytest.mark.slow
def test_package_masters_and_submissions_cannot_be_rewritten(attacked):
    """tamper-tess writes over the check module, the package, the masters: nothing changes, victor still fails."""
    assert _hint(attacked, "tamper-tess") == "wrote:"
    for what in ("package", "masters", "subs"):
        assert attacked["after"][what] == attacked["before"][what], what
    assert not (attacked["package"].parent / "notebooks" / "01_planted.ipynb").exists()
    assert attacked["rows"]["victor"]["01_basics"] == "0"
    assert "NOT YET: the answer is 42. Hint: multiply six by seven (you gave 41)" in attacked["feedback"]["victor"]


@pytest.mark.slow
def test_nothing_of_the_teacher_is_visible(attacked):
    """snoop-sam sees no submission, master, gradebook, feedback, repository, secret variable; writes no feedback."""
    assert _hint(attacked, "snoop-sam") == "seen:"
    secret = attacked["targets"].secret
    assert all(secret not in text for text in attacked["feedback"].values())
    assert secret not in attacked["targets"].gradebook.read_text(encoding="utf-8")
    assert "you cheated" not in attacked["feedback"]["alice"]


@pytest.mark.slow
def test_no_process_outlives_its_run(attacked):
    """linger-linda's grandchild (own session, empty environment) is gone and never wrote anything."""
    token = attacked["targets"].token
    assert proctree.command_contains(psutil.process_iter(), token) == []
    assert "linda" not in attacked["rows"]["linger-linda"].get("details", "")
    assert not (attacked["targets"].outside / "lingered.txt").exists()
    assert read_gradebook(attacked["targets"].gradebook)["linger-linda"]["status"] == "missing"


@pytest.mark.slow
def test_the_grader_cannot_be_signalled(attacked):
    """kill-kim finds no grader to SIGTERM: it sees only its own run's processes."""
    assert _hint(attacked, "kill-kim") == "signalled:0"
    assert attacked["done"].returncode == 0


@pytest.mark.slow
def test_disk_writes_are_capped_and_stay_inside(attacked):
    """disk-dora tries to write 5 GiB, outside its run first: nothing outside, at most --disk-mb inside."""
    megabytes = int(_hint(attacked, "disk-dora").removeprefix("MB:"))
    assert 0 < megabytes <= DISK_MB
    assert list(attacked["targets"].outside.iterdir()) == []


@pytest.mark.slow
def test_memory_is_capped(attacked):
    """memory-max: no process gets 1 GiB (--memory-mb 768); as root the 768 MB hold for the whole run."""
    report = dict(part.split(":") for part in _hint(attacked, "memory-max").split())
    assert report["big"] == "0"
    if os.geteuid() == 0:  # a memory cgroup for the run: eight children of 256 MiB cannot all be held
        assert int(report["held"]) * 256 < MEMORY_MB
    else:  # per-process limit only (README: as a normal user memory is limited per process)
        assert int(report["held"]) <= 8


@pytest.mark.slow
def test_processes_are_capped(attacked):
    """fork-fred tries to start 2000 processes: fewer than --processes 64 start."""
    started = int(_hint(attacked, "fork-fred").removeprefix("forked:"))
    assert 0 < started < PROCESSES


@pytest.mark.slow
def test_no_network(attacked):
    """net-nina reaches neither a TCP listener on 127.0.0.1 nor an abstract unix socket of the machine."""
    assert _hint(attacked, "net-nina") == "reached:"
    assert attacked["accepted"] == 0


@pytest.mark.slow
def test_results_cannot_be_forged(attacked):
    """forge-felix writes fake 'passed' records into every pipe it can open: the check still fails."""
    assert attacked["rows"]["forge-felix"]["01_basics"] == "0"
    assert "NOT YET: the answer is 42" in attacked["feedback"]["forge-felix"]


@pytest.mark.slow
def test_entries_that_are_not_submissions(attacked):
    """A FIFO or a link to /dev/zero named like a notebook, a formula name, hidden and loose entries."""
    rows, out = attacked["rows"], attacked["done"].stdout
    assert "not a regular file (a FIFO, socket or device)" in rows["fifo-fiona"]["details"]
    assert "is a symbolic link" in rows["zero-zed"]["details"]
    if "dev-devon" in rows:
        assert "not a regular file (a FIFO, socket or device)" in rows["dev-devon"]["details"]
    assert "\n'=2+5," in attacked["targets"].gradebook.read_text(encoding="utf-8")  # not a live formula
    assert rows["=2+5"]["status"] == "missing"
    for entry in (".hidden-harry", "notes.txt", "pipe.zip"):
        assert f"  {entry}: " in out, out


def test_run_folders_of_a_killed_grader_are_removed(tmp_path):
    """A run folder whose grader is gone is removed at the next start; a live grader's is kept."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, live = tmp_path / "mpgrade-stale", tmp_path / "mpgrade-live"
    for folder, pid in ((stale, dead.pid), (live, os.getpid())):
        (folder / "work").mkdir(parents=True)
        (folder / ".owner").write_text(f"{pid} {runplaces.start_time(pid)}")
    assert runfolders.clean_stale_runs(tmp_path) == 1
    assert not stale.exists() and live.exists()


def test_auto_refuses_without_bubblewrap(tmp_path):
    """No bwrap on PATH: grading stops (exit 1) and says how to install it or to pass --sandbox none."""
    masters = write_masters(tmp_path / "masters")
    subs = make_quick_class(masters, tmp_path / "subs")
    command = [sys.executable, "-m", "mpcourse", "grade", str(subs), "--master", str(masters),
               "--out", str(tmp_path / "g.csv"), "--no-progress"]  # fmt: skip
    done = subprocess.run(command, env={**os.environ, "PATH": str(tmp_path)}, capture_output=True, text=True)
    assert done.returncode == 1
    assert "bubblewrap (bwrap) is not installed" in done.stderr
    assert "apt-get install bubblewrap" in done.stderr and "--sandbox none" in done.stderr
    assert not (tmp_path / "g.csv").exists()


def test_sandbox_none_says_so_everywhere(tmp_path):
    """--sandbox none: the summary and every feedback file say that grading ran without a sandbox."""
    masters = write_masters(tmp_path / "masters")
    subs = make_quick_class(masters, tmp_path / "subs")
    args = ["grade", str(subs), "--master", str(masters), "--out", str(tmp_path / "g.csv"), "--no-progress",
            "--sandbox", "none"]  # fmt: skip
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(args) == 0
    assert "WARNING: Graded without a sandbox (--sandbox none)" in stdout.getvalue()
    feedback = list((tmp_path / "feedback").glob("*.md"))
    assert len(feedback) == 4
    assert all("Graded without a sandbox" in path.read_text(encoding="utf-8") for path in feedback)
