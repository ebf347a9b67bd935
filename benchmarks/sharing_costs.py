"""What chapter 07 claims about the cost of sending data, measured outside a notebook.

Prints: pickling throughput of a 100 MB NumPy array; starting one child with that
array as its argument under each start method, against a 1-element one; one pool
worker summing it pickled against through a shared-memory block (the ratio
``check_zero_copy`` asks at least 5x of); and the Mandelbrot picture drawn by a
loop, a pool of 2 and a pool of 2 writing into shared memory (``check_mandelbrot_speedup``
asks 1.3x of both pools, given 2 free cores; here the pools start before the clock).

Usage: python benchmarks/sharing_costs.py [--method fork|spawn|forkserver]
"""

from __future__ import annotations

import argparse
import pickle
from multiprocessing import shared_memory

import numpy as np

from mpcourse import get_context, valid_start_methods
from mpcourse.array_workers import IMAGE_DTYPE, checksum, fill_mandelbrot_rows, shared_checksum
from mpcourse.backend.timing import best_of
from mpcourse.checks.q7 import MIN_POOL_SPEEDUP, MIN_ZERO_COPY_GAIN
from mpcourse.workers import MANDELBROT_SIZE, mandelbrot_row


def start_and_join(method: str, array: np.ndarray) -> None:
    child = get_context(method).Process(target=checksum, args=(array,))
    child.start()
    child.join()


def pickled_against_shared(method: str, big: np.ndarray) -> tuple[float, float]:
    block = shared_memory.SharedMemory(create=True, size=big.nbytes)
    try:
        np.ndarray(big.shape, dtype=big.dtype, buffer=block.buf)[:] = big
        with get_context(method).Pool(1) as pool:
            pool.apply(checksum, (big[:1],))
            pickled, _ = best_of(3, pool.apply, checksum, (big,))
            shared, _ = best_of(3, pool.apply, shared_checksum, (block.name, big.shape, big.dtype.str))
            pool.close()
            pool.join()
    finally:
        block.close()
        block.unlink()
    return pickled, shared


def mandelbrot_three_ways(method: str) -> tuple[float, float, float]:
    width, height = MANDELBROT_SIZE
    loop, _ = best_of(1, lambda: [mandelbrot_row(row, width, height) for row in range(height)])
    with get_context(method).Pool(2) as pool:
        pooled, _ = best_of(1, pool.map, mandelbrot_row, range(height), 8)
        block = shared_memory.SharedMemory(create=True, size=width * height * np.dtype(IMAGE_DTYPE).itemsize)
        try:
            tasks = [(block.name, list(range(first, height, 8)), width, height) for first in range(8)]
            shared, _ = best_of(1, pool.starmap, fill_mandelbrot_rows, tasks)
        finally:
            block.close()
            block.unlink()
        pool.close()
        pool.join()
    return loop, pooled, shared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default=None, help="start method of the pools (default: the course's)")
    method = get_context(parser.parse_args(argv).method).get_start_method()
    big = np.ones(10**8 // 8)
    dump, data = best_of(3, pickle.dumps, big)
    load, _ = best_of(3, pickle.loads, data)
    del data
    print(f"pickle 100 MB: {dump * 1000:.0f} ms ({0.1 / dump:.2f} GB/s), unpickle {load * 1000:.0f} ms")
    for each in sorted(valid_start_methods()):
        tiny, _ = best_of(3, start_and_join, each, big[:1])
        large, _ = best_of(3, start_and_join, each, big)
        print(f"{each:>10}: a child with 8 bytes {tiny * 1000:.0f} ms, with 100 MB {large * 1000:.0f} ms")
    pickled, shared = pickled_against_shared(method, big)
    print(
        f"one {method} worker sums 100 MB: pickled {pickled * 1000:.0f} ms, shared {shared * 1000:.0f} ms, "
        f"{pickled / shared:.1f}x (the check asks {MIN_ZERO_COPY_GAIN}x)"
    )
    loop, pooled, shared_pool = mandelbrot_three_ways(method)
    print(
        f"Mandelbrot {MANDELBROT_SIZE[0]}x{MANDELBROT_SIZE[1]}: loop {loop:.2f} s, pool of 2 {pooled:.2f} s "
        f"({loop / pooled:.2f}x), into shared memory {shared_pool:.2f} s ({loop / shared_pool:.2f}x; "
        f"the check asks {MIN_POOL_SPEEDUP}x of both on 2 free cores)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
