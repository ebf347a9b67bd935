"""``mpcourse gradebook merge``: join gradebook parts (e.g. from ``grade --shard``) into one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import EXIT_OK, error

__all__ = ["add_command"]

_MERGE_EPILOG = """\
example:
  python -m mpcourse gradebook merge gradebook.csv part1.csv part2.csv

A student found in several parts keeps the row of the last part given (a warning
names them).  OUT is written atomically.
"""


def add_command(commands: Any) -> None:
    """Add ``gradebook`` (with its action ``merge``) to the subcommands ``commands``."""
    gradebook = commands.add_parser(
        "gradebook", help="work with gradebook files", description="Work with gradebook CSV files."
    )
    actions = gradebook.add_subparsers(dest="action", required=True, metavar="{merge}")
    merge = actions.add_parser(
        "merge",
        help="join gradebook parts (e.g. from --shard) into one",
        description="Join gradebook parts (e.g. from grade --shard) into OUT.",
        epilog=_MERGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument("out", metavar="OUT", type=Path, help="the merged gradebook to write")
    merge.add_argument("parts", metavar="PART", type=Path, nargs="+", help="gradebook parts to join")
    merge.set_defaults(run=merge_command)


def merge_command(args: argparse.Namespace) -> int:
    """Merge the parts into OUT; warn about students found in several."""
    from ..grading.gradebook import GradebookError, merge_gradebooks, write_gradebook

    try:
        rows, twice = merge_gradebooks(args.parts)
    except (GradebookError, OSError) as exc:
        return error("gradebook merge", str(exc))
    if twice:
        print(f"warning: in several parts (the last part wins): {', '.join(twice)}", file=sys.stderr)
    write_gradebook(args.out, rows)
    print(f"wrote {args.out}: {len(rows)} students from {len(args.parts)} parts")
    return EXIT_OK
