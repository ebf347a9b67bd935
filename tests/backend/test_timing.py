"""mpcourse.backend.timing: Amdahl's law, speedup tables and timelines (no timing assertions)."""

from __future__ import annotations

import pickle

import pytest

from mpcourse import workers
from mpcourse.backend.timing import (
    Seconds,
    amdahl_speedup,
    best_of,
    format_speedup_table,
    measure_speedup,
    run_timeline,
    spans_from_records,
    stopwatch,
)
from mpcourse.workers import TaskRecord


def test_amdahl():
    assert amdahl_speedup(0.0, 4) == pytest.approx(4.0)
    assert amdahl_speedup(1.0, 4) == pytest.approx(1.0)
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)
    with pytest.raises(ValueError):
        amdahl_speedup(1.5, 2)


def test_spans_number_workers_by_first_task():
    records = [TaskRecord(20, 10.0, 11.0, None), TaskRecord(10, 10.5, 11.5, None), TaskRecord(20, 11.0, 12.0, None)]
    spans = spans_from_records(records)
    assert [(s.task, s.worker, s.start) for s in spans] == [(0, 0, 0.0), (1, 1, 0.5), (2, 0, 1.0)]


def test_run_timeline_covers_every_task(method):
    spans = run_timeline(workers.busy_wait, [0.01] * 4, 2, method=method)
    assert [s.task for s in spans] == [0, 1, 2, 3]
    assert all(s.end >= s.start >= 0 for s in spans)
    assert {s.worker for s in spans} <= {0, 1}


def test_measure_speedup_rows_and_table():
    rows = measure_speedup(workers.busy_wait, [0.01] * 2, [1, 2])
    assert [r.workers for r in rows] == [1, 2]
    assert all(r.seconds > 0 and r.efficiency == pytest.approx(r.speedup / r.workers) for r in rows)
    assert format_speedup_table(rows).splitlines()[0].split() == ["workers", "seconds", "speedup", "efficiency"]


def test_best_of_keeps_the_fastest_call(monkeypatch):
    timed = iter([(0.5, "first"), (0.2, "second"), (0.3, "third")])
    monkeypatch.setattr("mpcourse.backend.timing.stopwatch", lambda func, *args, **kwargs: next(timed))
    assert best_of(3, print) == (0.2, "second")
    with pytest.raises(ValueError, match="repeats"):
        best_of(0, print)


def test_measure_speedup_repeats_each_run(monkeypatch):
    calls = []
    monkeypatch.setattr("mpcourse.backend.timing._pool_map", lambda func, tasks, count, method: calls.append(count))
    measure_speedup(workers.square, [1, 2], [1, 2], repeats=3)
    assert calls == [1, 1, 1, 2, 2, 2]


# --- Seconds: a time that says how many cores were free while it was measured ------------


def test_stopwatch_reads_the_cpu_counters_outside_the_timed_call(monkeypatch):
    """The counters are read before and after; the time returned carries what they say."""
    from mpcourse.backend.cpus import CpuSnapshot

    snapshots = iter([CpuSnapshot(0.0, 10.0, 1.0), CpuSnapshot(2.0, 10.5, 3.5)])
    reads = []
    monkeypatch.setattr("mpcourse.backend.timing.cpu_snapshot", lambda: reads.append("read") or next(snapshots))
    monkeypatch.setattr("mpcourse.backend.cpus.available_cpus", lambda: 2)
    seconds, result = stopwatch(lambda: reads.append("call") or 42)
    assert reads == ["read", "call", "read"] and result == 42
    assert isinstance(seconds, Seconds) and seconds.free_cpus == pytest.approx((0.5 + 2.5) / 2.0)


def test_stopwatch_without_proc_says_unknown(monkeypatch):
    monkeypatch.setattr("mpcourse.backend.timing.cpu_snapshot", lambda: None)
    seconds, _ = stopwatch(int)
    assert seconds.free_cpus is None and seconds >= 0


def test_seconds_is_a_float_that_keeps_its_measurement_through_pickle():
    seconds = Seconds(0.25, 1.5)
    assert f"{seconds:.2f}" == "0.25" and seconds * 2 == 0.5 and type(seconds * 2) is float
    again = pickle.loads(pickle.dumps(seconds))
    assert again == 0.25 and again.free_cpus == 1.5
    assert Seconds(0.1).free_cpus is None
