"""Judge for notebook 07's exercise: ``fill_row`` writes Mandelbrot rows into a shared block, from workers."""

from __future__ import annotations

from ...checks.q7 import EXERCISE_SIZE
from ...workers import mandelbrot_row
from .common import IMPORTABLE_PROBE, MP_PREAMBLE, importable_result, too_few_processes
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PROBE = (
    "FUNC = globals().get('fill_row')\n"
    + IMPORTABLE_PROBE
    + """\
from multiprocessing import shared_memory
import numpy as np
if PROBLEM:
    RESULT = {"problem": PROBLEM}
else:
    width, height = SIZE
    block = shared_memory.SharedMemory(create=True, size=width * height * 4)
    view = np.ndarray((height, width), dtype=np.int32, buffer=block.buf)
    view[:] = 0
    status, returned = "", []
    pool = ctx.Pool(2)
    try:
        returned = pool.starmap_async(FUNC, [(block.name, row, width, height) for row in range(height)]).get(20)
    except multiprocessing.TimeoutError:
        status = "timeout"
    except Exception as exc:
        status = f"fill_row raised {type(exc).__name__}: {exc}"
    finally:
        pool.terminate()
        pool.join()
    rows = view.tolist()
    del view
    try:
        shared_memory.SharedMemory(name=block.name).close()
        there = True
    except FileNotFoundError:
        there = False
    block.close()
    if there:
        block.unlink()
    RESULT = {"status": status, "rows": rows, "there": there,
              "returned": any(value is not None for value in returned or [])}
"""
)


def _fill_row(context: Context) -> tuple[bool, str]:
    while (size := (context.rng.randrange(20, 61), context.rng.randrange(8, 25))) == EXERCISE_SIZE:
        pass
    width, height = size
    observed = context.run(MP_PREAMBLE, _PROBE, SIZE=list(size), HOW_TO_PASS="check_fill_row(fill_row)")
    result, hint = importable_result(observed, "fill_row could not be run")
    if hint:
        return False, hint
    if not result.get("there"):
        return False, (
            "the block was gone after the workers ran: call close() in the worker, never unlink(); only the "
            "process that created the block unlinks it, once, when every worker is done"
        )
    if result.get("status") == "timeout":
        return False, "the rows did not finish within 20 s; does fill_row wait for something?"
    if result.get("status"):
        return False, str(result["status"])[:400]
    rows = result.get("rows")
    if not isinstance(rows, list) or not any(any(row) for row in rows if isinstance(row, list)):
        if result.get("returned"):
            return False, (
                "the shared image stayed all zeros, and fill_row returned something: write the row into the "
                "block (image[row] = ...) instead of returning it"
            )
        return False, (
            "the shared image stayed all zeros: write into a view of the block, "
            "np.ndarray((height, width), dtype=np.int32, buffer=block.buf), not into a copy of it"
        )
    for row in range(height):
        if row >= len(rows) or rows[row] != mandelbrot_row(row, width, height):
            return False, (
                f"row {row} of the image is not mandelbrot_row({row}, width, height) (tried with a "
                f"{width} x {height} image): view the block as (height, width) numpy.int32 counts and write "
                "row number row, nothing else"
            )
    hint = too_few_processes(observed, 2, "fill_row")
    return not hint, hint


EXERCISES = (
    Exercise("mpcourse.checks.q7", "check_fill_row",
             "fill_row writes each Mandelbrot row into the shared image, and leaves the block to its creator",
             _fill_row),
)  # fmt: skip
