"""mpcourse.grading.judge.owned: the block and the server the tracer owns report what was done to them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from multiprocessing import shared_memory

import pytest

from mpcourse.grading.judge import owned

pytestmark = pytest.mark.skipif(not os.path.isdir("/dev/shm") or sys.platform != "linux", reason="Linux only")


def test_a_block_reads_back_what_another_handle_wrote_and_removes_its_name():
    block = owned.Block(8)
    learner = shared_memory.SharedMemory(name=block.name, track=False) if sys.version_info >= (3, 13) else None
    if learner is None:
        with open(block.path, "r+b") as handle:
            handle.write(b"\x01\x02")
    else:
        learner.buf[:2] = b"\x01\x02"
        learner.close()
    block.note()
    assert block.read_back() == {"there": True, "hex": "0102" + "00" * 6}
    assert not os.path.exists(block.path)


def test_a_block_the_learner_unlinked_reads_back_as_not_there():
    block = owned.Block(4)
    os.unlink(block.path)
    block.note()
    assert block.read_back()["there"] is False


def test_the_server_answers_each_delay_its_token_and_counts_overlap_and_callers(monkeypatch):
    job: dict = {"server": {"0.300": "token-a", "0.010": "token-b"}}
    resources = owned.take(job)
    assert "server" not in job, "the tokens stay with the tracer"
    monkeypatch.setenv(owned.ADDRESS_ENV, os.environ[owned.ADDRESS_ENV])
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(owned.ask(0.3))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    child = subprocess.run(
        [sys.executable, "-c", "from mpcourse.grading.judge.owned import ask; print(ask(0.01))"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert answers == ["token-a", "token-a"] and child.stdout.strip() == "token-b"
    report = resources["server"].read_back(main=os.getpid())
    assert report == {"requests": 3, "overlap": 2, "from_main": 2, "processes": 1}


def test_the_server_answers_a_key_its_token_at_once_and_notes_who_asked(monkeypatch):
    """A named request gets its key's token (or "unknown"), and each asker is placed: main, cluster or other."""
    resources = owned.take({"server": {"?row:0": "1,200,7"}})
    monkeypatch.setenv(owned.ADDRESS_ENV, os.environ[owned.ADDRESS_ENV])
    assert owned.ask_for("row:0") == "1,200,7" and owned.ask_for("row:9") == "unknown"
    child = subprocess.run(
        [sys.executable, "-c", "from mpcourse.grading.judge.owned import ask_for; print(ask_for('row:0'))"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert child.stdout.strip() == "1,200,7"
    asked = resources["server"].read_back(main=os.getpid(), cluster=frozenset({-1}))["asked"]
    assert asked == {"row:0": {"main": 1, "cluster": 0, "other": 1}, "row:9": {"main": 1, "cluster": 0, "other": 0}}


_LEND = """\
import os, socket, sys
from multiprocessing.reduction import sendfds

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.connect(os.environ["MPCOURSE_JUDGE_SERVER"].replace("@", "\\0", 1))
server.sendall(b"?row:")  # half a request: the rest comes from the process it is handed to
back = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
back.connect(sys.argv[1].replace("@", "\\0", 1))
lent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
lent.connect(os.environ["MPCOURSE_JUDGE_SERVER"].replace("@", "\\0", 1))
sendfds(back, [lent.fileno(), server.fileno()])
back.recv(1)
"""


def test_a_connection_handed_to_another_process_names_the_process_that_wrote_the_request(monkeypatch):
    """A socket another process connected (SCM_RIGHTS) counts as the writer's; a request two processes wrote is not
    counted, nor answered."""
    import socket
    from multiprocessing.reduction import recvfds

    resources = owned.take({"server": {"?row:0": "1,200,7"}})
    monkeypatch.setenv(owned.ADDRESS_ENV, os.environ[owned.ADDRESS_ENV])
    where = f"\0mpcourse-test-lend-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(where)
        listener.listen(1)
        lender = subprocess.Popen([sys.executable, "-c", _LEND, where.replace("\0", "@", 1)])
        connection, _ = listener.accept()
        lent, half = (socket.socket(fileno=fd) for fd in recvfds(connection, 2))
        lent.sendall(b"?row:0\n")
        assert lent.makefile().readline().strip() == "1,200,7"
        half.sendall(b"0\n")
        assert half.makefile().readline() == ""
        connection.sendall(b"x")
        connection.close()
        lent.close()
        half.close()
        assert lender.wait(timeout=60) == 0
    asked = resources["server"].read_back(main=os.getpid(), cluster=frozenset({lender.pid}))["asked"]
    assert asked == {"row:0": {"main": 1, "cluster": 0, "other": 0}}
