"""Tests for mpcourse/grading/seccomp.py: the filter's tables and program (what it refuses: test_sandbox_promises)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mpcourse.grading import seccomp


def test_seccomp_numbers_match_this_machines_headers():
    header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    if os.uname().machine != "x86_64" or not header.exists():
        pytest.skip("checked against the x86_64 kernel headers")
    defined = {}
    for line in header.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "#define" and parts[1].startswith("__NR_"):
            defined[parts[1][5:]] = int(parts[2])
    numbers = seccomp.NUMBERS["x86_64"]
    assert {name: defined.get(name) for name in numbers} == numbers


def test_every_supported_machine_has_a_program_and_every_refused_call_a_reason():
    for machine in seccomp.SUPPORTED:
        code = seccomp.program(machine=machine)
        assert code is not None and len(code) % 8 == 0 and len(code) // 8 < 4096
        assert set(seccomp.DENIED) - {"uselib", "iopl", "ioperm"} <= set(seccomp.NUMBERS[machine])
    assert all(reason for reason in seccomp.DENIED.values())
    assert seccomp.program(machine="pdp11") is None


def test_a_tracing_run_keeps_ptrace_and_its_tracee_gets_the_whole_filter():
    assert len(seccomp.program(tracing=True, machine="x86_64")) == len(seccomp.program(machine="x86_64")) - 16
    wrapped = seccomp.tracee_command("bwrap", "child.py", "input")
    assert wrapped[-2:] == ["child.py", "input"] and bytes.fromhex(wrapped[-3]) == seccomp.program()
    assert seccomp.tracee_command("none", "child.py")[1:] == ["child.py"]
