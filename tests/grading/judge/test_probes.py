"""mpcourse.grading.judge.probes: a probe returns only plain, capped data from the learner's namespace."""

from __future__ import annotations

import json

from mpcourse.grading.judge import probes


def test_plain_keeps_modest_json_and_shortens_everything_else_to_a_repr():
    assert probes.plain([1, "two", {"three": 3.0}]) == [1, "two", {"three": 3.0}]
    huge = list(range(100_000))
    assert isinstance(probes.plain(huge), str) and len(probes.plain(huge)) <= 200
    assert probes.plain(object()).startswith("<object object at")


def test_plain_cannot_be_made_to_recurse_by_a_self_containing_value():
    loop: list = []
    loop.append(loop)
    assert probes.plain(loop) == "[[...]]"


def test_a_probe_of_missing_names_returns_none_not_an_error():
    assert probes.counter_prediction({}) == {"children": None, "parent": None}


def test_choices_become_text_capped_and_a_non_mapping_its_repr():
    got = probes.choices({"choices": {1: "fork" * 100, "b": object}})
    assert got["choices"]["1"] == ("fork" * 100)[:100]
    assert got["choices"]["b"] == str(object)
    assert probes.choices({"choices": ["a", "b"]}) == {"choices": "['a', 'b']"}
    json.dumps(got)  # the child sends it as JSON


def test_a_row_s_key_is_the_same_for_its_list_and_its_bytes_and_differs_from_another_row_s():
    """The judge's inside_count wrapper names the row it was called on: list and bytes alike, so either counts."""
    from mpcourse.grading.judge.cluster_probes import row_key

    assert row_key([200, 3, 17]) == row_key(bytes([200, 3, 17])) == row_key((200, 3, 17))
    assert row_key([200, 3, 17]) != row_key([200, 3, 18])
    assert row_key(None) == row_key(object()) == row_key(["a"]) == "-"


def test_the_judge_s_inside_count_wrapper_leaves_an_iterator_to_the_learner_s_function(monkeypatch):
    """A row handed over as an iterator reaches the learner's function whole (the wrapper takes no digest of it)."""
    from mpcourse.grading.judge import owned
    from mpcourse.grading.judge.cluster_probes import Announced

    announced: list[str] = []
    monkeypatch.setattr(owned, "ask_for", announced.append)
    count = Announced(lambda counts, max_iter: sum(1 for c in counts if c == max_iter), "inside_count")
    assert count(iter([200, 3, 200]), 200) == 2 and count([200], max_iter=200) == 1
    assert announced[0] == "call:inside_count:-" and announced[1].startswith("call:inside_count:")


_FILL_ROW = """\
from multiprocessing import shared_memory

def fill_row(name, row, width, height):
    block = shared_memory.SharedMemory(name=name)
    block.buf[row * width * 4] = 1
    block.close()
"""

_PROBE_THEN_WAIT = """\
import json, os, sys, time
from mpcourse.grading.judge import probes
from mpcourse.kernel.worker_magic import define_worker
func = define_worker(sys.argv[1]).fill_row
print(json.dumps(probes.fill_row({"fill_row": func}, sys.argv[2], [4, 4])), flush=True)
time.sleep(1.0)  # a worker's own resource tracker, if it started one, unlinks the block meanwhile
print(os.path.exists("/dev/shm/" + sys.argv[2]))  # as the tracer notes it, while this process still runs
"""


def test_the_fill_row_probe_leaves_a_block_it_did_not_create_to_its_owner_under_fork():
    """A right fill_row in forked workers, on a block another process created (as the tracer does): still there."""
    import multiprocessing
    import os
    import secrets
    import subprocess
    import sys

    import pytest

    if not os.path.isdir("/dev/shm") or "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("POSIX shared memory and fork only")
    name = "mpcourse-test-" + secrets.token_hex(6)
    path = f"/dev/shm/{name}"
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)  # this process is the "tracer"
    try:
        os.ftruncate(descriptor, 64)
        run = subprocess.run(
            [sys.executable, "-c", _PROBE_THEN_WAIT, _FILL_ROW, name],
            capture_output=True, text=True, timeout=120, check=True,
            env={**os.environ, "MPCOURSE_START_METHOD": "fork"},
        )  # fmt: skip
        assert json.loads(run.stdout.splitlines()[0])["status"] == "ok", run.stdout + run.stderr
        assert run.stdout.split()[-1] == "True", "a worker's own resource tracker unlinked the block"
    finally:
        os.close(descriptor)
        if os.path.exists(path):
            os.unlink(path)
