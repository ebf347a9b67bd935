"""A run's settings besides its notebook, as one object with each default written once (light: no nbformat)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .limits import DEFAULT_LIMITS, Limits
from .sandbox import DEFAULT_MODE

__all__ = ["DEFAULT_SANITIZE", "DEFAULT_SETTINGS", "RunSettings"]

#: The nbval sanitize rules, the one copy: the grader and the course's own tests (pyproject.toml) both use it.
DEFAULT_SANITIZE = Path(__file__).with_name("sanitize.cfg")


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs besides its notebook: limits, sandbox (``bwrap`` or ``none``), nbval sanitize
    rules and the number of runs at once (each gets its share of the CPUs)."""

    limits: Limits = DEFAULT_LIMITS
    sandbox: str = DEFAULT_MODE
    sanitize: Path = DEFAULT_SANITIZE
    jobs: int = 1


#: The settings used when none are given.
DEFAULT_SETTINGS = RunSettings()
