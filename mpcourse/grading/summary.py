"""The table printed at the end of a batch: per notebook, then statuses and who needs a look.

Names and details come from submissions: each goes through :func:`.neutralise.for_terminal`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .feedback import UNSANDBOXED
from .neutralise import for_terminal
from .results import DETAILS, STATUS, BatchResult, Outcome, Status, format_points

if TYPE_CHECKING:
    from .notebook import Master

__all__ = ["format_summary", "format_table"]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def format_summary(masters: Sequence[Master], result: BatchResult, unread: Sequence[tuple[str, str]] = ()) -> str:
    """What the teacher reads when the batch is done; ``unread``: entries of the folder not graded, with why."""
    lines = []
    if result.sandbox == "none":
        lines.append(f"WARNING: {UNSANDBOXED}")
    if unread:
        lines.append(f"Not graded: {len(unread)} entr{'y' if len(unread) == 1 else 'ies'} of the submissions folder:")
        lines += [f"  {for_terminal(name)}: {for_terminal(why)}" for name, why in unread]
    if result.skipped:
        lines.append(
            f"Skipped {len(result.skipped)} student(s) whose submission has not changed since it was graded "
            "(--student NAME or --force grades them again)."
        )
    if result.changed:
        names = ", ".join(for_terminal(name) for name in result.changed)
        lines.append(f"Graded again {len(result.changed)} student(s) whose submission changed: {names}")
    if result.adjusted:
        names = ", ".join(for_terminal(name) for name in result.adjusted)
        lines.append(f"Adjustments applied again (not re-run) for {len(result.adjusted)} student(s): {names}")
    if not result.graded:
        lines.append("Nothing graded.")
        return "\n".join(lines)
    lines.append(f"Graded {len(result.graded)} student(s).")
    rows = []
    for index, master in enumerate(masters):
        grades = [student.notebooks[index] for student in result.graded]
        mean = sum(g.score for g in grades) / len(grades)
        rows.append(
            [
                master.name,
                format_points(master.max_points),
                f"{mean:.1f}",
                str(sum(g.score == g.max_points for g in grades)),
                str(sum(all(c.outcome == Outcome.NOT_ATTEMPTED for c in g.checks) for g in grades)),
                str(sum(g.status != Status.OK for g in grades)),
            ]
        )
    header = ["notebook", "max", "mean", "full marks", "not attempted", "not ok"]
    lines += ["", format_table(header, rows), ""]
    rows = [result.rows.get(student.name) or student.row() for student in result.graded]
    statuses = Counter(row[STATUS] for row in rows)
    lines.append("status: " + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())))
    attention = [
        (student.name, row) for student, row in zip(result.graded, rows, strict=True) if row[STATUS] != Status.OK
    ]
    if attention:
        lines.append("needs a look:")
        lines += [f"  {for_terminal(name)}: {for_terminal(row[DETAILS])}" for name, row in attention]
    return "\n".join(lines)
