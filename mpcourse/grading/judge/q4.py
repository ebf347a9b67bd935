"""Judge for notebook 04's exercise: prime counts from ``imap_unordered``."""

from __future__ import annotations

from ...workers import count_primes
from .common import IMPORTABLE_PROBE, MP_PREAMBLE, importable_result, too_few_processes
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PROBE = (
    "FUNC = globals().get('primes_with_limit')\n"
    + IMPORTABLE_PROBE
    + """\
if PROBLEM:
    RESULT = {"problem": PROBLEM}
else:
    try:
        sample = FUNC(100)
        sample = list(sample) if isinstance(sample, (tuple, list)) else repr(sample)
    except Exception as exc:
        sample = {"raised": f"{type(exc).__name__}: {exc}"}
    counts = globals().get("prime_counts")
    RESULT = {
        "sample": sample,
        "type": type(counts).__name__,
        "counts": [[k, v] for k, v in counts.items()] if isinstance(counts, dict) else None,
    }
"""
)


def _prime_counts(context: Context) -> tuple[bool, str]:
    limits = sorted(context.rng.sample(range(500, 12_000), 4))
    observed = context.run(
        MP_PREAMBLE, _PROBE, LIMITS=limits, HOW_TO_PASS="check_prime_counts(primes_with_limit, prime_counts)"
    )
    result, hint = importable_result(observed, "the answer cells could not be run")
    if hint:
        return False, hint
    sample = result.get("sample")
    if isinstance(sample, dict):
        return False, f"primes_with_limit(100) raised {sample.get('raised')}"
    if sample != [100, 25]:
        return False, (
            f"primes_with_limit(100) returned {sample!r}; return the limit with its count, (100, 25), "
            "so each result says which task it belongs to"
        )
    pairs = result.get("counts")
    if pairs is None:
        return False, (
            f"prime_counts is a {result.get('type')}; imap_unordered gives (limit, count) pairs in "
            "the order tasks finish, so build a dict from them: dict(pool.imap_unordered(...))"
        )
    counts = {key: value for key, value in pairs if isinstance(key, int)}
    if set(counts) != set(limits) or len(pairs) != len(limits):
        return False, f"prime_counts should have one key per limit in LIMITS (tried with LIMITS = {limits})"
    for limit in limits:
        if counts[limit] != count_primes(limit):
            return False, (
                f"prime_counts[{limit}] is {counts[limit]!r}, but there are {count_primes(limit)} primes "
                "below it: did a count end up under another limit?"
            )
    hint = too_few_processes(observed, 2, "the pool")
    return not hint, hint


EXERCISES = (Exercise("mpcourse.checks.q4", "check_prime_counts", "prime counts from imap_unordered", _prime_counts),)
