"""Child-side functions that handle NumPy arrays (chapters 07 and 09: sharing data, BLAS threads in workers).

This is the one child-side module allowed NumPy. :mod:`mpcourse.workers` stays
standard-library only, so that every chapter's spawned children start fast; but
chapter 07 hands NumPy arrays to children (pickled, inherited through fork, or in
shared memory), and a child that receives an array has to import NumPy to rebuild
it anyway. Only chapters 07 and 09 import this module, so only their children pay for NumPy.
Chapter 09's functions also ask ``threadpoolctl`` how many threads NumPy's BLAS
library runs, and limit them; they import it when called.

Every function here attaches to a shared-memory block by name and closes its own
handle before returning; only the process that created a block unlinks it.
"""

from __future__ import annotations

from multiprocessing import shared_memory
from typing import Any

import numpy as np

from .workers import mandelbrot_row

__all__ = [
    "IMAGE_DTYPE",
    "SHARED",
    "blas_threads",
    "checksum",
    "fill_mandelbrot_rows",
    "inherited_checksum",
    "lookup_in",
    "lookup_loading",
    "lookup_preloaded",
    "multiply",
    "shared_checksum",
    "start_lookup_worker",
]

#: The element type of a shared Mandelbrot image: escape counts fit in 32 bits.
IMAGE_DTYPE = np.int32

#: An array the parent may put here before it starts a child: a forked child sees it, a spawned one does not.
SHARED: np.ndarray | None = None

_table: np.ndarray | None = None  # the lookup table, once this worker has loaded it
_loads: Any = None  # a shared counter (ctx.Value) of loads, given to each worker by its initializer


def checksum(array: np.ndarray) -> float:
    """Return the sum of ``array``: a task whose argument is the data itself (pickled to a spawned child)."""
    return float(np.sum(array))


def inherited_checksum() -> float | None:
    """Return the sum of :data:`SHARED` as this process sees it; ``None`` when it has none.

    A forked child has the parent's memory, so it sees the array the parent put
    there; a spawned or forkserver child imported this module afresh, so it sees ``None``.
    """
    return None if SHARED is None else float(SHARED.sum())


def shared_checksum(name: str, shape: tuple[int, ...], dtype: str) -> float:
    """Return the sum of the array in shared-memory block ``name``: only the name crosses to the child."""
    block = shared_memory.SharedMemory(name=name)
    try:
        return float(np.ndarray(shape, dtype=dtype, buffer=block.buf).sum())  # the view is gone after this line
    finally:
        block.close()  # this process's handle; the block itself lives on until its creator unlinks it


def fill_mandelbrot_rows(name: str, rows: list[int], width: int, height: int, max_iter: int = 200) -> int:
    """Compute Mandelbrot ``rows`` and write them into the shared ``(height, width)`` image ``name``; return how many.

    The rows are computed first, then written through one short-lived view, so
    ``close()`` never meets a view still pointing into the block.
    """
    counts = [mandelbrot_row(row, width, height, max_iter) for row in rows]
    block = shared_memory.SharedMemory(name=name)
    try:
        np.ndarray((height, width), dtype=IMAGE_DTYPE, buffer=block.buf)[list(rows)] = counts
    finally:
        block.close()
    return len(rows)


def start_lookup_worker(loads: Any, path: str | None = None) -> None:
    """Pool initializer: keep the shared counter ``loads``; load the table at ``path`` now, once per worker."""
    global _loads
    _loads = loads
    if path is not None:
        _load(path)


def _load(path: str) -> None:
    global _table
    _table = np.load(path)
    if _loads is not None:
        with _loads.get_lock():
            _loads.value += 1


def lookup_preloaded(indices: list[int]) -> float:
    """Sum the table entries at ``indices``, from the table this worker's initializer loaded."""
    if _table is None:
        raise RuntimeError("no table loaded: start the pool with initializer=start_lookup_worker and a path")
    return float(_table[indices].sum())


def lookup_loading(path: str, indices: list[int]) -> float:
    """Load the table from ``path`` (again, for every task), then sum its entries at ``indices``."""
    _load(path)
    return lookup_preloaded(indices)


def lookup_in(table: np.ndarray, indices: list[int]) -> float:
    """Sum ``table`` at ``indices``, the table sent along with the task (pickled every time)."""
    return float(table[indices].sum())


# --- chapter 09: BLAS threads in pool workers ---


def blas_threads() -> int:
    """How many threads NumPy's BLAS library (OpenBLAS, MKL, ...) runs a matrix product with, in this process."""
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)


def multiply(size: int, repeats: int, threads: int | None = None) -> int:
    """Multiply a ``size`` x ``size`` matrix by itself ``repeats`` times; return the BLAS threads it ran with.

    ``threads``: let the BLAS library use at most that many threads meanwhile (``None``: its default).
    """
    from threadpoolctl import threadpool_limits

    matrix = np.linspace(0.0, 1.0, size * size).reshape(size, size)
    with threadpool_limits(limits=threads, user_api="blas"):
        for _ in range(repeats):
            matrix @ matrix
        return blas_threads()
