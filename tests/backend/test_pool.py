"""mpcourse.backend.pool: a checked Pool and run_map, under every start method."""

from __future__ import annotations

import os
import time

import pytest

from mpcourse import NotImportableError, Pool, WorkerCrashedError, available_cpus, run_map, workers
from mpcourse.backend.pool import handed_to_a_pool, validate_processes


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


# --- the processes= count, checked before a pool starts (validate_processes) ---------


@pytest.mark.parametrize("bad", [0, -3])
def test_processes_below_one(bad):
    """The hint names the count that honours a container's CPU quota, not processes=None."""
    with pytest.raises(ValueError, match=r"at least 1") as excinfo:
        validate_processes(bad)
    message = str(excinfo.value)
    assert "processes=mpcourse.available_cpus()" in message
    assert "Use processes=None" not in message
    # what processes=None really takes on this Python, said as a caveat
    default = "os.process_cpu_count()" if hasattr(os, "process_cpu_count") else "os.cpu_count()"
    assert f"processes=None takes {default}" in message


def test_the_hint_names_a_real_function():
    import mpcourse

    assert isinstance(mpcourse.available_cpus(), int)


@pytest.mark.parametrize("bad", [2.5, "4", True])
def test_processes_not_a_whole_number(bad):
    with pytest.raises(TypeError, match=r"whole number.*available_cpus\(\)"):
        validate_processes(bad)


@pytest.mark.parametrize(("processes", "workers_started"), [(None, available_cpus()), (1, 1), (3, 3)])
def test_processes_fine(processes, workers_started):
    """Accepted counts raise nothing and give a pool of that many workers (None: one per usable core)."""
    assert validate_processes(processes) is None
    with Pool(processes) as pool:
        assert len(pool._pool) == workers_started
        pool.close()
        pool.join()


def test_a_pool_knows_which_functions_it_was_handed_and_no_others(method):
    """check_prime_counts asks this: a function called in this process was never handed to a pool."""
    with Pool(2, method=method) as pool:
        assert pool.map(workers.square, [1, 2]) == [1, 4]
        pool.close()
        pool.join()

    def called_here(number: int) -> int:
        return number * number

    assert handed_to_a_pool(workers.square)
    assert called_here(2) == 4 and not handed_to_a_pool(called_here)
    assert not handed_to_a_pool(len)  # a builtin cannot be recorded, and is not claimed
