"""What the judge's gatherers share: the probe's data joined with what the tracer observed."""

from __future__ import annotations

from typing import Any

from .run import Observed

__all__ = ["probe_data", "sample_other"]


def probe_data(observed: Observed, what: str) -> dict[str, Any]:
    """The probe's data, with the processes and threads the tracer counted; ``{"problem": hint}`` when there is none.

    A learner cell that raised is named in the hint of a probe that found nothing to judge.
    """
    result = observed.result
    errors = [str(error) for error in observed.outcome.get("errors") or []]
    if not isinstance(result, dict):
        hint = f"{what}: {observed.failure}"
        data: dict[str, Any] = {"problem": hint + (f" ({errors[0]})" if errors else "")}
        if observed.problem:  # no report from the tracer: the grading machinery failed, not the answer
            data["grading_failed"] = True
        return data
    data = dict(result)
    data.pop("grading_failed", None)
    if data.get("problem") and errors:
        data["problem"] = f"{data['problem']} ({errors[0]})"
    if not observed.untraced:
        data["traced_processes"] = observed.processes
        data["threads"] = observed.threads
    return data


def sample_other(rng: Any, population: range, count: int, visible: tuple[int, ...]) -> list[int]:
    """``count`` numbers drawn from ``population``, never exactly the ``visible`` ones."""
    while True:
        numbers = rng.sample(population, count)
        if tuple(numbers) != tuple(visible):
            return numbers
