"""mpcourse.backend.cpus: the cores this process may really use, with faked cgroup files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mpcourse import available_cpus
from mpcourse.backend import cpus
from mpcourse.backend.cpus import cgroup_cpu_limit


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def proc_cgroup(tmp_path):
    def make(text):
        path = tmp_path / "proc_self_cgroup"
        path.write_text(text)
        return path

    return make


def test_cgroup_v2_quota(tmp_path, proc_cgroup):
    root = tmp_path / "cg"
    _write(root / "user.slice" / "cpu.max", "150000 100000\n")
    assert cgroup_cpu_limit(root, proc_cgroup("0::/user.slice\n")) == 1.5


def test_cgroup_v2_unlimited(tmp_path, proc_cgroup):
    root = tmp_path / "cg"
    _write(root / "cpu.max", "max 100000\n")
    assert cgroup_cpu_limit(root, proc_cgroup("0::/\n")) is None


def test_cgroup_v2_tightest_limit_along_the_path_wins(tmp_path, proc_cgroup):
    root = tmp_path / "cg"
    _write(root / "a" / "cpu.max", "400000 100000")
    _write(root / "a" / "b" / "cpu.max", "max 100000")
    _write(root / "a" / "b" / "c" / "cpu.max", "200000 100000")
    assert cgroup_cpu_limit(root, proc_cgroup("0::/a/b/c\n")) == 2.0


def test_cgroup_v1_quota(tmp_path, proc_cgroup):
    root = tmp_path / "cg"
    _write(root / "cpu,cpuacct" / "docker" / "x" / "cpu.cfs_quota_us", "100000")
    _write(root / "cpu,cpuacct" / "docker" / "x" / "cpu.cfs_period_us", "100000")
    assert cgroup_cpu_limit(root, proc_cgroup("4:cpu,cpuacct:/docker/x\n1:memory:/docker/x\n")) == 1.0


def test_cgroup_v1_unlimited_quota_is_minus_one(tmp_path, proc_cgroup):
    root = tmp_path / "cg"
    _write(root / "cpu" / "cpu.cfs_quota_us", "-1")
    _write(root / "cpu" / "cpu.cfs_period_us", "100000")
    assert cgroup_cpu_limit(root, proc_cgroup("3:cpu:/\n")) is None


def test_no_cgroup_files_means_no_limit(tmp_path, proc_cgroup):
    assert cgroup_cpu_limit(tmp_path / "missing", tmp_path / "missing_proc") is None


def test_available_cpus_takes_the_quota_rounded_up(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(cpus, "_affinity_count", lambda: 16)
    monkeypatch.setattr(cpus, "cgroup_cpu_limit", lambda: 1.5)
    assert available_cpus() == 2


def test_available_cpus_takes_the_affinity(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(cpus, "_affinity_count", lambda: 3)
    monkeypatch.setattr(cpus, "cgroup_cpu_limit", lambda: None)
    assert available_cpus() == 3


def test_available_cpus_is_at_least_one(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    monkeypatch.setattr(cpus, "_affinity_count", lambda: None)
    monkeypatch.setattr(cpus, "cgroup_cpu_limit", lambda: 0.1)
    assert available_cpus() == 1


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this platform")
def test_available_cpus_follows_an_affinity_set_from_outside():
    """A child pinned to one core (as taskset or a container would) must count 1, whatever the host has."""
    one_core = min(os.sched_getaffinity(0))
    code = (
        "import os; from mpcourse.backend.cpus import available_cpus; "
        f"os.sched_setaffinity(0, {{{one_core}}}); print(available_cpus())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "1"


# --- cores free during a measurement, from a constructed /proc ---------------------------


def fake_proc(root: Path, idle_ticks: int, tree_ticks: dict[int, tuple[int, int]]) -> Path:
    """A /proc with ``idle_ticks`` idle per allowed core and processes ``{pid: (ppid, utime ticks)}``."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    lines = ["cpu  1 2 3 4 5 6 7 8 9 10"]
    lines += [f"cpu{core} 100 0 50 {idle_ticks} 0 0 0 0 0 0" for core in cores]
    lines += [f"cpu{max(cores) + 1} 100 0 50 999999 0 0 0 0 0 0"]  # a core this process may not use
    root.mkdir(parents=True, exist_ok=True)
    (root / "stat").write_text("\n".join(lines) + "\nintr 0\n")
    for pid, (ppid, utime) in tree_ticks.items():
        (root / str(pid)).mkdir(exist_ok=True)
        fields = ["S", str(ppid)] + ["0"] * 9 + [str(utime), "0", "0", "0"] + ["0"] * 5
        (root / str(pid) / "stat").write_text(f"{pid} (py (thon)) " + " ".join(fields) + "\n")
    return root


def test_free_cpus_adds_idle_cores_to_what_this_process_tree_used(tmp_path, monkeypatch):
    me, ticks = os.getpid(), os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    monkeypatch.setattr(cpus, "available_cpus", lambda: 64)
    clock = iter([10.0, 11.0])
    monkeypatch.setattr(cpus.time, "monotonic", lambda: next(clock))
    start = cpus.cpu_snapshot(fake_proc(tmp_path / "a", 0, {me: (1, 0), 7: (me, 0), 8: (1, 0)}))
    # one second later: each allowed core idle 0.25 s, this process 0.5 s, its child 0.25 s,
    # an unrelated process (pid 8) 1 s: that last one is somebody else's and does not count
    later = {me: (1, ticks // 2), 7: (me, ticks // 4), 8: (1, ticks)}
    end = cpus.cpu_snapshot(fake_proc(tmp_path / "b", ticks // 4, later))
    assert cpus.free_cpus_between(start, end) == pytest.approx(0.25 * cores + 0.75)


def test_free_cpus_is_capped_by_the_usable_cores_and_unknown_for_short_windows(monkeypatch):
    monkeypatch.setattr(cpus, "available_cpus", lambda: 2)
    assert cpus.free_cpus_between(cpus.CpuSnapshot(0.0, 0.0, 0.0), cpus.CpuSnapshot(1.0, 7.0, 0.5)) == 2.0
    assert cpus.free_cpus_between(cpus.CpuSnapshot(0.0, 0.0, 0.0), cpus.CpuSnapshot(1.0, 0.3, 0.4)) == pytest.approx(
        0.7
    )
    assert cpus.free_cpus_between(cpus.CpuSnapshot(0.0, 0.0, 0.0), cpus.CpuSnapshot(0.05, 0.1, 0.0)) is None
    assert cpus.free_cpus_between(None, cpus.CpuSnapshot(1.0, 0.3, 0.4)) is None


def test_cpu_snapshot_is_none_without_proc(tmp_path):
    assert cpus.cpu_snapshot(tmp_path) is None
