"""``mpcourse report``: the class report, an HTML page with charts, from a graded gradebook."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, stored_class

__all__ = ["add_command"]

_REPORT_EPILOG = """\
The page shows each exercise's outcomes (a chart and its pass rate), the hints the
class got most often (what it got wrong), a histogram of totals, the students who
need a look (not ok, late, adjusted, under half the points, or the same answer as
another student: the list grade's summary prints), and the students who handed in
the same answers (also in OUT/identical-answers.csv).  Open OUT/index.html in a browser.

example:
  python -m mpcourse report --gradebook gradebook.csv --out report/
"""


def add_command(commands: Any) -> None:
    """Add ``report`` to the subcommands ``commands``."""
    report = commands.add_parser(
        "report",
        help="write the class report (HTML with charts) of a graded gradebook",
        description="Write the class report of a graded gradebook: OUT/index.html and its charts.",
        epilog=_REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("--out", metavar="DIR", type=Path, default=Path("report"), help="default: report/")
    report.add_argument(
        "--gradebook", metavar="CSV", type=Path, default=Path("gradebook.csv"), help="default: gradebook.csv"
    )
    report.add_argument("--feedback", metavar="DIR", type=Path, help="its feedback (default: feedback/ beside it)")
    report.add_argument("--title", default="Class report", help="the page's title")
    report.set_defaults(run=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Write the report; print where it is."""
    from ..grading.report import IDENTICAL_CSV, write_report

    found, code = stored_class(args.gradebook, args.feedback, "report")
    if found is None:
        return code
    grades, rows = found
    page = write_report(grades, args.out, args.title, rows)
    print(f"wrote {page} ({len(grades)} students) and {page.parent / IDENTICAL_CSV}")
    return EXIT_OK
