"""Checks for notebook 07, sharing data between processes: zero-copy measured, and the exercise ``fill_row``."""

from __future__ import annotations

import array
import multiprocessing
from collections.abc import Callable
from multiprocessing import shared_memory
from typing import Any

from ..backend.context import get_context
from ..backend.cpus import available_cpus
from ..workers import mandelbrot_row
from . import busy, report, report_verdict, too_few_processes, worker_problem
from .exercise import exercise

__all__ = [
    "EXERCISE_SIZE",
    "MIN_POOL_SPEEDUP",
    "MIN_ZERO_COPY_GAIN",
    "check_fill_row",
    "check_mandelbrot_speedup",
    "check_zero_copy",
    "fill_row",
    "image_rows",
]

#: ``(width, height)`` of the image the check has ``fill_row`` draw: small, so the check takes a moment.
EXERCISE_SIZE = (48, 24)

#: How many times faster handing over a block's name must be than pickling the array itself.
MIN_ZERO_COPY_GAIN = 5.0

#: How many times faster than the loop 2 workers must draw the picture, given 2 free cores: 1.8x on a
#: quiet machine, but fresh-clone CI runs measured 1.12-1.21x (cause not found), a loop or threads 1.0x.
MIN_POOL_SPEEDUP = 1.1

#: Seconds the check waits for the learner's workers before it stops them.
TIMEOUT = 30.0


def check_zero_copy(pickled_seconds: float, shared_seconds: float, *, free_cpus: float | None = None) -> bool:
    """Was sending a shared block's name at least :data:`MIN_ZERO_COPY_GAIN` times faster than pickling the array?"""
    name = "a shared-memory block's name crosses to a worker faster than the pickled array"
    hint = (
        f"pickling took {pickled_seconds:.4f} s and the shared block {shared_seconds:.4f} s; only the name "
        "and shape should cross to the worker: re-run the cell if the machine was busy"
    )
    if not (pickled_seconds > 0 and shared_seconds > 0):
        return report(False, name, "pass the two measured times, in seconds, both above 0")
    ratio = pickled_seconds / shared_seconds
    return busy.judge_ratio(name, ratio, MIN_ZERO_COPY_GAIN, [pickled_seconds, shared_seconds], hint, free_cpus)


def check_mandelbrot_speedup(
    loop_seconds: float, pool_seconds: float, shared_seconds: float, *, free_cpus: float | None = None
) -> bool | None:
    """Did 2 workers draw the picture faster than the loop, both ways, as far as the free cores allow?

    Over :data:`MIN_POOL_SPEEDUP` times with 2 cores free; on a busy machine the speedup
    asked is scaled to the cores that were free (``free_cpus``, default: what the
    measured times carry); with 1 core nothing is asked.  The slower pool counts.
    """
    name = "2 workers drew the picture as fast as the free cores allowed, with and without shared memory"
    times = {"loop_seconds": loop_seconds, "pool_seconds": pool_seconds, "shared_seconds": shared_seconds}
    for label, value in times.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return report(False, name, f"{label} should be a positive number of seconds, got {value!r}")
    speedup = loop_seconds / max(pool_seconds, shared_seconds)
    cpus = available_cpus()
    hint = f"the slower pool was only {speedup:.2f}x faster than the loop; did both pools have 2 workers?"
    free = busy.free_cpus_for([pool_seconds, shared_seconds], free_cpus) if cpus >= 2 else None
    measured = busy.Speedup(speedup, "the slower of the two pools of 2 workers", "the loop")
    return busy.judge_speedup(name, measured, MIN_POOL_SPEEDUP, free, cpus, hint)


