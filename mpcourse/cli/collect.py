"""``mpcourse collect``: gather submissions from nbgrader's exchange or an LMS download into a folder to grade."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, error

__all__ = ["add_command"]

_COLLECT_EPILOG = """\
sources:
  nbgrader DIR   nbgrader's submitted/ folder: DIR/<student>/<assignment>/*.ipynb
                 (needs --assignment; its timestamp.txt is when the student handed in)
  lms ZIP        a Canvas or Moodle "download all submissions" archive: the student is
                 read from each file name; of several attempts at a file, the latest is kept

OUT gets one folder per student with their notebooks, and OUT/.submitted.csv (when
each handed in), which `grade --due` uses for lateness.

examples:
  python -m mpcourse collect nbgrader exchange/course/submitted --assignment ps1 submissions/
  python -m mpcourse collect lms submissions.zip submissions/
  python -m mpcourse grade submissions/ --due 2026-12-01T23:59
"""


def add_command(commands: Any) -> None:
    """Add ``collect`` to the subcommands ``commands``."""
    collect = commands.add_parser(
        "collect",
        help="gather submissions from nbgrader's exchange or an LMS download",
        description="Gather submissions into OUT, one folder per student, ready for mpcourse grade.",
        epilog=_COLLECT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    collect.add_argument("source_kind", metavar="SOURCE", choices=("nbgrader", "lms"), help="nbgrader or lms")
    collect.add_argument("source", metavar="PATH", type=Path, help="nbgrader's submitted/ folder, or the LMS zip")
    collect.add_argument("out", metavar="OUT", type=Path, help="the folder to fill (one folder per student)")
    collect.add_argument("--assignment", help="the assignment's folder name in nbgrader's exchange")
    collect.set_defaults(run=collect_command)


def collect_command(args: argparse.Namespace) -> int:
    """Collect into OUT; print how many students."""
    from ..grading.collect import CollectError, collect_lms, collect_nbgrader

    try:
        if args.source_kind == "nbgrader":
            if not args.assignment:
                return error("collect", "collecting from nbgrader needs --assignment NAME")
            folders = collect_nbgrader(args.source, args.assignment, args.out)
        else:
            folders = collect_lms(args.source, args.out)
    except (CollectError, OSError) as exc:
        return error("collect", str(exc))
    print(f"collected {len(folders)} students into {args.out}/")
    return EXIT_OK
