"""What the threads-vs-processes explorer (notebook 02) shows, measured on this machine.

Wall-clock claims about the explorers (unit tests assert no timings), printed with their numbers:
4 threads sleeping 0.1 s each finish together (well under the 0.4 s one after
another), and 2 threads burning 0.05 s of CPU each take turns under the GIL (about
0.1 s).  A busy machine stretches the CPU-bound run; compare with an idle one.

Usage: python benchmarks/explorer_times.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys

from mpcourse.ui.widgets import CPU_BOUND, IO_BOUND, time_run


def _best(kind: str, backend: str, workers: int, tasks: int, task_seconds: float, repeat: int) -> float:
    return min(time_run(kind, backend, workers, tasks, task_seconds).seconds for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    """Print each measured claim, its bound and whether it held; exit 1 if one did not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the fastest counts")
    args = parser.parse_args(argv)
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    claims = [
        ("4 threads, 4 x 0.1 s of waiting", _best(IO_BOUND, "threads", 4, 4, 0.1, args.repeat), 0.1, 0.3),
    ]
    if gil:
        claims.append(
            ("2 threads, 2 x 0.05 s of CPU (GIL)", _best(CPU_BOUND, "threads", 2, 2, 0.05, args.repeat), 0.09, None)
        )
    held = True
    for what, seconds, low, high in claims:
        ok = seconds >= low and (high is None or seconds < high)
        held &= ok
        bound = f">= {low:.2f} s" + (f" and < {high:.2f} s" if high is not None else "")
        print(f"{what:<36} {seconds:6.3f} s  (expected {bound}): {'ok' if ok else 'NOT AS EXPECTED'}")
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
