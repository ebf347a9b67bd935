"""The adjustment options of ``mpcourse grade`` (overrides, extensions, due date, late penalty), remembered per run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_adjustment_options", "read_adjustments", "remembered_adjustments"]


def add_adjustment_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--overrides``, ``--extensions``, ``--due``, ``--late-penalty`` and ``--forget-adjustments``."""
    parser.add_argument(
        "--overrides", metavar="CSV", type=Path,
        help="the teacher's points for some exercises: student,exercise,points,reason (kept across regrades)",
    )  # fmt: skip
    parser.add_argument(
        "--extensions", metavar="CSV", type=Path, help="a student's own due date: student,due,reason"
    )  # fmt: skip
    parser.add_argument(
        "--due", metavar="WHEN", help="the due date, e.g. 2026-12-01T23:59 (local time unless it names a zone)"
    )  # fmt: skip
    parser.add_argument(
        "--late-penalty", metavar="PERCENT", type=float,
        help="percent of the points taken off per day late, a day begun counting (default: none)",
    )  # fmt: skip
    parser.add_argument(
        "--forget-adjustments", action="store_true",
        help="do not use the adjustment options of the last run (each run remembers the ones it was given)",
    )  # fmt: skip


_ADJUSTMENT_OPTIONS = ("overrides", "extensions", "due", "late_penalty")


def remembered_adjustments(args: argparse.Namespace, feedback: Path) -> list[str]:
    """Fill the adjustment options not given from the last run's (kept beside the results); remember these.

    So a regrade without them keeps the teacher's adjustments; ``--forget-adjustments`` drops them.
    Returns the options taken from the last run.
    """
    import json

    from ..grading.gradebook import atomic_write_text
    from ..grading.store import RESULTS_DIR

    path = feedback / RESULTS_DIR / ".adjustments.json"
    try:
        last = {} if args.forget_adjustments else json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    taken = []
    for option in _ADJUSTMENT_OPTIONS:
        if getattr(args, option) is None and last.get(option) is not None:
            value = last[option]
            setattr(args, option, Path(value) if option in ("overrides", "extensions") else value)
            taken.append(f"--{option.replace('_', '-')} {value}")
    chosen = {option: getattr(args, option) for option in _ADJUSTMENT_OPTIONS}
    chosen = {k: str(v.resolve()) if isinstance(v, Path) else v for k, v in chosen.items() if v is not None}
    if chosen or path.exists():
        atomic_write_text(path, json.dumps(chosen, indent=1) + "\n")
    return taken


def read_adjustments(args: argparse.Namespace) -> Any:
    """The teacher's :class:`~mpcourse.grading.overrides.Adjustments` (``AdjustmentsError`` when unreadable)."""
    from ..grading.overrides import Adjustments, parse_due, read_extensions, read_overrides

    return Adjustments(
        overrides=read_overrides(args.overrides) if args.overrides else (),
        extensions=read_extensions(args.extensions) if args.extensions else {},
        due=parse_due(args.due) if args.due else None,
        penalty_percent_per_day=args.late_penalty or 0.0,
    )
