"""What mpcourse costs, measured in one run on this machine.

(a) run_map (output captured in the child, replayed in task order, crash watch)
    against a bare ``Pool.map`` on the same tasks;
(b) start-up of a spawned child that imports ``mpcourse.workers`` against one
    that imports nothing beyond what every spawned child loads.

Both run outside a kernel.  What importing mpcourse costs a timed start+join
inside a Jupyter kernel (where it keeps children's output in its cell) is
measured by ``benchmarks/kernel_join.py``.

Usage: python benchmarks/overhead.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import mpcourse
from mpcourse import workers
from mpcourse.backend.pool import Pool


def _best(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_map(tasks, processes, method):
    with Pool(processes, method=method) as pool:
        pool.map(workers.count_primes, tasks)
        pool.close()
        pool.join()


def captured_map(tasks, processes, method):
    mpcourse.run_map(workers.count_primes, tasks, processes, method=method)


def map_overhead(repeat: int, method: str) -> tuple[float, float]:
    tasks = [30_000] * 16
    processes = min(2, mpcourse.available_cpus())
    bare, captured = [], []
    for _ in range(repeat):  # interleaved, so drift in machine load hits both alike
        bare.append(_best(lambda: bare_map(tasks, processes, method), 1))
        captured.append(_best(lambda: captured_map(tasks, processes, method), 1))
    return min(bare), min(captured)


def _start_and_join(ctx, target) -> float:
    start = time.perf_counter()
    child = ctx.Process(target=target)
    child.start()
    child.join()
    return time.perf_counter() - start


def spawn_startup(repeat: int) -> tuple[float, float]:
    ctx = mpcourse.get_context("spawn")
    plain, with_workers = [], []
    for _ in range(repeat * 4):
        plain.append(_start_and_join(ctx, os.getpid))
        with_workers.append(_start_and_join(ctx, workers.get_pid))
    return statistics.median(plain), statistics.median(with_workers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (default 5)")
    args = parser.parse_args(argv)
    method = mpcourse.start_method()
    bare, captured = map_overhead(args.repeat, method)
    print(
        f"(a) run_map vs bare Pool.map [{method}, 16 tasks]: "
        f"{captured:.3f} s vs {bare:.3f} s -> ratio {captured / bare:.3f}x (target <= 1.05x)"
    )
    plain, imported = spawn_startup(args.repeat)
    print(
        f"(b) spawned child start+join, importing mpcourse.workers vs nothing: "
        f"{imported * 1000:.1f} ms vs {plain * 1000:.1f} ms -> ratio {imported / plain:.3f}x (target <= 1.10x)"
    )


if __name__ == "__main__":
    main()
