"""Judge for notebook 08's exercise: ``inside_count``, on the check's rows and on rows drawn at grading time.

As ``mpcourse.checks.q8`` says, the judge needs only the function: the total the
learner's cluster computed (``inside_pixels``) is the kernel's own result, feedback
for the learner, not graded.
"""

from __future__ import annotations

from ...checks.q8 import CASES
from .common import IMPORTABLE_PROBE, importable_result
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PROBE = (
    "FUNC = globals().get('inside_count')\n"
    + IMPORTABLE_PROBE
    + """\
if PROBLEM:
    RESULT = {"problem": PROBLEM}
else:
    RESULT = {"values": []}
    for counts, max_iter, as_bytes in ROWS:
        try:
            value = FUNC(bytes(counts) if as_bytes else counts, max_iter)
            RESULT["values"].append(value if type(value) is int else repr(value))
        except Exception as exc:
            RESULT["values"].append({"raised": f"{type(exc).__name__}: {exc}"})
"""
)


def _inside_count(context: Context) -> tuple[bool, str]:
    rows = [(list(counts), max_iter, isinstance(counts, bytes)) for counts, max_iter, _ in CASES]
    for _ in range(3):
        max_iter = context.rng.randrange(20, 256)
        counts = [context.rng.choice([max_iter, context.rng.randrange(1, max_iter)]) for _ in range(30)]
        rows.append((counts, max_iter, context.rng.random() < 0.5))
    how = "check_inside_count(inside_count, inside_pixels)"
    # workers only: the cluster cell needs the learner's cluster
    observed = context.run("", _PROBE, workers_only=True, ROWS=rows, HOW_TO_PASS=how)
    result, hint = importable_result(observed, "inside_count could not be run")
    if hint:
        return False, hint
    values = result.get("values")
    if not isinstance(values, list) or len(values) != len(rows):
        return False, "inside_count could not be run on every row"
    for (counts, max_iter, as_bytes), value in zip(rows, values, strict=True):
        shown = f"bytes({counts!r})" if as_bytes else repr(counts)
        call = f"inside_count({shown}, {max_iter})"
        expected = sum(1 for count in counts if count == max_iter)
        if isinstance(value, dict):
            return False, f"{call} raised {value.get('raised')}"
        if value == len(counts) - expected and value != expected:
            return False, (
                f"{call} returned {value!r}, the pixels that escaped; count those that never did, "
                f"whose count equals max_iter: {expected}"
            )
        if value != expected:
            return False, (
                f"{call} returned {value!r}, expected {expected}: count the entries equal to max_iter "
                "(use the max_iter argument, not a fixed 200)"
            )
    return True, ""


EXERCISES = (
    Exercise("mpcourse.checks.q8", "check_inside_count",
             "inside_count counts the pixels inside the set, and the cluster added them up", _inside_count),
)  # fmt: skip