@exercise(
    "fill_row",
    "fill_row writes each Mandelbrot row into the shared image, and leaves the block to its creator",
    children=True,
)
def fill_row(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on the image (``rows``) the workers left in a block of ``size`` (width, height).

    ``there``: the block still existed afterwards; ``status``: ``ok``, ``timeout`` or
    what ``fill_row`` raised; ``returned``: whether it returned something.
    """
    if data.get("problem"):
        return False, str(data["problem"])
    width, height = data["size"]
    if not data.get("there"):
        return False, (
            "the block was gone after the workers ran: call close() in the worker, never unlink(); only the "
            "process that created the block unlinks it, once, when every worker is done"
        )
    status = str(data.get("status", ""))
    if status == "timeout":
        waited = data.get("timeout", TIMEOUT)
        return False, f"the rows did not finish within {waited:.0f} s; does fill_row wait for something?"
    if status != "ok":
        hint = f"fill_row raised {status}"[:400]
        if "buffer is too small" in status:
            hint += "; view the block as (height, width) numpy.int32, the size it was made for"
        return False, hint
    rows = data.get("rows")
    rows = rows if isinstance(rows, list) else []
    if not any(any(row) for row in rows if isinstance(row, list)):
        if data.get("returned"):
            return False, (
                "the shared image stayed all zeros, and fill_row returned something: write the row into the "
                "block (image[row] = ...) instead of returning it"
            )
        return False, (
            "the shared image stayed all zeros: write into a view of the block, "
            "np.ndarray((height, width), dtype=np.int32, buffer=block.buf), not into a copy of it"
        )
    for row in range(height):
        if row >= len(rows) or list(rows[row]) != mandelbrot_row(row, width, height):
            return False, (
                f"row {row} of the image is not mandelbrot_row({row}, width, height) (tried with a "
                f"{width} x {height} image): view the block as (height, width) numpy.int32 counts and write "
                "row number row, nothing else"
            )
    hint = too_few_processes(data, 2, "fill_row", "run it in a pool of 2")
    return not hint, hint


def check_fill_row(
    fill_row: Any, *, method: str | None = None, timeout: float = TIMEOUT, size: tuple[int, int] = EXERCISE_SIZE
) -> bool:
    """Exercise: does ``fill_row(name, row, width, height)`` write its Mandelbrot row into the shared image?

    ``fill_row`` must be loadable by a spawned child (a ``%%worker`` cell); it
    runs in a pool of 2 (start method: ``method``), one task per row of a
    ``size`` (width, height) image of ``numpy.int32`` counts in a block this check
    creates, and must leave the block for its creator to unlink.
    """
    width, height = size
    data: dict[str, Any] = {"size": [width, height], "timeout": timeout}
    data["problem"] = worker_problem(fill_row, "check_fill_row(fill_row)")
    if data["problem"]:
        return report_verdict("fill_row", data)
    block = shared_memory.SharedMemory(create=True, size=width * height * 4)
    try:
        block.buf[:] = bytes(len(block.buf))
        status, returned = _run_rows(fill_row, block.name, width, height, method, timeout)
        data["rows"] = image_rows(bytes(block.buf), width, height)
        data["there"] = _exists(block.name)
    finally:
        block.close()
        if _exists(block.name):
            block.unlink()
    if status == "error":
        data["status"] = f"{type(returned).__name__}: {returned}"
    else:
        data["status"] = status
        data["returned"] = status == "ok" and any(value is not None for value in returned)
    return report_verdict("fill_row", data)


def image_rows(raw: bytes, width: int, height: int) -> list[list[int]]:
    """The (height, width) native int32 image in ``raw`` as rows of ints."""
    values = array.array("i", raw[: width * height * 4])
    return [values[row * width : (row + 1) * width].tolist() for row in range(height)]


def _run_rows(
    func: Callable[..., Any], block: str, width: int, height: int, method: str | None, timeout: float
) -> tuple[str, Any]:
    """Run ``func(block, row, width, height)`` for every row in a pool of 2: ``(status, returned or exception)``."""
    context = get_context(method)
    pool = context.Pool(2)
    try:
        pending = pool.starmap_async(func, [(block, row, width, height) for row in range(height)])
        try:
            return "ok", pending.get(timeout)
        except multiprocessing.TimeoutError:
            return "timeout", None
        except Exception as error:
            return "error", error
    finally:
        pool.terminate()
        pool.join()


def _exists(name: str) -> bool:
    """Is there still a shared-memory block called ``name``? (This process created it, so attaching adds nothing.)"""
    try:
        shared_memory.SharedMemory(name=name).close()
    except FileNotFoundError:
        return False
    return True
