"""The class report: one HTML page with PNG charts that says how the class did and who needs a look.

Read from the students' stored results (:mod:`.store`): per-exercise outcomes (a
chart and a table of pass rates), the most common hints (what the class got wrong),
a histogram of totals, the students that need a look (:mod:`.attention`: the
same list, with the same reasons, as the summary of ``grade``), and the students
who handed in the same answers (:mod:`.identical`, also as a CSV).  Learner text goes through
:func:`.neutralise.for_terminal` and then HTML escaping: the page shows it, never runs it.
Charts are drawn with matplotlib's Agg canvas (no display, no global pyplot state).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .attention import needs_a_look
from .exports import exercise_columns
from .gradebook import atomic_write_text
from .identical import IdenticalAnswers, identical_answers, write_identical
from .neutralise import for_terminal
from .results import Outcome, StudentGrade, format_points

__all__ = ["CHARTS", "IDENTICAL_CSV", "ExerciseStats", "common_hints", "exercise_stats", "write_report"]

#: The chart files the report shows, beside its ``index.html``.
CHARTS = ("exercises.png", "totals.png")
#: The CSV of students with the same answers (:mod:`.identical`), beside ``index.html``.
IDENTICAL_CSV = "identical-answers.csv"
_OUTCOMES = (Outcome.PASS, Outcome.FAIL, Outcome.NOT_ATTEMPTED, Outcome.NOT_RUN, Outcome.NOT_GRADED)
_COLOURS = ("#2e7d32", "#c62828", "#9e9e9e", "#f9a825", "#5d4037")
# Values a hint quotes from one learner's answer: masked so the same hint counts once for the class.
_LEARNER_VALUE = re.compile(r"(?<=\(you gave ).*(?=\))|'[^']*'|\"[^\"]*\"")


@dataclass(frozen=True)
class ExerciseStats:
    """How the class did on one exercise: its short name and how many students got each outcome."""

    name: str
    counts: dict[Outcome, int]

    @property
    def pass_rate(self) -> float:
        """The share of students that passed (0 to 1)."""
        total = sum(self.counts.values())
        return self.counts.get(Outcome.PASS, 0) / total if total else 0.0


def exercise_stats(grades: Sequence[StudentGrade]) -> list[ExerciseStats]:
    """Each exercise's outcomes over the class, in notebook order."""
    stats = []
    for name, notebook, check in exercise_columns(grades):
        counts: Counter[Outcome] = Counter()
        for grade in grades:
            for graded in grade.notebooks:
                for result in graded.checks:
                    if graded.notebook == notebook and result.name == check:
                        counts[Outcome(result.outcome)] += 1
        stats.append(ExerciseStats(name, dict(counts)))
    return stats


def common_hints(grades: Sequence[StudentGrade], top: int = 10) -> list[tuple[str, int]]:
    """The hints students got most often (learner values masked), with how many students got each."""
    counts: Counter[str] = Counter()
    for grade in grades:
        seen = set()
        for notebook in grade.notebooks:
            for check in notebook.checks:
                if check.outcome == Outcome.FAIL and check.output.strip():
                    first = check.output.strip().splitlines()[0][:200]
                    seen.add(_LEARNER_VALUE.sub("…", first))
        counts.update(seen)
    return counts.most_common(top)


def _draw_exercises(stats: Sequence[ExerciseStats], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.5 * max(3, len(stats)) + 1.2))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [item.name for item in stats]
    left = [0.0] * len(stats)
    for outcome, colour in zip(_OUTCOMES, _COLOURS, strict=True):
        values = [item.counts.get(outcome, 0) for item in stats]
        if any(values):
            axes.barh(names, values, left=left, color=colour, label=str(outcome))
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("students")
    axes.set_title("Outcome of each exercise")
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=90)


def _draw_totals(grades: Sequence[StudentGrade], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    maximum = max((grade.max_points for grade in grades), default=1) or 1
    bins = [edge - 0.5 for edge in range(int(maximum) + 2)] if maximum <= 20 else 20  # one bar per point
    axes.hist([grade.score for grade in grades], bins=bins, rwidth=0.9)
    axes.set_xlabel(f"total points (of {format_points(maximum)})")
    axes.set_ylabel("students")
    axes.set_title("Totals")
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=90)


def _text(value: str) -> str:
    return html.escape(for_terminal(value))


def _page(
    grades: Sequence[StudentGrade],
    stats: Sequence[ExerciseStats],
    title: str,
    rows: Mapping[str, Mapping[str, str]],
    identical: Sequence[IdenticalAnswers],
) -> str:
    rates = "".join(
        f"<tr><td>{_text(item.name)}</td><td>{100 * item.pass_rate:.0f}%</td>"
        f"<td>{item.counts.get(Outcome.NOT_ATTEMPTED, 0)}</td></tr>"
        for item in stats
    )
    hints = "".join(f"<tr><td>{count}</td><td>{_text(hint)}</td></tr>" for hint, count in common_hints(grades))
    look = "".join(
        f"<tr><td>{_text(item.name)}</td><td>{_text(item.total)}</td><td>{_text(item.why)}</td></tr>"
        for item in needs_a_look(grades, rows)
    )
    same = "".join(
        f"<tr><td>{_text(group.exercise)}</td><td>{_text(', '.join(group.students))}</td></tr>" for group in identical
    )
    mean = sum(grade.score for grade in grades) / len(grades) if grades else 0
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_text(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}}img{{max-width:100%}}</style></head>
<body>
<h1>{_text(title)}</h1>
<p>{len(grades)} students; mean total {mean:.1f}.</p>
<h2>Exercises</h2>
<img id="exercises" src="exercises.png" alt="outcome of each exercise">
<table id="pass-rates"><tr><th>exercise</th><th>passed</th><th>not attempted</th></tr>{rates}</table>
<h2>What the class got wrong most</h2>
<table id="hints"><tr><th>students</th><th>hint</th></tr>{hints}</table>
<h2>Totals</h2>
<img id="totals" src="totals.png" alt="histogram of totals">
<h2>Students who need a look</h2>
<table id="needs-a-look"><tr><th>student</th><th>total</th><th>why</th></tr>{look}</table>
<h2>Same answers</h2>
<p>Students who handed in the same text for an exercise (not the release's stub, not the reference answer,
not a short answer: a signal to look at, not a verdict); also in <a href="{IDENTICAL_CSV}">{IDENTICAL_CSV}</a>.</p>
<table id="identical"><tr><th>exercise</th><th>students</th></tr>{same}</table>
</body></html>
"""


def write_report(
    grades: Sequence[StudentGrade],
    folder: str | Path,
    title: str = "Class report",
    rows: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write ``index.html``, its charts and :data:`IDENTICAL_CSV` into ``folder``; return the page's path.

    ``rows``: the gradebook's, whose statuses the list of who needs a look uses.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stats = exercise_stats(grades)
    identical = identical_answers(grades)
    _draw_exercises(stats, folder / CHARTS[0])
    _draw_totals(grades, folder / CHARTS[1])
    write_identical(folder / IDENTICAL_CSV, identical)
    page = folder / "index.html"
    atomic_write_text(page, _page(grades, stats, title, rows or {}, identical))
    return page
