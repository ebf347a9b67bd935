"""Judges for notebook 02's exercises: ``choices`` and ``download_all``."""

from __future__ import annotations

from collections.abc import Mapping

from ...checks.q2 import CHOICES, _tool
from .answers import NOT_LITERAL
from .common import failure_hint
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]


def _choices(context: Context) -> tuple[bool, str]:
    choices = context.literals("choices").get("choices", NOT_LITERAL)
    if choices is NOT_LITERAL:
        observed = context.run("", "RESULT = {str(k): str(v) for k, v in dict(choices).items()}\n")
        choices = observed.result
    if not isinstance(choices, Mapping):
        return False, 'make `choices` a dict: task -> "threads" or "processes"'
    missing = [task for task in CHOICES if task not in choices]
    if missing:
        return False, f"{len(missing)} task(s) have no answer yet, e.g. {missing[0]!r}"
    wrong = [task for task, right in CHOICES.items() if _tool(choices[task]) != right]
    return not wrong, (
        f"{len(wrong)} of {len(CHOICES)} are not right yet. For each task ask: does it mostly "
        "wait (network, disk: threads) or compute in Python (processes)?"
    )


_PREAMBLE = "import threading\nimport time\nfrom concurrent.futures import ThreadPoolExecutor\n"
_PREAMBLE += "from mpcourse.workers import sleep_for\n"
_PROBE = """\
start = time.perf_counter()
value = download_all(list(DELAYS))
got = list(value) if hasattr(value, "__iter__") else None
RESULT = {"got": got, "seconds": time.perf_counter() - start}
"""


def _download_all(context: Context) -> tuple[bool, str]:
    delays = [round(context.rng.uniform(0.15, 0.25), 3) for _ in range(6)]
    observed = context.run(_PREAMBLE, _PROBE, DELAYS=delays)
    result = observed.result
    if not isinstance(result, dict):
        return False, failure_hint(observed, "download_all could not be run")
    if result.get("got") != delays:
        return False, "return the list of what sleep_for returned, in the order of `delays`"
    serial = sum(delays)
    seconds = result.get("seconds")
    few_threads = not observed.untraced and observed.threads < 2
    if few_threads or not isinstance(seconds, (int, float)) or seconds >= serial / 2:
        shown = f"it took {seconds:.2f} s" if isinstance(seconds, (int, float)) else "it"
        return False, (
            f"{shown} with {observed.threads} thread(s), about as long as waiting for each in turn "
            f"({serial:.2f} s). Give each download its own thread: ThreadPoolExecutor(max_workers=len(delays))"
        )
    return True, ""


EXERCISES = (
    Exercise("mpcourse.checks.q2", "check_choices", "threads or processes for each task", _choices),
    Exercise("mpcourse.checks.q2", "check_download_all", "download_all waits for all downloads at once",
             _download_all),
)  # fmt: skip
