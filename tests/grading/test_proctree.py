"""Tests for mpcourse/grading/proctree.py: finding processes by a marker value, and killing whole trees."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import psutil

from mpcourse.grading import proctree

_SLEEPER = (
    "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], "
    "start_new_session=True); time.sleep(60)"
)


def _start(marker: str) -> subprocess.Popen[bytes]:
    """A process with a grandchild in a session of its own, both carrying ``MARK=marker``."""
    return subprocess.Popen([sys.executable, "-c", _SLEEPER], env={**os.environ, "MPCOURSE_TEST_MARK": marker})


def _wait_for(marker: str, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = proctree.marked("MPCOURSE_TEST_MARK", marker)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    return proctree.marked("MPCOURSE_TEST_MARK", marker)


def test_marked_matches_the_value_not_the_name_and_kill_marked_kills_the_orphan_too():
    """Two runs carry the same variable name: killing one run's marker leaves the other alone."""
    mine, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    first, second = _start(mine), _start(theirs)
    try:
        assert len(_wait_for(mine, 2)) == 2 and len(_wait_for(theirs, 2)) == 2
        assert proctree.kill_marked("MPCOURSE_TEST_MARK", mine, root=first.pid) == 1  # the grandchild
        first.wait(5)
        assert proctree.alive(proctree.marked("MPCOURSE_TEST_MARK", mine)) == []
        assert len(proctree.alive(proctree.marked("MPCOURSE_TEST_MARK", theirs))) == 2
    finally:
        proctree.kill_marked("MPCOURSE_TEST_MARK", mine, root=first.pid)
        proctree.kill_marked("MPCOURSE_TEST_MARK", theirs, root=second.pid)
        first.wait(5)
        second.wait(5)
    assert proctree.marked("MPCOURSE_TEST_MARK", theirs) == []


def test_descendants_and_leftover_children():
    child = _start(uuid.uuid4().hex)
    try:
        me = psutil.Process()
        deadline = time.monotonic() + 20
        while len(proctree.descendants(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proctree.descendants(child.pid)[0].pid == child.pid
        left = proctree.leftover_children(me, grace=0.1)
        assert child.pid in [p.pid for p in left]
        assert proctree.describe(left[0]).startswith(f"pid {left[0].pid}: ")
    finally:
        proctree.kill(proctree.descendants(child.pid))
        child.wait(5)
    assert proctree.descendants(child.pid) == []


# A session leader that starts a sleeper in its own session and group, prints its pid, and exits.
_ORPHANER = (
    "import subprocess, sys; "
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); print(p.pid, flush=True)"
)


def test_in_session_finds_the_orphan_and_kill_tree_kills_the_group_of_a_leader_that_exited():
    """What a script run with start_new_session leaves behind is found by session, killed by group."""
    leader = subprocess.Popen([sys.executable, "-c", _ORPHANER], stdout=subprocess.PIPE, start_new_session=True)
    orphan = int(leader.stdout.readline())
    leader.wait(20)
    try:
        assert [p.pid for p in proctree.in_session(leader.pid)] == [orphan]
        assert proctree.descendants(leader.pid) == []  # the leader is gone: ancestry alone misses the orphan
        proctree.kill_tree(leader.pid)
        assert proctree.in_session(leader.pid) == []
    finally:
        proctree.kill(proctree.in_session(leader.pid))
        leader.stdout.close()


def test_command_contains_and_multiprocessing_services():
    """A child is found by its command line; one whose command names multiprocessing's tracker is a service."""
    tag = "marker-" + uuid.uuid4().hex
    plain = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", tag])
    service = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "multiprocessing.resource_tracker"]
    )
    try:
        children = psutil.Process().children()
        assert [p.pid for p in proctree.command_contains(children, tag)] == [plain.pid]
        assert not proctree.is_multiprocessing_service(psutil.Process(plain.pid))
        assert proctree.is_multiprocessing_service(psutil.Process(service.pid))
    finally:
        for child in (plain, service):
            child.kill()
            child.wait(10)
