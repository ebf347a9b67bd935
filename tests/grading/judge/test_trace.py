"""The judge's tracer (mpcourse/grading/judge/_trace.py): processes that really ran, counted from outside them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import mpcourse.grading.judge._trace as trace_module

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


def test_the_report_read_is_the_tracers_last_line():
    """Lines written into the report pipe before the tracer's own (its last) change nothing."""
    from mpcourse.grading.judge.run import _parse

    forged = {"trace": {"processes": 99, "threads": 0, "helpers": 0, "left": 0, "exit": 0}, "output": '{"result": 1}'}
    real = {"trace": {"processes": 0, "threads": 4, "helpers": 0, "left": 0, "exit": 0}, "output": '{"result": 2}'}
    data = "\n".join([json.dumps(forged), "not json", json.dumps(real), '{"sandbox": {"leftovers": 0}}']).encode()
    observed = _parse(data)
    assert (observed.processes, observed.threads, observed.result) == (0, 4, 2)
    assert _parse(b"").failure.startswith("the run ended without a report")


def _trace(tmp_path, source: str, job: dict, *args: str) -> dict:
    """Run ``source`` as a script under the tracer with ``job`` as its input; return the tracer's report."""
    script = tmp_path / "script.py"
    script.write_text(source)
    (tmp_path / "input").write_text(json.dumps(job))
    read, write = os.pipe()
    command = [sys.executable, trace_module.__file__, str(write), "100000", str(tmp_path / "input"), sys.executable]
    subprocess.run([*command, str(script), *args], pass_fds=(write,), timeout=60, check=False, cwd=tmp_path)
    os.close(write)
    with os.fdopen(read) as stream:
        return json.loads(stream.readline())


_BUSY_AND_IDLE = """\
import multiprocessing, sys, time
def busy():
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1])
    ps = [ctx.Process(target=busy), ctx.Process(target=time.sleep, args=(0.3,))]
    [p.start() for p in ps]
    [p.join() for p in ps]
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
def test_the_tracer_sees_which_processes_did_work(tmp_path, method):
    """Each counted process's CPU time is read from /proc as it exits: a busy child shows it, a sleeping one not."""
    tasks = _trace(tmp_path, _BUSY_AND_IDLE, {}, method)["trace"]["tasks"]
    cpu = sorted(task["cpu"] for task in tasks)
    assert cpu[-1] >= 0.25 and cpu[0] < 0.1, tasks


_JOINED_AND_NOT = """\
import multiprocessing, os, sys, time
if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1])
    joined, waited_out = ctx.Process(target=time.sleep, args=(0,)), ctx.Process(target=time.sleep, args=(0,))
    joined.start()
    joined.join()
    waited_out.start()
    time.sleep(1.0)  # it has ended; nobody collects it
    os._exit(0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
def test_the_tracer_sees_a_child_that_ended_and_was_never_joined(tmp_path, method):
    """A child the command joined is gone as it ends; one it waited out, never joined, is marked unjoined."""
    if method == "forkserver":
        pytest.skip("a forkserver's children are the forkserver's to collect")
    tasks = _trace(tmp_path, _JOINED_AND_NOT, {}, method)["trace"]["tasks"]
    assert [bool(task.get("unjoined")) for task in tasks] == [False, True], tasks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
def test_a_call_that_holds_the_gil_cannot_stretch_the_time_limit(tmp_path):
    """The tracer kills the run from outside when its time is up, whatever the learner's process is doing."""
    import time

    started = time.monotonic()
    report = _trace(tmp_path, "import re\nre.match(r'(a*)*b', 'a' * 64)\n", {"kill_after": 1.0})
    assert report["trace"]["timed_out"] and time.monotonic() - started < 20


_ATTACH = """\
import json, sys
from multiprocessing import shared_memory
job = json.loads(sys.stdin.read())
block = shared_memory.SharedMemory(name=job["args"]["block"])
block.buf[:4] = b"\\x07\\x00\\x00\\x00"
if job.get("unlink"):
    block.unlink()
block.close()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
@pytest.mark.parametrize("unlink", [False, True])
def test_the_tracer_reads_back_the_block_it_owns(tmp_path, unlink):
    """What the run wrote into the tracer's block, and whether it took the block's name, read after it ended."""
    block = _trace(tmp_path, _ATTACH, {"block": 8, "unlink": unlink})["owned"]["block"]
    assert block == {"there": not unlink, "hex": "0700000000000000"}


_ASK = """\
import json, multiprocessing, sys, threading
from mpcourse.grading.judge.owned import ask
job = json.loads(sys.stdin.read())
if __name__ == "__main__":
    if sys.argv[1] == "threads":
        answers = {}
        ts = [threading.Thread(target=lambda d=d: answers.update({d: ask(d)})) for d in (0.3, 0.2)]
        [t.start() for t in ts]
        [t.join() for t in ts]
    else:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            answers = dict(zip((0.3, 0.2), pool.map(ask, (0.3, 0.2))))
    print(json.dumps({"answers": answers, "job": job}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
@pytest.mark.parametrize("how, processes, from_main", [("threads", 0, 2), ("pool", 2, 0)])
def test_the_tracer_s_server_counts_overlap_and_callers(tmp_path, how, processes, from_main):
    """Requests in flight together, and the processes that sent them, as the kernel names them; tokens stay inside."""
    report = _trace(tmp_path, _ASK, {"server": {"0.300": "tok-a", "0.200": "tok-b"}}, how)
    server = report["owned"]["server"]
    assert server["overlap"] == 2 and server["processes"] == processes and server["from_main"] == from_main, server
    assert json.loads(report["output"]) == {"answers": {"0.3": "tok-a", "0.2": "tok-b"}, "job": {}}


_CLUSTER = """\
import json, multiprocessing, os, sys
from mpcourse.grading.judge._trace import CLUSTER_UP
from mpcourse.grading.judge.owned import ask_for
def through_a_grandchild():
    pid = os.fork()
    if pid == 0:
        ask_for("grandchild")
        os._exit(0)
    os.waitpid(pid, 0)
if __name__ == "__main__":
    job = json.loads(sys.stdin.readline())
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(1)
    pool.apply(os.getpid)  # the "cluster" is up before the marker
    sys.stdout.write(CLUSTER_UP.decode())
    sys.stdout.flush()
    answer = sys.stdin.readline()
    pool.apply(ask_for, ("pool",))
    pool.apply(through_a_grandchild)
    late = ctx.Process(target=ask_for, args=("late",))
    late.start()
    sys.stdout.write(CLUSTER_UP.decode())  # a second marker, after a process of "learner code": not heeded
    sys.stdout.flush()
    late.join()
    ask_for("main")
    pool.close()
    pool.join()
    print(json.dumps({"answer": answer}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ptrace is Linux's")
def test_the_cluster_is_the_processes_there_at_the_first_marker_and_their_descendants(tmp_path):
    """Who asked the server is told apart from outside: the cluster (and what it forked), the main process, others."""
    report = _trace(tmp_path, _CLUSTER, {"server": {}, "cluster": 1})
    asked = report["owned"]["server"]["asked"]
    assert asked == {
        "pool": {"main": 0, "cluster": 1, "other": 0},
        "grandchild": {"main": 0, "cluster": 1, "other": 0},
        "late": {"main": 0, "cluster": 0, "other": 1},
        "main": {"main": 1, "cluster": 0, "other": 0},
    }, report
    assert report["trace"]["cluster_processes"] == 2
    assert json.loads(report["output"].splitlines()[-1]) == {"answer": trace_module.CLUSTER_NOTED.decode()}
