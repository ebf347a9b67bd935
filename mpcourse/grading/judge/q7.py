"""Gatherer for notebook 07's exercise: ``fill_row`` writing into a block the tracer owns and reads back."""

from __future__ import annotations

from typing import Any

from ...checks.q7 import EXERCISE_SIZE, image_rows
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["fill_row"]


@gathers("fill_row")
def fill_row(context: Context) -> dict[str, Any]:
    """``fill_row`` over every row of an image of a size drawn now, in a block created and read by the tracer."""
    while (size := (context.rng.randrange(20, 61), context.rng.randrange(8, 25))) == EXERCISE_SIZE:
        pass
    width, height = size
    observed = context.run("fill_row", ("fill_row",), args={"size": [width, height]}, block=width * height * 4)
    data = probe_data(observed, "fill_row could not be run")
    data["size"] = [width, height]
    block = observed.owned.get("block") or {}
    data["there"] = bool(block.get("there"))
    try:
        data["rows"] = image_rows(bytes.fromhex(str(block.get("hex", ""))), width, height)
    except ValueError:
        data["rows"] = []
    return data
