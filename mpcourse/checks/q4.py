"""Checks for notebook 04, what a pool is: measured reuse, chunksize, and the exercise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import busy, report, report_verdict, worker_problem
from .exercise import exercise

__all__ = ["LIMITS", "MIN_RATIO", "check_chunksize", "check_pool_reuse", "check_prime_counts", "prime_counts"]

#: The exercise's inputs: count the primes below each of these limits.
LIMITS = (1_000, 2_000, 5_000, 10_000)
_PRIMES_BELOW = {100: 25, 1_000: 168, 2_000: 303, 5_000: 669, 10_000: 1229}

#: How much faster the better way must be before a measured demo counts as showing it.
MIN_RATIO = 2.0


def check_pool_reuse(process_seconds: float, pool_seconds: float, *, free_cpus: float | None = None) -> bool:
    """Did one pool run the tasks at least twice as fast as a new process per task?

    On a busy machine (``free_cpus``, by default what the times carry) the pool
    need only have been faster.
    """
    name = "a pool that reuses its workers beat a new process per task"
    hint = (
        f"the pool took {pool_seconds:.3f} s and the processes {process_seconds:.3f} s; pass the "
        "process-per-task time first, then the pool time, and re-run the cell if the machine was busy"
    )
    if not pool_seconds > 0:
        return report(False, name, hint)
    ratio = process_seconds / pool_seconds
    return busy.judge_ratio(name, ratio, MIN_RATIO, [process_seconds, pool_seconds], hint, free_cpus)


def check_chunksize(one_at_a_time: float, in_chunks: float, *, free_cpus: float | None = None) -> bool:
    """Were many tiny tasks at least twice as fast in chunks as one message per task?

    On a busy machine (``free_cpus``, by default what the times carry) chunks need
    only have been faster.
    """
    name = "sending tiny tasks in chunks beat one task at a time"
    hint = (
        f"chunksize=1 took {one_at_a_time:.3f} s and the chunked map {in_chunks:.3f} s; pass the "
        "chunksize=1 time first, then the chunked time, and re-run the cell if the machine was busy"
    )
    if not in_chunks > 0:
        return report(False, name, hint)
    ratio = one_at_a_time / in_chunks
    return busy.judge_ratio(name, ratio, MIN_RATIO, [one_at_a_time, in_chunks], hint, free_cpus)


@exercise("prime_counts", "prime counts from imap_unordered", children=True)
def prime_counts(data: dict[str, Any]) -> tuple[bool, str]:
    """Verdict on ``primes_with_limit(100)`` (``sample``) and ``counts`` against ``expected`` (limit -> primes).

    ``busy``: how many child processes did real work (CPU time seen from outside;
    ``None`` where not observed).
    """
    if data.get("problem"):
        return False, str(data["problem"])
    sample = data.get("sample")
    if isinstance(sample, dict):
        return False, f"primes_with_limit(100) raised {sample.get('raised')}"
    if not (isinstance(sample, (tuple, list)) and list(sample) == [100, 25]):
        return False, (
            f"primes_with_limit(100) returned {sample!r}; return the limit with its count, (100, 25), "
            "so each result says which task it belongs to"
        )
    counts, expected = data.get("counts"), dict(data["expected"])
    if not isinstance(counts, dict):
        return False, (
            f"prime_counts is a {data.get('type', type(counts).__name__)}; imap_unordered gives (limit, count) "
            "pairs in the order tasks finish, so build a dict from them: dict(pool.imap_unordered(...))"
        )
    if set(counts) != set(expected):
        return False, (
            f"prime_counts should have one key per limit in LIMITS {list(expected)}; it has {sorted(counts, key=repr)}"
        )
    for limit, right in expected.items():
        if counts[limit] != right:
            return False, (
                f"prime_counts[{limit}] is {counts[limit]!r}, but there are {right} primes "
                "below it: did a count end up under another limit?"
            )
    busy = data.get("busy")
    if busy is not None and busy < 2:
        return False, (
            f"the counts are right, but {busy} worker process(es) counted primes: the work ran in this "
            "process. Count them in a pool: with mpcourse.Pool(2) as pool: dict(pool.imap_unordered(...))"
        )
    return True, ""


def check_prime_counts(func: Callable[[int], Any], counts: Any) -> bool:
    """Exercise: did a ``%%worker`` function and ``imap_unordered`` give ``{limit: primes below it}``?"""
    data: dict[str, Any] = {"expected": {limit: _PRIMES_BELOW[limit] for limit in LIMITS}, "counts": counts}
    data["problem"] = worker_problem(func, "check_prime_counts(primes_with_limit, prime_counts)")
    if not data["problem"]:
        try:
            data["sample"] = func(100)
        except Exception as exc:
            data["sample"] = {"raised": f"{type(exc).__name__}: {exc}"}
    return report_verdict("prime_counts", data)
