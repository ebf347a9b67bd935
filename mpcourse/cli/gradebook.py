"""``mpcourse gradebook merge|export``: join gradebook parts safely; write what an LMS or a spreadsheet imports."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from .common import EXIT_OK, error, stored_grades

__all__ = ["add_command"]

_MERGE_EPILOG = """\
example:
  python -m mpcourse gradebook merge m1/gradebook.csv m2/gradebook.csv --out gradebook.csv

Only OUT is written (atomically), and OUT may be none of the parts; an existing OUT
is replaced only if it is a gradebook.  Each part's feedback folder (feedback/ beside
it) is merged too, into --feedback (default: feedback/ beside OUT): each student's
feedback and result come from the part their row comes from.  A student in several
parts with different rows is a conflict: the merge refuses, naming them, unless
--prefer says which row wins (newest: graded last; last: the last part given).
"""

_EXPORT_EPILOG = """\
formats:
  table     student, one column per exercise (short names), total, max, percent, late,
            penalty, status: for a spreadsheet (UTF-8 with a byte order mark)
  canvas    Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section,
            ASSIGNMENT, and a Points Possible row (needs --roster)
  moodle    Moodle's CSV grade import: First name, Last name, ID number, Email address,
            ASSIGNMENT, Feedback; map "Email address" or "ID number" on the import page
            (needs --roster)
  nbgrader  nbgrader export's columns: assignment, duedate, timestamp, student_id,
            last_name, first_name, email, raw_score, late_submission_penalty, score, max_score

The roster is a CSV with a `student` column (the names in the gradebook) and any of
id, sis_user_id, sis_login_id, email, first_name, last_name, section.  Students not in
it are left out of a Canvas or Moodle export, and named.

examples:
  python -m mpcourse gradebook export table --out grades.csv
  python -m mpcourse gradebook export canvas --roster roster.csv --assignment "Homework 1 (1234)" --out canvas.csv
  python -m mpcourse gradebook export moodle --roster roster.csv --assignment "Homework 1" --out moodle.csv
