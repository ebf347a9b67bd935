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
