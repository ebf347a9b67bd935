"""What importing mpcourse costs a learner who times processes, measured inside real kernels.

Two Jupyter kernels run side by side, one that has imported ``mpcourse`` and
one that has not; each round times the same start+join of a trivial child in
both (interleaved, so drift in machine load hits both alike).  The child's
target is ``os.getpid``, so the bare kernel never loads mpcourse.  Prints the
median start+join per start method and the ratio (target: at most 1.1x, or
1 ms more, whichever is larger), then checks that a child's line still comes
before the parent's next one in the mpcourse kernel.

Usage: python benchmarks/kernel_join.py [--rounds 10] [--joins 10] [--method fork ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from jupyter_client.manager import KernelManager

from mpcourse.backend.context import valid_start_methods
from mpcourse.kernel.environment import kernel_environment

TIMING_CELL = """
import multiprocessing, os, time, json
def _mpcourse_bench(method, joins):
    ctx = multiprocessing.get_context(method)
    times = []
    for _ in range(joins):
        start = time.perf_counter()
        child = ctx.Process(target=os.getpid)
        child.start()
        child.join()
        times.append(time.perf_counter() - start)
    return times
"""

ORDER_CELL = """
child = multiprocessing.get_context({method!r}).Process(target=print, args=("child line",))
child.start()
child.join()
print("parent line")
"""


@contextmanager
def kernel(import_mpcourse: bool) -> Iterator[object]:
    """A running ``python3`` kernel with Jupyter's environment; shut down on exit."""
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=kernel_environment(), stdout=subprocess.DEVNULL)  # not its echo of child output
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        run(client, TIMING_CELL + ("import mpcourse\n" if import_mpcourse else ""))
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)


def run(client, code: str) -> str:
    """Execute ``code``; return what it printed to stdout (raise on an error)."""
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))

    reply = client.execute_interactive(code, output_hook=hook, timeout=120)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply['content']}")
    return "".join(out)


def time_joins(client, method: str, joins: int) -> list[float]:
    return json.loads(run(client, f"print(json.dumps(_mpcourse_bench({method!r}, {joins})))"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds per start method (default 10)")
    parser.add_argument("--joins", type=int, default=10, help="start+join timings per round (default 10)")
    parser.add_argument("--method", action="append", choices=valid_start_methods(), help="default: all")
    args = parser.parse_args(argv)
    methods = args.method or valid_start_methods()
    ok = True
    print(f"Python {sys.version.split()[0]}; median start+join of a trivial child in a kernel")
    with ExitStack() as stack:
        bare = stack.enter_context(kernel(import_mpcourse=False))
        helped = stack.enter_context(kernel(import_mpcourse=True))
        for method in methods:
            for client in (bare, helped):
                time_joins(client, method, 2)  # warm up (forkserver starts its server)
            without, with_ = [], []
            for _ in range(args.rounds):
                without += time_joins(bare, method, args.joins)
                with_ += time_joins(helped, method, args.joins)
            a, b = statistics.median(without), statistics.median(with_)
            limit = max(1.1 * a, a + 0.001)
            verdict = "ok" if b <= limit else "TOO SLOW"
            ok &= b <= limit
            print(
                f"  {method:<10} without mpcourse {a * 1000:6.2f} ms, with {b * 1000:6.2f} ms "
                f"-> ratio {b / a:.3f}x, {(b - a) * 1000:+.2f} ms "
                f"(limit {limit * 1000:.2f} ms: {verdict}; n={len(without)} each; "
                f"fastest {min(without) * 1000:.2f} vs {min(with_) * 1000:.2f} ms)"
            )
            order = run(helped, ORDER_CELL.format(method=method))
            in_order = order == "child line\nparent line\n"
            ok &= in_order
            print(f"  {'':<10} child's line before the parent's next one: {'yes' if in_order else repr(order)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
