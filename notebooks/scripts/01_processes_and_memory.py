"""Chapter 1 without the course's helpers: processes, their memory, several cores, a crash."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

COUNTER = 0


def add_to_counter(amount):
    """Add to this process's own COUNTER and return the new value."""
    global COUNTER
    COUNTER += amount
    return COUNTER


def fill_slot(shared, index):
    """Write into memory that the parent shares with this child on purpose."""
    shared[index] = (index + 1) * 100


def sum_of_cubes(n):
    """CPU-bound work: 0³ + 1³ + ... + (n-1)³."""
    return sum(i**3 for i in range(n))


if __name__ == "__main__":
    # A child process changes its own copy of a global, not the parent's.
    with ProcessPoolExecutor(max_workers=1) as pool:
        print("the child's COUNTER: ", pool.submit(add_to_counter, 100).result())
    print("the parent's COUNTER:", COUNTER)

    # Memory shared on purpose: a multiprocessing.Array that every child may write.
    shared = multiprocessing.Array("i", 3)
    children = [multiprocessing.Process(target=fill_slot, args=(shared, i)) for i in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    print("the shared Array after three children:", list(shared))

    # CPU-bound tasks on as many worker processes as this process may use.
    usable = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()  # 3.13+
    with ProcessPoolExecutor(max_workers=usable) as pool:
        print("sums of cubes:", list(pool.map(sum_of_cubes, [10, 100, 1000])))

    # A worker that dies breaks the pool: the error says so instead of waiting forever.
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(os._exit, 3).result()
        except BrokenProcessPool:
            print("a worker died: BrokenProcessPool")
