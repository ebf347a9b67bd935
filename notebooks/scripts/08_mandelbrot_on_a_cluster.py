"""Draw the Mandelbrot set on a process pool, then on a dask cluster, with the same code (notebook 08).

    python 08_mandelbrot_on_a_cluster.py                    # a cluster of 2 worker processes on this machine
    python 08_mandelbrot_on_a_cluster.py tcp://HOST:8786    # a running cluster, by its scheduler's address

Needs dask.distributed (pip install "dask[distributed]"). The process pool starts its workers with
this program's multiprocessing start method; the cluster on this machine starts its own with dask's
default, spawn, whatever that method (a forked dask worker would not exit with its parent).
"""

import logging
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

WIDTH, HEIGHT, MAX_ITER = 64, 24, 100
SHADES = " .:-=+*#%"


def mandelbrot_row(row):
    """Escape counts of one row of the picture: pure Python, CPU-bound."""
    imag = -1.2 + 2.4 * row / (HEIGHT - 1)
    counts = []
    for column in range(WIDTH):
        c = complex(-2.2 + 3.0 * column / (WIDTH - 1), imag)
        z, steps = 0j, 0
        while steps < MAX_ITER and abs(z) <= 2.0:
            z = z * z + c
            steps += 1
        counts.append(steps)
    return counts


def shade(count):
    """A character for an escape count: darker the longer the point stayed, @ if it never escaped."""
    return "@" if count == MAX_ITER else SHADES[count.bit_length() * 8 // MAX_ITER.bit_length()]


def draw(executor):
    """The picture as lines of text, from any concurrent.futures executor; rows finish in any order."""
    futures = {executor.submit(mandelbrot_row, row): row for row in range(HEIGHT)}
    lines = {}
    for done in as_completed(futures):
        lines[futures[done]] = "".join(shade(count) for count in done.result())
    return [lines[row] for row in range(HEIGHT)]


if __name__ == "__main__":
    from dask.distributed import Client, LocalCluster

    # One machine: a pool of 2 worker processes
    with ProcessPoolExecutor(max_workers=2) as executor:
        on_a_pool = draw(executor)

    # Beyond it: the same draw() on a dask cluster, through the cluster's executor
    if len(sys.argv) > 1:
        cluster = sys.argv[1]  # the scheduler's address, tcp://HOST:8786
    else:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
        )
    with Client(cluster) as client, client.get_executor() as executor:
        on_a_cluster = draw(executor)
    if isinstance(cluster, LocalCluster):
        cluster.close()

    print("\n".join(on_a_cluster))
    print("the cluster drew what the pool drew:", on_a_cluster == on_a_pool)
