"""Whether an answer cell holds the learner's work or still the stub the student copy gave them."""

from __future__ import annotations

__all__ = ["is_attempted"]


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def is_attempted(source: str, stub: str) -> bool:
    """Did the learner write something: not the stub, and not only comments and blank lines?"""
    if _normalized(source) == _normalized(stub):
        return False
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())
