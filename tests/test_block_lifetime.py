"""mpcourse.block_lifetime: does a block outlive the program that made or read it exactly as chapter 09 says?"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from multiprocessing import resource_tracker, shared_memory

import pytest

from mpcourse.block_lifetime import BLOCK_SIZE, block_exists, main, remove_block

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no resource tracker: other semantics")


@pytest.fixture
def name():
    """A block name no one uses, removed after the test whatever happened."""
    made = f"mpc-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    yield made
    remove_block(made)
    assert not block_exists(made)


def program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpcourse.block_lifetime", *args], capture_output=True, text=True, timeout=60
    )


def test_a_block_a_program_created_is_gone_when_it_ends(name):
    run = program("create", name)
    assert run.returncode == 0 and "leaked shared_memory" in run.stderr
    assert not block_exists(name)


def test_an_untracked_block_outlives_its_creator(name):
    assert program("create", name, "--untracked").returncode == 0
    assert block_exists(name)


def test_a_program_that_attaches_unlinks_the_block_unless_untracked(name):
    block = shared_memory.SharedMemory(name=name, create=True, size=BLOCK_SIZE)
    try:
        block.buf[:5] = b"hello"
        assert program("attach", name, "--untracked").stdout.strip() == "hello"
        assert block_exists(name)
        assert program("attach", name).stdout.strip() == "hello"
        assert not block_exists(name)
    finally:
        block.close()
        if block_exists(name):
            block.unlink()
        else:  # the other program's tracker unlinked it: this process's tracker must forget it too
            resource_tracker.unregister(block._name, "shared_memory")


def test_looking_leaves_no_trace(name):
    assert not block_exists(name)
    assert program("create", name, "--untracked").returncode == 0
    for _ in range(3):
        assert block_exists(name)  # looking registered nothing: no tracker unlinks it at exit
    check = subprocess.run(
        [sys.executable, "-c", f"from mpcourse.block_lifetime import block_exists; print(block_exists({name!r}))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "True" and not check.stderr
    assert block_exists(name)


def test_main_refuses_an_unknown_action(capsys):
    with pytest.raises(SystemExit):
        main(["delete", "x"])
    assert "invalid choice" in capsys.readouterr().err
