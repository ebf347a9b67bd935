"""The learner's commands: ``start`` (their own copy of the course, in JupyterLab) and ``progress``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, error

__all__ = ["add_commands"]

_START_EPILOG = """\
Your copy holds the student version of every notebook (answers to write, checks
to run) and is yours: the course's own notebooks are never opened or changed.
Run the command again at any time, e.g. after updating the course (git pull):
notebooks you changed are kept as they are, and it says which of them has a newer
version in the course; new notebooks are added; untouched ones are updated.  To
start a notebook over, rename or delete it and run the command again.

Stuck on an exercise?  In a new cell: %solution NAME (the NOT YET line of its
check names it; %solution alone lists them).

Options after -- go to JupyterLab as they are.

examples:
  mpcourse start                         # ~/my-mpcourse, opened in JupyterLab
  mpcourse start ~/courses/mp            # another folder
  mpcourse start --no-lab                # only make or update the copy
  mpcourse start -- --no-browser --port 8899
"""

_PROGRESS_EPILOG = """\
Read from the notebooks as last saved (File > Save, or Ctrl+S, in JupyterLab):
each check cell's output says PASS or NOT YET, or nothing when it was not run.
"""

_WORKSPACE_HELP = "the folder of your copy of the course (default: ~/my-mpcourse)"


def add_commands(commands: Any) -> None:
    """Add ``start`` and ``progress`` to the subcommands ``commands``."""
    start = commands.add_parser(
        "start",
        help="open your own copy of the course in JupyterLab (made or updated first)",
        usage="mpcourse start [-h] [--no-lab] [DIR] [-- JUPYTERLAB_OPTION ...]",
        description="Make or update your own copy of the course in DIR, then open it in JupyterLab.",
        epilog=_START_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    start.add_argument("workspace", metavar="DIR", type=Path, nargs="?", help=_WORKSPACE_HELP)
    start.add_argument("--no-lab", action="store_true", help="only make or update the copy; do not start JupyterLab")
    start.set_defaults(run=start_command)

    progress = commands.add_parser(
        "progress",
        help="which exercises you have passed, from your notebooks' check cells",
        description="Show which exercises of your copy of the course you have passed.",
        epilog=_PROGRESS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    progress.add_argument("workspace", metavar="DIR", type=Path, nargs="?", help=_WORKSPACE_HELP)
    progress.set_defaults(run=progress_command)


def start_command(args: argparse.Namespace) -> int:
    """``mpcourse start``: make or update the copy, report what changed, open JupyterLab (``args.lab_options``)."""
    from ..learner.course import CourseNotFound
    from ..learner.lab import lab_command, last_used, run_lab
    from ..learner.workspace import (
        ADDED,
        KEPT,
        MANIFEST,
        NEWER,
        RESTORED,
        UNCHANGED,
        UPDATED,
        default_workspace,
        prepare,
    )

    workspace = (args.workspace or default_workspace()).expanduser().absolute()
    fresh = not workspace.exists()
    manifest = workspace / MANIFEST
    since = manifest.stat().st_mtime if manifest.exists() else None  # the last start
    saved = [path.name for path in workspace.glob("*.ipynb")] if since is not None else []
    reopen = last_used(workspace, saved, since)  # before an update touches the files
    try:
        states = prepare(workspace)
    except (CourseNotFound, ValueError, OSError) as exc:
        return error("start", str(exc))
    notebooks = sorted(state.path.name for state in states if state.path.suffix == ".ipynb")
    if fresh:
        others = len(states) - len(notebooks)
        print(f"Your copy of the course: {workspace} (new: {len(notebooks)} notebooks, {others} other files)")
    else:
        print(f"Your copy of the course: {workspace}")
        for state in states:
            if state.state in {ADDED, RESTORED, UPDATED}:
                print(f"  {state.state:<8} {state.path}")
    newer = [state.path for state in states if state.state == NEWER]
    if newer:
        print("The course has a newer version of these notebooks; yours are kept as they are:")
        print("".join(f"  {path}\n" for path in newer), end="")
        print("  (to get the new version: rename yours, then run this command again)")
    kept = [str(state.path) for state in states if state.state == KEPT]
    if kept:
        print(f"  yours, kept as you left them: {', '.join(kept)}")
    if not fresh and not newer and all(state.state in {KEPT, UNCHANGED} for state in states):
        print("  everything is up to date")
    if args.no_lab:
        return EXIT_OK
    first = reopen if reopen and (workspace / reopen).is_file() else (notebooks[0] if notebooks else None)
    print(f"Starting JupyterLab on {first or 'your copy'}; open the address it prints (Ctrl+C here stops it) ...")
    return run_lab(lab_command(workspace, first, args.lab_options), workspace)


def progress_command(args: argparse.Namespace) -> int:
    """``mpcourse progress``: the table of exercises passed, read from the saved notebooks."""
    from ..learner.progress import format_progress, read_progress
    from ..learner.workspace import default_workspace

    workspace = (args.workspace or default_workspace()).expanduser()
    if not workspace.is_dir():
        return error("progress", f"{workspace} is not a folder; mpcourse start makes your copy of the course")
    print(format_progress(read_progress(workspace)))
    return EXIT_OK
