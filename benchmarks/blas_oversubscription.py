"""Chapter 09's oversubscription demo, measured: how much faster workers limited to 1 BLAS thread are.

For each start method and each workload shape (SIZExREPEATS[xTASKS]: TASKS tasks
per worker, each REPEATS products of SIZE x SIZE matrices), start a pool of 2
workers the way the notebook's ``blas-measure`` cell does (one warm-up task per
worker, then the same tasks with the library's own threads, then with 1),
``--rounds`` times, and print per shape: the ratio oversubscribed / limited
(min, median, max over the rounds), the limited and oversubscribed seconds
(median), the fewest cores the oversubscribed measurement had free, the whole
cell's cost (pool start to pool joined: median, max), and how often
:func:`mpcourse.checks.q9.check_blas_limits` printed ``PASS``.
``--hogs K`` runs K CPU hogs outside this process tree meanwhile (a busy laptop).
Timing claims live here, never in the unit tests.

What it showed on 2 cores (OpenBLAS 0.3.31 with Python 3.11, 0.3.34 with 3.14;
10 rounds per line, other programs sharing the machine): the oversubscribed
pool's loss is not steady but luck.  A task whose worker's threads land well
loses nothing, one whose threads land badly takes several times as long, its
waiting threads spinning (each worker burns a whole core meanwhile).  With one
task per worker (``200x10``, the chapter's first workload) the limited pool
measured below 1x in some rounds on both Pythons (0.44x at the least), so a
PASS depended on the run; with ten tasks per worker (``200x10x10``, the
chapter's) the least ratio of 120 rounds (3 start methods x 2 Pythons x idle or
1 hog) was 2.05x, the medians 6x-19x; 40 more rounds under forkserver gave
3.25x at the least, and of 54 nbval runs of the chapter (3.11 and 3.14, every
start method, 12 of them beside a hog) one measured 1.23x on a machine not
busy (3.11, forkserver): NOT YET, so the chapter's check line is not compared.
Other shapes do not remove the luck: 30 rounds each (3.11, forkserver) of
``128x20x10``, ``128x40x10`` and ``160x20x10`` measured 2.02x, 2.09x and 0.87x at
the least (``200x10x10`` beside them: 1.96x).  The cell cost 0.5-1 s (median) when the
other programs left the machine about idle (3.1 s at the most), 2.4 s when
they left 0.4 cores free, 1.8-3 s beside one hog (8.3 s at the most).
Python 3.11, no hog of ours:

    method      shape      ratio min/median/max   limited s  oversub s  free  cell s med/max
    fork        200x10      1.08 15.15  53.27        0.010     0.168  0.63    0.22  0.57
    fork        200x10x10   2.28  6.55  22.05        0.080     0.375  0.72    0.49  3.03
    spawn       200x10      0.90  9.35  16.97        0.013     0.154  0.78    0.49  0.83
    spawn       200x10x10   3.57 12.98  47.40        0.101     1.869  0.40    2.44  4.97
    forkserver  200x10x10   2.16  7.32  26.67        0.069     0.444  1.19    0.69  1.79

Python 3.14, no hog of ours:

    fork        200x10      0.44  8.42  36.88        0.012     0.093  0.75    0.16  0.41
    fork        200x10x10   2.54  9.09  38.82        0.093     0.823  0.92    0.97  3.10
    spawn       200x10x10   2.05  8.77  18.40        0.065     0.560  1.95    0.88  1.55
    forkserver  200x10      0.99 10.05  22.30        0.015     0.121  0.99    0.18  0.63
    forkserver  200x10x10   2.68  6.13  36.81        0.066     0.387  1.47    0.51  1.74

The warm-up (a 20 x 20 product) and ``threadpool_limits`` (about 0.3 ms a task,
paid both ways) cost little beside these times.  Products of 100 x 100
matrices showed almost no loss (median 1.13x).

Usage: python benchmarks/blas_oversubscription.py [--hogs 1] [--rounds 5]
       [--methods fork spawn forkserver] [--shapes 200x10 200x10x10]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time

from busy_speedup import outside_hog

from mpcourse import valid_start_methods
from mpcourse.array_workers import multiply
from mpcourse.backend.pool import Pool
from mpcourse.backend.timing import stopwatch
from mpcourse.checks.q9 import BLAS_THRESHOLD, check_blas_limits

DEFAULT_SHAPES = ("200x10", "200x10x5", "200x10x10", "200x20x5")
WORKERS = 2


def measure_once(
    method: str, size: int, repeats: int, tasks: int
) -> tuple[float, float, float | None, int, float, bool]:
    """One run of the notebook's cell: ``(oversubscribed s, limited s, free cores, threads, cell s, passed)``.

    ``tasks`` per worker, each ``repeats`` products of ``size`` x ``size`` matrices.
    """
    start = time.perf_counter()
    with Pool(WORKERS, method=method) as pool:
        pool.starmap(multiply, [(20, 1)] * WORKERS)
        oversubscribed, used = stopwatch(pool.starmap, multiply, [(size, repeats)] * WORKERS * tasks)
        limited, _ = stopwatch(pool.starmap, multiply, [(size, repeats, 1)] * WORKERS * tasks)
        pool.close()
        pool.join()
    cell = time.perf_counter() - start
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        passed = check_blas_limits(oversubscribed, limited, max(used))
    return float(oversubscribed), float(limited), oversubscribed.free_cpus, max(used), cell, passed


def summary(method: str, shape: str, runs: list[tuple[float, float, float | None, int, float, bool]]) -> str:
    """One line of the table: the ratios, median times, the fewest cores free, the cell's cost, the passes."""
    ratios = sorted(over / limited for over, limited, *_ in runs)
    frees = [run[2] for run in runs if run[2] is not None]
    free = f"{min(frees):.2f}" if frees else "?"
    cells = [run[4] for run in runs]
    return (
        f"{method:<10}  {shape:<9}  {ratios[0]:5.2f} {statistics.median(ratios):5.2f} {ratios[-1]:6.2f}     "
        f"{statistics.median(run[1] for run in runs):8.3f}  {statistics.median(run[0] for run in runs):8.3f}  "
        f"{free:>4}  {max(run[3] for run in runs):>7}  {statistics.median(cells):6.2f} {max(cells):5.2f}  "
        f"{sum(run[5] for run in runs)}/{len(runs)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Print one line per start method and shape."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--methods", nargs="+", default=valid_start_methods())
    parser.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES, help="SIZExREPEATS[xTASKS per worker]")
    args = parser.parse_args(argv)
    hogs = [outside_hog() for _ in range(args.hogs)]
    try:
        version = ".".join(map(str, sys.version_info[:2]))
        print(
            f"Python {version}, {args.hogs} CPU hog(s), {WORKERS} workers, {args.rounds} rounds, "
            f"threshold {BLAS_THRESHOLD}x"
        )
        print("method      shape      ratio min/median/max   limited s  oversub s  free  threads  cell s med/max  PASS")
        for method in args.methods:
            for shape in args.shapes:
                size, repeats, tasks = (int(part) for part in f"{shape}x1".split("x")[:3])
                runs = [measure_once(method, size, repeats, tasks) for _ in range(args.rounds)]
                print(summary(method, shape, runs), flush=True)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
