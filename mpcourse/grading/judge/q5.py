"""Judge for notebook 05's exercise: ``run_all`` runs tasks side by side, in order, leaving no worker."""

from __future__ import annotations

from ...checks.q5 import ORDER_TASKS
from .common import MP_PREAMBLE, failure_hint
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PREAMBLE = MP_PREAMBLE + "from mpcourse.workers import double, traced_sleep\n"
_PROBE = """\
def attempt(func, items):
    try:
        return run_all(func, items), ""
    except Exception as exc:
        return None, f"run_all({func.__name__}, {items!r}) raised {type(exc).__name__}: {exc}"

before = {c.pid for c in multiprocessing.active_children()}
doubled, problem = attempt(double, list(NUMBERS))
records, problem2 = (None, "") if problem else attempt(traced_sleep, list(LENGTHS))
try:
    rows = [[r.pid, r.start, r.end, r.result] for r in records] if records is not None else None
except (TypeError, AttributeError):
    rows = None
RESULT = {
    "problem": problem or problem2,
    "doubled": list(doubled) if isinstance(doubled, (list, tuple)) else repr(doubled),
    "records": rows,
    "left": len({c.pid for c in multiprocessing.active_children()} - before),
}
"""


def _overlapped(rows: list[list[float]], by: float = 0.05) -> bool:
    return any(min(a[2], b[2]) - max(a[1], b[1]) >= by for i, a in enumerate(rows) for b in rows[i + 1 :])


def _run_all(context: Context) -> tuple[bool, str]:
    numbers = context.rng.sample(range(-50, 1000), 7)
    lengths = list(ORDER_TASKS)
    observed = context.run(_PREAMBLE, _PROBE, NUMBERS=numbers, LENGTHS=lengths)
    result = observed.result
    if not isinstance(result, dict):
        return False, failure_hint(observed, "run_all could not be run")
    if result.get("problem"):
        return False, result["problem"]
    if result.get("doubled") != [2 * n for n in numbers]:
        return False, (
            f"run_all(double, {numbers}) gave {result.get('doubled')}; return one result per item, in item order"
        )
    rows = result.get("records")
    if not isinstance(rows, list) or len(rows) != len(lengths):
        return False, f"run_all(traced_sleep, {lengths}) did not return one result per item"
    if [row[3] for row in rows] != lengths:
        return False, (
            "the results came back in the order the tasks finished, not in item order; "
            "map, and apply_async followed by get() in submission order, keep item order "
            "(imap_unordered does not)"
        )
    few = not observed.untraced and observed.processes < 2
    if not _overlapped(rows) or few or len({row[0] for row in rows}) < 2:
        return False, (
            "the tasks ran one after another"
            + (f" ({observed.processes} process(es) really ran)" if few else "")
            + ": pool.apply waits for each result before the next task is sent; use pool.map, "
            "or apply_async for every item and then get()"
        )
    if result.get("left"):
        return False, (
            f"{result['left']} worker process(es) were still running after run_all returned; create the "
            "pool in a with block and call pool.close() and pool.join() before leaving it"
        )
    return True, ""


EXERCISES = (
    Exercise("mpcourse.checks.q5", "check_run_all",
             "run_all runs the tasks side by side, keeps their order and leaves no worker running", _run_all),
)  # fmt: skip
