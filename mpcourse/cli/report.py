"""``mpcourse report``: the class report, an HTML page with charts, from a graded gradebook."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, stored_grades

__all__ = ["add_command"]

_REPORT_EPILOG = """\
The page shows each exercise's outcomes (a chart and its pass rate), the hints the
class got most often (what it got wrong), a histogram of totals, and the students
who need a look (not ok, late, adjusted, or under half the points).  Open
OUT/index.html in a browser.

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
    from ..grading.report import write_report

    grades, code = stored_grades(args.gradebook, args.feedback, "report")
    if grades is None:
        return code
    page = write_report(grades, args.out, args.title)
    print(f"wrote {page} ({len(grades)} students)")
    return EXIT_OK
