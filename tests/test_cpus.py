"""mpcourse.cpus: the cores this process may really use, with faked cgroup files."""

from __future__ import annotations

import os

import pytest

from mpcourse import available_cpus, cpus
from mpcourse.cpus import cgroup_cpu_limit


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


def test_available_cpus_on_this_machine_is_plausible():
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)