"""


def add_command(commands: Any) -> None:
    """Add ``gradebook`` (with its actions ``merge`` and ``export``) to the subcommands ``commands``."""
    from ..grading.exports import FORMATS
    from ..grading.gradebook import PREFERENCES

    gradebook = commands.add_parser(
        "gradebook", help="merge gradebook parts, export grades", description="Work with gradebook CSV files."
    )
    actions = gradebook.add_subparsers(dest="action", required=True, metavar="{merge,export}")
    merge = actions.add_parser(
        "merge",
        help="join gradebook parts (e.g. from --shard) and their feedback into one",
        description="Join gradebook parts (e.g. from grade --shard) and their feedback folders into OUT.",
        epilog=_MERGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_argument("parts", metavar="PART", type=Path, nargs="+", help="gradebook parts to join")
    merge.add_argument("--out", metavar="OUT", type=Path, required=True, help="the merged gradebook to write")
    merge.add_argument("--feedback", metavar="DIR", type=Path, help="merged feedback (default: feedback/ beside OUT)")
    merge.add_argument("--prefer", choices=PREFERENCES, help="which row wins when parts disagree about a student")
    merge.set_defaults(run=merge_command)

    export = actions.add_parser(
        "export",
        help="write grades for a spreadsheet, Canvas, Moodle or nbgrader's tools",
        description="Write the gradebook's grades in a format a spreadsheet or an LMS imports.",
        epilog=_EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("format", choices=list(FORMATS), help="what to write (see below)")
    export.add_argument("--out", metavar="FILE", type=Path, required=True, help="the file to write")
    export.add_argument(
        "--gradebook", metavar="CSV", type=Path, default=Path("gradebook.csv"),
        help="the gradebook (default: gradebook.csv)",
    )  # fmt: skip
    export.add_argument("--feedback", metavar="DIR", type=Path, help="its feedback (default: feedback/ beside it)")
    export.add_argument("--roster", metavar="CSV", type=Path, help="student to LMS ids and e-mails")
    export.add_argument("--assignment", default="mpcourse", help="the assignment's name in the LMS")
    export.add_argument("--due", metavar="WHEN", help="the due date (nbgrader's duedate column)")
    export.set_defaults(run=export_command)


def _same_file(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve() or (one.exists() and other.exists() and one.samefile(other))


def _copy_feedback(sources: dict[str, Path], target: Path) -> int:
    """Copy each student's feedback and result from their part's feedback folder; return how many were copied."""
    from ..grading.feedback import feedback_path
    from ..grading.store import ResultStore

    copied = 0
    for name, part in sources.items():
        source_dir = part.parent / "feedback"
        pairs = [
            (feedback_path(source_dir, name), feedback_path(target, name)),
            (ResultStore(source_dir).path(name), ResultStore(target).path(name)),
        ]
        for source, destination in pairs:
            if source.is_file() and not _same_file(source, destination):
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
                copied += 1
    return copied


def merge_command(args: argparse.Namespace) -> int:
    """Merge the parts into OUT (never one of them) with their feedback; refuse conflicts unless told."""
    from ..grading.collisions import clashes
    from ..grading.gradebook import GradebookError, merge_gradebooks, read_gradebook, write_gradebook
    from ..grading.neutralise import for_terminal
    from ..grading.results import by_name

    command = "gradebook merge"
    if any(_same_file(args.out, part) for part in args.parts):
        return error(command, f"--out {args.out} is one of the parts; name a new file for the merged gradebook")
    if args.out.exists():
        try:
            read_gradebook(args.out)
        except GradebookError:
            return error(command, f"{args.out} exists and is not a gradebook; name another --out")
    try:
        rows, sources, conflicts = merge_gradebooks(args.parts, args.prefer)
    except (GradebookError, OSError) as exc:
        return error(command, for_terminal(str(exc)))
    clashing = clashes(rows)
    if clashing:
        names = ", ".join(for_terminal(name) for name in sorted(clashing, key=by_name))
        return error(
            command,
            f"students whose names differ only in case or accents: {names}; on macOS and Windows their feedback "
            "would be one file. Nothing was written: grade one of them again under another name, then merge",
        )
    if conflicts:
        names = ", ".join(for_terminal(name) for name in conflicts)
        print(f"warning: different rows in several parts ({args.prefer} wins): {names}", file=sys.stderr)
    write_gradebook(args.out, rows)
    copied = _copy_feedback(sources, args.feedback or args.out.parent / "feedback")
    print(f"wrote {args.out}: {len(rows)} students from {len(args.parts)} parts ({copied} feedback files copied)")
    return EXIT_OK


def export_command(args: argparse.Namespace) -> int:
    """Write export FORMAT of the gradebook's students to --out."""
    from ..grading.exports import FORMATS, RosterError, build_export, read_roster, write_export
    from ..grading.neutralise import for_terminal
    from ..grading.overrides import AdjustmentsError, parse_due

    command = "gradebook export"
    if FORMATS[args.format] and args.roster is None:
        return error(command, f"the {args.format} export needs --roster (student to LMS ids and e-mails)")
    try:
        roster = read_roster(args.roster) if args.roster else {}
        due = parse_due(args.due) if args.due else None
    except (RosterError, AdjustmentsError) as exc:
        return error(command, str(exc))
    grades, code = stored_grades(args.gradebook, args.feedback, command)
    if grades is None:
        return code
    text, missing = build_export(args.format, grades, roster, args.assignment, due)
    write_export(args.out, text)
    if missing:
        names = ", ".join(for_terminal(name) for name in missing)
        print(f"warning: not in the roster, left out: {names}", file=sys.stderr)
    print(f"wrote {args.out}: {len(grades) - len(missing)} students ({args.format})")
    return EXIT_OK
