"""Which exercises a learner has passed, from what their own check cells recorded (their saved outputs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..course_format import CHECK, FAIL_MARK, PASS_MARK, cell_tags, check_title, parse_verdict, source_text

__all__ = ["NOT_RUN", "NOT_YET", "PASSED", "CheckResult", "format_progress", "read_progress"]

PASSED, NOT_YET, NOT_RUN = PASS_MARK, FAIL_MARK, "not run"


@dataclass(frozen=True)
class CheckResult:
    """One check cell of the learner's notebook, and what it last printed there."""

    notebook: str
    cell_id: str
    name: str  # the exercise's name for %solution (the cell id for a check the course does not have)
    title: str
    state: str


def _state_and_title(cell: dict) -> tuple[str, str]:
    """What a check cell last printed: ``(PASS or NOT YET, title)``, or ``(not run, "")``."""
    for output in cell.get("outputs") or []:
        for line in source_text(output.get("text")).splitlines():
            verdict = parse_verdict(line)
            if verdict:
                return verdict
    return NOT_RUN, ""


def read_progress(workspace: str | Path) -> list[CheckResult]:
    """Every check cell (tagged ``check``) of every notebook in ``workspace``, as last saved."""
    from .solutions import exercises

    try:
        known = {(e.notebook, e.check_id): e for e in exercises().values()}
    except Exception:  # the course itself is not needed to read progress
        known = {}
    results = []
    for path in sorted(Path(workspace).expanduser().glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code" or CHECK not in cell_tags(cell):
                continue
            state, title = _state_and_title(cell)
            cell_id = str(cell.get("id", ""))
            exercise = known.get((path.name, cell_id))
            name = exercise.name if exercise else cell_id
            title = title or (exercise.title if exercise else check_title(cell))
            results.append(CheckResult(path.name, cell_id, name, title, state))
    return results


def format_progress(results: list[CheckResult]) -> str:
    """A table for the terminal: per notebook, each exercise's state, then the total."""
    if not results:
        return "No exercises found: is this the folder of your course copy?"
    lines = []
    for notebook in dict.fromkeys(r.notebook for r in results):
        mine = [r for r in results if r.notebook == notebook]
        passed = sum(r.state == PASSED for r in mine)
        lines.append(f"{Path(notebook).stem}: {passed} of {len(mine)} passed")
        lines += [f"  {r.state:<8} {r.name}: {r.title}" for r in mine]
    passed = sum(r.state == PASSED for r in results)
    lines.append(f"\nIn all: {passed} of {len(results)} exercises passed.")
    lines.append("(From your notebooks as last saved: save them, Ctrl+S, to count what you just ran.)")
    return "\n".join(lines)
