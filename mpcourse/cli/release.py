"""``mpcourse release``: write the student copies of the master notebooks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, MASTER_HELP, error, load_masters

__all__ = ["add_command"]

_RELEASE_EPILOG = """\
Each student copy keeps the text, demos and their outputs; answer cells get a
stub saying what to write, check cells are locked (not editable, not deletable)
and lose their outputs, and cells tagged `hidden` are left out.  No solution
text is copied.

example:
  python -m mpcourse release student/                 # from the repo's notebooks/
  python -m mpcourse release student/ --master teacher/notebooks
"""


def add_command(commands: Any) -> None:
    """Add ``release`` to the subcommands ``commands``."""
    release = commands.add_parser(
        "release",
        help="write the student copies of the master notebooks",
        description="Write the student copies of the master notebooks into OUT_DIR.",
        epilog=_RELEASE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    release.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder for the student copies")
    release.add_argument("--master", metavar="DIR", type=Path, help=MASTER_HELP)
    release.add_argument(
        "--no-solutions", action="store_true",
        help="for graded work: %%solution gives no reference answer in these copies (it says so)",
    )  # fmt: skip
    release.set_defaults(run=release_command)


def release_command(args: argparse.Namespace) -> int:
    """Write the student copies; print each file written."""
    from ..grading.release import release

    masters, code = load_masters(args.master, "release", executed=False)
    if masters is None:
        return code
    try:
        written = release(masters, args.out_dir, solutions=not args.no_solutions)
    except (ValueError, OSError) as exc:
        return error("release", str(exc))
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK
