"""mpcourse.backend.pool: a checked Pool and run_map, under every start method."""

from __future__ import annotations

import time

import pytest

from mpcourse import NotImportableError, Pool, WorkerCrashedError, run_map, workers


def test_pool_is_a_real_pool(method):
    with Pool(2, method=method) as pool:
        assert pool.start_method == method
        assert pool.map(workers.double, range(5)) == [0, 2, 4, 6, 8]
        assert pool.apply(workers.double, (4,)) == 8
        assert pool.starmap(workers.traced, [(workers.double, 1)])[0].result == 2
        assert sorted(pool.imap_unordered(workers.square, range(4))) == [0, 1, 4, 9]
        pool.close()
        pool.join()


def test_pool_refuses_a_lambda_before_anything_hangs(method):
    with Pool(1, method=method) as pool:
        for call in (pool.map, pool.imap, pool.imap_unordered, pool.map_async):
            with pytest.raises(NotImportableError):
                call(lambda x: x, [1])
        with pytest.raises(NotImportableError):
            pool.apply_async(lambda: 1)


@pytest.mark.parametrize("bad", [0, -1])
def test_pool_refuses_a_count_below_one(bad):
    with pytest.raises(ValueError, match="at least 1"):
        Pool(bad)


def test_run_map_prints_task_output_in_task_order(method, capfd):
    assert run_map(workers.print_number, range(6), 2, method=method) == list(range(6))
    assert capfd.readouterr().out == "".join(f"number {i}\n" for i in range(6))


def test_run_map_star(method):
    assert run_map(workers.traced, [(workers.double, 3)], 1, method=method, star=True)[0].result == 6


def test_run_map_reraises_a_task_error_after_earlier_output(method, capfd):
    """What the tasks before the failing one printed is shown, in order, before the error."""
    tasks = [(workers.print_number, 1), (workers.print_number, 2), (workers.fail, "boom"), (workers.print_number, 4)]
    with pytest.raises(ValueError, match="boom") as excinfo:
        run_map(workers.traced, tasks, 1, method=method, star=True)
    assert "Traceback" in str(excinfo.value.__cause__)
    assert capfd.readouterr().out == "number 1\nnumber 2\n"


def test_run_map_reports_a_crashed_worker_instead_of_hanging(method):
    start = time.monotonic()
    with pytest.raises(WorkerCrashedError, match="exit code 7"):
        run_map(workers.crash, [7], 1, method=method)
    assert time.monotonic() - start < 30


def test_run_map_refuses_processes_zero():
    with pytest.raises(ValueError, match=r"processes=mpcourse\.available_cpus\(\)"):
        run_map(workers.double, [1], 0)


def test_run_map_progress_bar(capsys):
    assert run_map(workers.double, range(3), 1, progress=True) == [0, 2, 4]
    assert "3/3" in capsys.readouterr().err
