"""Tests for mpcourse/grading/limits.py: each run's share of the CPUs."""

from __future__ import annotations

from mpcourse.grading.limits import cpus_for


def test_cpus_are_shared_between_jobs():
    """With --jobs N each run gets its own CPUs: disjoint shares, or one CPU each when jobs outnumber them."""
    import os

    mine = sorted(os.sched_getaffinity(0))
    assert cpus_for(0, 1) is None
    shares = [cpus_for(slot, 2) for slot in range(2)]
    assert all(share and set(share) <= set(mine) for share in shares)
    if len(mine) >= 2:
        assert not set(shares[0]) & set(shares[1])
    assert all(len(cpus_for(slot, len(mine) + 1)) == 1 for slot in range(len(mine) + 1))
