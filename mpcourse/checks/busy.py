"""Busy machines: how many cores a measurement really had, and a note nbval does not compare.

A measured check holds a speedup to what the machine could give: the cores free
while it was measured (carried by :class:`mpcourse.backend.timing.Seconds` and
:class:`mpcourse.backend.timing.SpeedupRow`), or, for a time measured without
``mpcourse.backend.timing``, the cores standing idle when the check runs.

A speedup check's line (:func:`judge_speedup`) claims only what the learner's own
numbers support on any machine: that the speedup matched the cores the workers
were given.  The numbers themselves, the cores free and, when the speedup is low,
the honest reason, come in a :func:`note`: an image in the notebook.  nbval
compares text, HTML, Markdown, stdout and stderr but skips ``image/png`` (unless
run with ``--nbdime``), so the stored ``PASS`` line matches on a busy machine too;
outside a kernel the note goes to stderr.
"""

from __future__ import annotations

import base64
import sys
import textwrap
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..backend.cpus import available_cpus, free_cpus_now
from . import in_kernel, report

__all__ = [
    "BUSY_SHARE",
    "PROBE_SECONDS",
    "Speedup",
    "free_cpus_for",
    "is_busy",
    "judge_ratio",
    "judge_speedup",
    "note",
    "passed_because_busy",
    "scaled_threshold",
    "speedup_note",
]

#: A measurement that had less than this share of the cores it needed ran on a busy machine.
BUSY_SHARE = 0.85
#: How long a check watches the idle cores when the measurement carried no count of its own.
PROBE_SECONDS = 0.3
#: With less than this many cores free, 2 workers have nothing to show: a pool's start-up and
#: hand-offs take about a tenth of 2 workers' time, and one hog on 2 cores leaves about 1.2
#: (benchmarks/busy_speedup.py).
_ONE_CORE = 1.3


def free_cpus_for(measured: Iterable[Any], given: float | None = None) -> float | None:
    """Cores free during the measurement: ``given``, else the least the ``measured`` values carry, else idle now.

    ``None`` where nothing can be measured (no ``/proc``): judge as if the machine was idle.
    """
    if given is not None:
        return given
    carried = [value.free_cpus for value in measured if getattr(value, "free_cpus", None) is not None]
    if carried:
        return min(carried)
    return free_cpus_now(PROBE_SECONDS)


def is_busy(free: float | None, needed: float) -> bool:
    """Did the measurement have clearly less than the ``needed`` cores?"""
    return free is not None and free < BUSY_SHARE * needed


def scaled_threshold(threshold: float, free: float, needed: float = 2.0) -> float | None:
    """The speedup to ask of ``needed`` workers that had ``free`` cores; ``None`` when none can show.

    ``threshold`` is asked when all ``needed`` cores were free, 1.0 (no gain) when one was.
    """
    if free < _ONE_CORE or needed <= 1:
        return None
    share = min(1.0, (free - 1.0) / (needed - 1.0))
    return 1.0 + (threshold - 1.0) * share


def passed_because_busy(name: str, free: float, cores: int, what: str) -> bool:
    """Print the same ``PASS`` line as an idle machine's, then a note that the machine was busy; return True."""
    passed = report(True, name)
    note(
        f"This machine was busy: the measurement had about {free:.1f} of {cores} cores free, so {what}. "
        "Run it again when the machine is quieter to see the full effect."
    )
    return passed


def judge_ratio(
    name: str, ratio: float, threshold: float, measured: Iterable[Any], hint: str, free_cpus: float | None = None
) -> bool:
    """Pass when ``ratio`` (how much faster the better way was) reached ``threshold``.

    For ratios other than a speedup of 2 workers, which a busy machine bends in no
    predictable way: then the better way need only have been faster at all.
    """
    if ratio >= threshold:
        return report(True, name)
    if ratio > 1.0:
        free = free_cpus_for(measured, free_cpus)
        cores = min(2, available_cpus())
        if is_busy(free, cores):
            return passed_because_busy(name, free, cores, f"the faster way had only to be faster ({ratio:.1f}x)")
    return report(False, name, hint)


class Speedup(NamedTuple):
    """A measured speedup, and what to say of it: ``what`` ran ``ratio`` times as fast as ``baseline``."""

    ratio: float
    what: str  # "2 workers", "2 processes", "map"
    baseline: str  # "the loop", "2 threads", "one process"
    workers: int = 2


def speedup_note(speedup: Speedup, free: float | None, cores: int, threshold: float) -> str:
    """The learner's own numbers in words: the speedup, the cores it had, and why when it is low."""
    had = f"{free:.1f} of {cores} cores free" if free is not None else f"{cores} usable cores"
    text = f"Your measurement: {speedup.what} ran {speedup.ratio:.2f}x as fast as {speedup.baseline}, with {had}."
    if cores < 2:
        return f"{text} With one usable core, {speedup.what} can only take turns on it: no speedup is asked here."
    if speedup.ratio > threshold:
        return f"{text} The ideal on {speedup.workers} free cores is {speedup.workers}x."
    if is_busy(free, min(cores, speedup.workers)):
        return (
            f"{text} Other programs kept the cores busy, so {speedup.what} had about {free:.1f} cores between "
            f"them: that, not your code, is why the speedup is low. Run the cells again when the machine "
            f"is quieter to see it near {speedup.workers}x."
        )
    return text


def judge_speedup(
    name: str, speedup: Speedup, threshold: float, free: float | None, cores: int, hint: str
) -> bool | None:
    """Pass when the speedup matched the cores the workers had; show the numbers beside it in a note.

    Over ``threshold`` is asked when ``speedup.workers`` cores were free, a scaled one on a
    busy machine (:func:`scaled_threshold`), nothing with one core free or usable.
    ``name`` must say only that (true on any machine), never a fixed speedup.
    """
    needed = min(cores, speedup.workers)
    if cores < 2 or speedup.ratio > threshold:
        passed = True
    elif not is_busy(free, needed):
        passed = False
    else:
        asked = scaled_threshold(threshold, free, needed)
        passed = asked is None or speedup.ratio > asked
        if not passed:
            hint = f"{hint} With {free:.1f} cores free, over {asked:.2f}x was expected."
    line = report(passed, name, hint)
    note(speedup_note(speedup, free, cores, threshold))
    return line


def note(text: str) -> None:
    """Show ``text`` under the cell as an image (not compared by nbval), or on stderr outside a kernel."""
    if not text:
        return
    if not in_kernel():
        print(text, file=sys.stderr)
        return
    from IPython.display import display

    png = base64.b64encode(_png(text)).decode("ascii")
    display({"image/png": png}, raw=True, metadata={"mpcourse": {"note": text}})


def _png(text: str) -> bytes:
    """``text`` drawn as a small PNG, without touching pyplot's figures."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines = textwrap.wrap(text, width=90)
    figure = Figure(figsize=(7.5, 0.25 + 0.2 * len(lines)), dpi=100)
    FigureCanvasAgg(figure)
    figure.text(0.01, 0.5, "\n".join(lines), va="center", ha="left", fontsize=9, color="#6b4e00")
    figure.patch.set_facecolor("#fff6d8")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=figure.get_facecolor())
    return buffer.getvalue()
