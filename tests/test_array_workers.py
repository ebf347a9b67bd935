"""mpcourse.array_workers: do the NumPy workers of chapter 07 work in children under every start method,
and leave no shared-memory block and no resource-tracker warning behind?"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from multiprocessing import shared_memory

import numpy as np
import pytest

from mpcourse import array_workers, get_context
from mpcourse.array_workers import IMAGE_DTYPE, fill_mandelbrot_rows, shared_checksum
from mpcourse.workers import mandelbrot_row


def _gone(name: str) -> bool:
    try:
        shared_memory.SharedMemory(name=name).close()
    except FileNotFoundError:
        return True
    return False


@pytest.fixture
def block():
    """A fresh block of 800 bytes, closed and unlinked afterwards (and proven gone)."""
    made = shared_memory.SharedMemory(create=True, size=800)
    yield made
    made.close()
    made.unlink()
    assert _gone(made.name)


def test_shared_checksum_reads_the_parents_array_in_a_child(block, method):
    view = np.ndarray((100,), dtype=np.float64, buffer=block.buf)
    view[:] = np.arange(100.0)
    del view
    with get_context(method).Pool(1) as pool:
        assert pool.apply(shared_checksum, (block.name, (100,), "<f8")) == sum(range(100))
        pool.close()
        pool.join()


def test_fill_mandelbrot_rows_writes_only_its_rows(method):
    width, height = 12, 8
    made = shared_memory.SharedMemory(create=True, size=width * height * np.dtype(IMAGE_DTYPE).itemsize)
    try:
        with get_context(method).Pool(2) as pool:
            done = pool.starmap(
                fill_mandelbrot_rows, [(made.name, [1, 5], width, height), (made.name, [2], width, height)]
            )
            pool.close()
            pool.join()
        image = np.array(np.ndarray((height, width), dtype=IMAGE_DTYPE, buffer=made.buf))
    finally:
        made.close()
        made.unlink()
    assert done == [2, 1]
    for row in range(height):
        expected = mandelbrot_row(row, width, height) if row in (1, 2, 5) else [0] * width
        assert image[row].tolist() == expected, row


def test_a_forked_child_inherits_the_global_and_the_others_do_not(method):
    array_workers.SHARED = np.ones(10)
    try:
        with get_context(method).Pool(1) as pool:
            seen = pool.apply(array_workers.inherited_checksum)
            pool.close()
            pool.join()
    finally:
        array_workers.SHARED = None
    assert seen == (10.0 if method == "fork" else None)


def test_the_initializer_loads_once_per_worker_and_a_task_once_per_task(tmp_path, method):
    path = str(tmp_path / "table.npy")
    np.save(path, np.arange(100.0))
    context = get_context(method)
    for preload, func, tasks, loads_expected in [
        (True, array_workers.lookup_preloaded, [([1, 2],), ([3],), ([4],)], 2),
        (False, array_workers.lookup_loading, [(path, [1, 2]), (path, [3]), (path, [4])], 3),
    ]:
        loads = context.Value("i", 0)
        initargs = (loads, path) if preload else (loads,)
        with context.Pool(2, initializer=array_workers.start_lookup_worker, initargs=initargs) as pool:
            assert pool.starmap(func, tasks) == [3.0, 3.0, 4.0]
            pool.close()
            pool.join()
        assert loads.value == loads_expected


def test_lookup_without_a_table_says_what_is_missing():
    with pytest.raises(RuntimeError, match="initializer=start_lookup_worker"):
        array_workers.lookup_preloaded([0])


def test_checksum_and_lookup_in_take_the_array_itself():
    assert array_workers.checksum(np.arange(4.0)) == 6.0
    assert array_workers.lookup_in(np.arange(10.0), [2, 3]) == 5.0


PROGRAM = """
import multiprocessing, sys
from multiprocessing import shared_memory
import numpy as np
from mpcourse.array_workers import fill_mandelbrot_rows, shared_checksum

if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1])
    block = shared_memory.SharedMemory(create=True, size=4 * 6 * 4)
    try:
        with ctx.Pool(2) as pool:
            pool.starmap(fill_mandelbrot_rows, [(block.name, [row], 6, 4) for row in range(4)])
            total = pool.apply(shared_checksum, (block.name, (4, 6), "<i4"))
            pool.close()
            pool.join()
    finally:
        block.close()
        block.unlink()
    print(block.name, total)
"""


@pytest.mark.slow
def test_a_program_using_them_leaves_no_block_and_no_tracker_warning(tmp_path, method):
    """The chapter's pattern in a program of its own: its resource tracker, at exit, finds nothing leaked."""
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(PROGRAM), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), method], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "resource_tracker" not in run.stderr and "leaked" not in run.stderr, run.stderr
    name, total = run.stdout.split()
    assert float(total) == sum(sum(mandelbrot_row(row, 6, 4)) for row in range(4))
    assert _gone(name)


def test_array_workers_is_the_only_child_side_module_with_numpy():
    """workers stays standard library only; array_workers brings NumPy (and says why in its docstring)."""
    code = "import sys, mpcourse.workers; print('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    assert "the one child-side module allowed NumPy" in (array_workers.__doc__ or "")


def test_multiply_reports_and_limits_the_blas_threads_of_a_child(method):
    """Chapter 09: a child counts its BLAS threads, and threads=1 limits them while it multiplies."""
    with get_context(method).Pool(1) as pool:
        default, limited = pool.starmap(array_workers.multiply, [(20, 1), (20, 1, 1)])
        pool.close()
        pool.join()
    assert default >= 1 and limited == 1
