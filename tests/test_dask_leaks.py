"""Does notebook 08's dask cluster leave no process behind, dask's own included?

The notebook's own cells (start the cluster, list its workers, close it) run as a
program in a fresh Python, as a kernel would run them, under every start method.
Every process the program starts carries a marker in its environment, so a worker
that outlived it is found by :func:`mpcourse.grading.proctree.marked` even once it has been
re-parented away from the program.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from mpcourse.grading import proctree

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_beyond_one_machine.ipynb"
MARK = "MPCOURSE_DASK_LEAK_TEST"
GRACE = 20.0  # seconds a worker may take to notice that its cluster has gone
TIMEOUT = 120

PRELUDE = """\
import json, logging, os, sys, time
import dask, psutil
from dask.distributed import Client, LocalCluster
import mpcourse
from mpcourse.backend.timing import stopwatch
"""


PRINT_PIDS = 'print("PIDS", json.dumps(list(worker_pids.values())), flush=True)'


def worker_pids(lines: list[str]) -> list[int]:
    """The pids the program printed after ``PIDS``."""
    return next((json.loads(line.removeprefix("PIDS ")) for line in lines if line.startswith("PIDS ")), [])


def cell(cell_id: str) -> str:
    """The source of notebook 08's cell ``cell_id``."""
    for found in nbformat.read(NOTEBOOK, as_version=4).cells:
        if found.get("id") == cell_id:
            return found.source
    raise LookupError(f"{NOTEBOOK.name} has no cell {cell_id!r}")


def start(program: str, method: str, marker: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update({MARK: marker, "MPCOURSE_START_METHOD": method})
    return subprocess.Popen(
        [sys.executable, "-c", program],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def survivors(marker: str, since: float) -> list:
    """Processes still running with ``marker`` in their environment, after up to GRACE seconds."""
    deadline = time.monotonic() + GRACE
    while (left := proctree.alive(proctree.marked(MARK, marker, since))) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def assert_none_left(marker: str, since: float) -> None:
    left = survivors(marker, since)
    report = [proctree.describe(proc) for proc in left]
    proctree.kill(left)
    assert not left, "dask left processes behind:\n" + "\n".join(report)


@pytest.mark.slow
def test_the_notebook_s_cluster_closes_without_leaving_a_process(method):
    since, marker = time.time() - 1, uuid.uuid4().hex
    steps = [cell("start-cluster"), cell("cluster-processes"), PRINT_PIDS, cell("close-cluster")]
    program = "\n".join([PRELUDE, *steps])
    proc = start(program, method, marker)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proctree.kill(proctree.alive(proctree.descendants(proc.pid)))
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[-1] == "dask worker processes still running: 0", out + err
    assert len(worker_pids(lines)) == 2  # the notebook's two workers really ran
    assert err == "", f"the cluster wrote to stderr (nbval compares it):\n{err}"
    assert_none_left(marker, since)


def run_until_killed(program: str, method: str, marker: str) -> None:
    """Run ``program`` until it has printed its workers' pids, then SIGKILL it, as when a kernel dies."""
    proc = start(program, method, marker)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]  # the cell's two lines, then PIDS
        assert len(worker_pids(lines)) == 2, lines
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.mark.slow
def test_a_killed_kernel_leaves_no_dask_worker_behind(method):
    """Nothing closes the cluster, yet its (spawned) workers exit on their own."""
    since, marker = time.time() - 1, uuid.uuid4().hex
    program = "\n".join([PRELUDE, cell("start-cluster"), cell("cluster-processes"), PRINT_PIDS, "time.sleep(600)"])
    run_until_killed(program, method, marker)
    assert_none_left(marker, since)
