"""Gatherer for notebook 04's exercise: prime counts, with the work seen in the pool's workers."""

from __future__ import annotations

from typing import Any

from ...workers import count_primes
from .common import probe_data
from .exercise import Context, gathers

__all__ = ["prime_counts"]

#: CPU seconds a worker must have spent to count as having counted primes (each limit drawn costs 0.03-0.08 s).
_WORKED = 0.02


@gathers("prime_counts")
def prime_counts(context: Context) -> dict[str, Any]:
    """The learner's pool cell on limits drawn now (large enough that counting shows in CPU time)."""
    limits = sorted(context.rng.sample(range(40_000, 80_000), 4))
    observed = context.run("prime_counts", ("primes_with_limit", "prime_counts"), inputs={"LIMITS": limits})
    data = probe_data(observed, "the answer cells could not be run")
    pairs = data.pop("pairs", None)
    if isinstance(pairs, list):
        data["counts"] = {key: value for key, value in pairs if isinstance(key, int)}
        if len(data["counts"]) != len(pairs):
            data["counts"]["not a limit"] = None
    data["expected"] = {limit: count_primes(limit) for limit in limits}
    if not observed.untraced:
        data["busy"] = observed.busy(_WORKED)
    return data
