"""The text printed at the end of a batch: what the run did, then the whole class per notebook, its statuses
and who needs a look (:mod:`.attention`, the same list as the class report's).

Names and details come from submissions: each goes through :func:`.neutralise.for_terminal`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .attention import needs_a_look
from .feedback import UNSANDBOXED
from .neutralise import for_terminal
from .results import STATUS, BatchResult, Outcome, Status, StudentGrade, format_points

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


def _notebook_rows(masters: Sequence[Master], grades: Sequence[StudentGrade]) -> list[list[str]]:
    """Per notebook, over ``grades``: max, mean, full marks, not attempted, not ok (students that have it)."""
    rows = []
    for master in masters:
        found = [nb for grade in grades for nb in grade.notebooks if nb.notebook == master.name]
        mean = sum(nb.score for nb in found) / len(found) if found else 0.0
        rows.append(
            [
                master.name,
                format_points(master.max_points),
                f"{mean:.1f}",
                str(sum(nb.score == nb.max_points for nb in found)),
                str(sum(all(c.outcome == Outcome.NOT_ATTEMPTED for c in nb.checks) for nb in found)),
                str(sum(nb.status != Status.OK for nb in found)),
            ]
        )
    return rows


def format_summary(masters: Sequence[Master], result: BatchResult, unread: Sequence[tuple[str, str]] = ()) -> str:
    """What the teacher reads when the batch is done; ``unread``: entries of the folder not graded, with why.

    What this run did comes first; the statistics and who needs a look describe the
    whole class as the gradebook now holds it (``result.class_grades``), whoever was graded now.
    """
    lines = []
    if result.sandbox == "none":
        lines.append(f"WARNING: {UNSANDBOXED}")
    not_graded = [*unread, *result.refused]
    if not_graded:
        count = len(not_graded)
        lines.append(f"Not graded: {count} entr{'y' if count == 1 else 'ies'} of the submissions folder:")
        lines += [f"  {for_terminal(name)}: {for_terminal(why)}" for name, why in not_graded]
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
    lines.append(f"Graded {len(result.graded)} student(s)." if result.graded else "Nothing graded.")
    grades = result.class_grades or result.graded
    if not grades and not result.rows:
        return "\n".join(lines)
    total = len(result.rows) or len(grades)
    unstored = total - len(grades)
    lines.append(
        f"The class in the gradebook: {total} student(s), {len(result.graded)} graded in this run"
        + (f"; {unstored} without a stored result are not in the statistics." if unstored > 0 else ".")
    )
    header = ["notebook", "max", "mean", "full marks", "not attempted", "not ok"]
    lines += ["", format_table(header, _notebook_rows(masters, grades)), ""]
    statuses = Counter(row[STATUS] for row in result.rows.values()) or Counter(str(g.status) for g in grades)
    lines.append("status: " + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())))
    attention = needs_a_look(grades, result.rows)
    if attention:
        lines.append("needs a look:")
        lines += [f"  {for_terminal(item.name)}: {for_terminal(item.why)}" for item in attention]
    return "\n".join(lines)
