"""Judge for notebook 09's exercise: ``logged_squares`` brings its workers' log records to the parent's handler.

The verdict is the check's own (:func:`mpcourse.checks.q9.logged_squares_verdict`), on
numbers drawn at grading time, with the processes counted from outside the run.
"""

from __future__ import annotations

from ...checks.q9 import EXERCISE_NUMBERS, LOGGED_SQUARES_TITLE, logged_squares_verdict
from .common import MP_PREAMBLE, failure_hint
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

#: What the chapter's import cell gives the answer.
_PREAMBLE = (
    MP_PREAMBLE
    + "import logging\nimport logging.handlers\n"
    + "from mpcourse.program_workers import SQUARES_LOGGER, log_square, log_to_queue\n"
)
_PROBE = """\
from mpcourse.checks.q9 import gather_logged_squares
FUNC = globals().get("logged_squares")
RESULT = {"outcome": gather_logged_squares(FUNC, NUMBERS) if callable(FUNC) else None}
"""


def _logged_squares(context: Context) -> tuple[bool, str]:
    while sorted(numbers := context.rng.sample(range(-40, 200), 5)) == sorted(EXERCISE_NUMBERS[:5]):
        pass
    observed = context.run(_PREAMBLE, _PROBE, NUMBERS=numbers)
    result = observed.result
    if not isinstance(result, dict):
        return False, failure_hint(observed, "logged_squares could not be run")
    outcome = result.get("outcome")
    if not isinstance(outcome, dict):
        return False, "define a function logged_squares(numbers, handler)"
    outcome["processes"] = None if observed.untraced else observed.processes
    return logged_squares_verdict(numbers, outcome)


EXERCISES = (Exercise("mpcourse.checks.q9", "check_logged_squares", LOGGED_SQUARES_TITLE, _logged_squares),)
