"""``python -m mpcourse``: a learner's own copy of the course and their progress; a teacher's release and grading.

``start`` and ``progress`` are the learner's; ``release``, ``grade`` and ``gradebook``
the teacher's.  Grading needs nbval, ipykernel and psutil (installed with the package), a
POSIX system (Linux or macOS) for its process limits, and on Linux bubblewrap
(``bwrap``) for its sandbox (``--sandbox none`` grades without one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["default_master_dir", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_RELEASE_EPILOG = """\
Each student copy keeps the text, demos and their outputs; answer cells get a
stub saying what to write, check cells are locked (not editable, not deletable)
and lose their outputs, and cells tagged `hidden` are left out.  No solution
text is copied.

example:
  python -m mpcourse release student/                 # from the repo's notebooks/
  python -m mpcourse release student/ --master teacher/notebooks
"""

_GRADE_EPILOG = """\
SUBMISSIONS holds one folder or one .zip per student (the student's name is the
folder name, or the zip's name without .zip) with their notebooks inside, at any
depth.  For each student and master notebook, the student's `answer` cells are put
into the master (matched by cell id, then by position among answer cells) and it
is run with nbval in a sandbox of its own (bubblewrap: no network, nothing of
this machine visible but the system and Python; see the README, "For teachers");
each `check` cell that gives the
master's output earns its points (metadata "mpcourse": {"points": N}, default 1).
Check cells always come from the master, so a submission cannot change them.
An answer cell still holding the release stub is "not attempted" (0 points).
A re-run skips the students already in the gradebook (except status error);
--force grades them again.

outputs:
  the gradebook CSV (one row per student: a column per notebook, total, max,
  status, details) and one Markdown feedback file per student listing every
  check with pass/fail and the check's own hint.  Status is the worst of: ok,
  missing (notebook not found), timeout, invalid notebook, error (the run
  failed), invalid submission (a zip rejected: path traversal, zip bomb).

exit status:
  0 when the batch completed (whatever the students scored), 1 when grading
  itself could not run (no kernel could start, or --sandbox auto/bwrap and
  bubblewrap cannot run: install it, or pass --sandbox none), 2 for bad arguments or a
  bad master, 130 when interrupted (what was graded is kept).

examples:
  python -m mpcourse grade submissions/ --out gradebook.csv
  python -m mpcourse grade submissions/ --out gradebook.csv --jobs 2 --timeout 60
  python -m mpcourse grade submissions/ --master teacher/notebooks --memory-mb 4096
  python -m mpcourse grade submissions/ --sandbox none   # no bubblewrap (macOS): only for code you trust
  python -m mpcourse grade submissions/ --out part1.csv --shard 1/2   # on machine 1
  python -m mpcourse grade submissions/ --out part2.csv --shard 2/2   # on machine 2
  python -m mpcourse gradebook merge gradebook.csv part1.csv part2.csv
"""

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

_MERGE_EPILOG = """\
example:
  python -m mpcourse gradebook merge gradebook.csv part1.csv part2.csv

A student found in several parts keeps the row of the last part given (a warning
names them).  OUT is written atomically.
"""


def default_master_dir() -> Path | None:
    """The course's ``notebooks/``: next to the package (a checkout), here, else the installed course."""
    from .learner.course import PACKAGED

    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    for candidate in (checkout, Path.cwd() / "notebooks", PACKAGED):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _memory(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a number of megabytes, not {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N such as 1/2, not {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"need 1 <= K <= N in K/N, not {text!r}")
    return index, count


def _parser() -> argparse.ArgumentParser:
    from .grading.sandbox import DEFAULT_MODE, MODES, Limits

    limits = Limits()  # the defaults, written once there
    parser = argparse.ArgumentParser(
        prog="mpcourse",
        description="The mpcourse course: open your own copy of it, see your progress; "
        "for teachers: release student copies, grade submissions, merge gradebooks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{start,progress,release,grade,gradebook}")
    master_help = "folder of master notebooks (default: the course's notebooks/)"
    workspace_help = "the folder of your copy of the course (default: ~/my-mpcourse)"

    start = commands.add_parser(
        "start",
        help="open your own copy of the course in JupyterLab (made or updated first)",
        usage="mpcourse start [-h] [--no-lab] [DIR] [-- JUPYTERLAB_OPTION ...]",
        description="Make or update your own copy of the course in DIR, then open it in JupyterLab.",
        epilog=_START_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    start.add_argument("workspace", metavar="DIR", type=Path, nargs="?", help=workspace_help)
    start.add_argument("--no-lab", action="store_true", help="only make or update the copy; do not start JupyterLab")

    progress = commands.add_parser(
        "progress",
        help="which exercises you have passed, from your notebooks' check cells",
        description="Show which exercises of your copy of the course you have passed.",
        epilog=_PROGRESS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    progress.add_argument("workspace", metavar="DIR", type=Path, nargs="?", help=workspace_help)

    release = commands.add_parser(
        "release",
        help="write the student copies of the master notebooks",
        description="Write the student copies of the master notebooks into OUT_DIR.",
        epilog=_RELEASE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    release.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder for the student copies")
    release.add_argument("--master", metavar="DIR", type=Path, help=master_help)
    release.add_argument(
        "--no-solutions", action="store_true",
        help="for graded work: %%solution gives no reference answer in these copies (it says so)",
    )  # fmt: skip

    grade = commands.add_parser(
        "grade",
        help="grade a folder of submissions into a gradebook and feedback",
        description="Grade every student's notebooks against the masters with nbval.",
        epilog=_GRADE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("submissions", metavar="SUBMISSIONS", type=Path, help="one folder or .zip per student")
    grade.add_argument(
        "--out", metavar="FILE", type=Path, default=Path("gradebook.csv"),
        help="gradebook CSV to write (default: gradebook.csv); students already in it are skipped",
    )  # fmt: skip
    grade.add_argument(
        "--feedback", metavar="DIR", type=Path,
        help="folder for the per-student feedback files (default: feedback/ next to the gradebook)",
    )  # fmt: skip
    grade.add_argument("--master", metavar="DIR", type=Path, help=master_help)
    grade.add_argument(
        "--jobs", metavar="N", type=_positive_int, default=1,
        help="notebooks graded at the same time (default: 1; about one per core)",
    )  # fmt: skip
    grade.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds, default=limits.timeout,
        help="wall-clock limit per notebook, kernel start included; then every process of the run is "
        "killed and the notebook gets status timeout (default: %(default)g)",
    )  # fmt: skip
    grade.add_argument(
        "--memory-mb", metavar="MB", type=_memory, default=limits.memory_mb,
        help="memory limit in megabytes of each process of a notebook run (RLIMIT_AS) and, when grading as root, "
        "of the whole run (cgroup); 0 for none (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--processes", metavar="N", type=_memory, default=limits.processes,
        help="most processes a notebook run may have at once; 0 for no limit (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--disk-mb", metavar="MB", type=_memory, default=limits.disk_mb,
        help="megabytes a notebook run may write (its folder, HOME and /tmp); 0 for no limit (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--sandbox", choices=MODES, default=DEFAULT_MODE,
        help="where learner code runs: bwrap (bubblewrap: no network, sees only its own run), auto (bwrap, "
        "and refuse to grade when it cannot run), none (no sandbox: only for code you trust) (default: %(default)s)",
    )  # fmt: skip
    grade.add_argument(
        "--shard", metavar="K/N", type=_shard,
        help="grade only shard K of N: every N-th student by sorted name, starting with the K-th",
    )  # fmt: skip
    grade.add_argument("--force", action="store_true", help="grade again students already in the gradebook")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")

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
    return parser


def _error(command: str, message: str, code: int = EXIT_USAGE) -> int:
    print(f"mpcourse {command}: error: {message}", file=sys.stderr)
    return code


def _masters(directory: Path | None, command: str, executed: bool = True):
    """Load every master notebook; return ``(masters, None)`` or ``(None, exit code)`` after an error."""
    from .grading.notebook import MasterError, load_master

    directory = directory or default_master_dir()
    if directory is None:
        return None, _error(command, "no notebooks/ folder found; name the masters with --master DIR")
    paths = sorted(directory.glob("*.ipynb"))
    if not paths:
        return None, _error(command, f"no .ipynb files in {directory}")
    try:
        return [load_master(path, executed=executed) for path in paths], None
    except MasterError as exc:
        return None, _error(command, f"master notebook: {exc}")


def _start(args: argparse.Namespace, lab_options: list[str]) -> int:
    from .learner.course import CourseNotFound
    from .learner.lab import lab_command, run_lab
    from .learner.workspace import ADDED, KEPT, NEWER, RESTORED, UNCHANGED, UPDATED, default_workspace, prepare

    workspace = (args.workspace or default_workspace()).expanduser().absolute()
    fresh = not workspace.exists()
    try:
        states = prepare(workspace)
    except (CourseNotFound, ValueError, OSError) as exc:
        return _error("start", str(exc))
    print(f"Your copy of the course: {workspace}" + (" (new)" if fresh else ""))
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
    notebooks = sorted(state.path.name for state in states if state.path.suffix == ".ipynb")
    first = notebooks[0] if fresh and notebooks else None
    print("Starting JupyterLab (Ctrl+C in this terminal stops it) ...")
    return run_lab(lab_command(workspace, first, lab_options), workspace)


def _progress(args: argparse.Namespace) -> int:
    from .learner.progress import format_progress, read_progress
    from .learner.workspace import default_workspace

    workspace = (args.workspace or default_workspace()).expanduser()
    if not workspace.is_dir():
        return _error("progress", f"{workspace} is not a folder; mpcourse start makes your copy of the course")
    print(format_progress(read_progress(workspace)))
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    from .grading.release import release

    masters, code = _masters(args.master, "release", executed=False)
    if masters is None:
        return code
    try:
        written = release(masters, args.out_dir, solutions=not args.no_solutions)
    except (ValueError, OSError) as exc:
        return _error("release", str(exc))
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _grade(args: argparse.Namespace) -> int:
    if os.name != "posix":
        return _error("grade", "grading needs Linux or macOS (it limits and kills process groups)", EXIT_FAILED)
    from .grading.grade import GradingUnavailable, grade_class
    from .grading.gradebook import GradebookError
    from .grading.runner import RunSettings
    from .grading.sandbox import Limits
    from .grading.submissions import shard, survey
    from .grading.summary import format_summary

    if not args.submissions.is_dir():
        return _error("grade", f"{args.submissions} is not a folder")
    masters, code = _masters(args.master, "grade")
    if masters is None:
        return code
    masters = [master for master in masters if master.checks]
    if not masters:
        return _error("grade", "no master notebook has a check cell")
    feedback = args.feedback or args.out.parent / "feedback"
    submissions, unread = survey(args.submissions)
    submissions = [s for s in submissions if s.path.resolve() != feedback.resolve()]
    if args.shard:
        submissions = shard(submissions, *args.shard)
    try:
        result = grade_class(
            masters,
            submissions,
            args.out,
            feedback,
            jobs=args.jobs,
            settings=RunSettings(
                limits=Limits(
                    timeout=args.timeout, memory_mb=args.memory_mb, processes=args.processes, disk_mb=args.disk_mb
                ),
                sandbox=args.sandbox,
            ),
            force=args.force,
            progress=not args.no_progress,
        )
    except GradebookError as exc:
        return _error("grade", f"{exc}; move it away or name another --out")
    except GradingUnavailable as exc:
        return _error("grade", f"grading cannot run: {exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the students graded so far are in {args.out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(format_summary(masters, result, unread))
    print(f"\ngradebook: {args.out}\nfeedback:  {feedback}/")
    return EXIT_OK


def _merge(args: argparse.Namespace) -> int:
    from .grading.gradebook import GradebookError, merge_gradebooks, write_gradebook

    try:
        rows, twice = merge_gradebooks(args.parts)
    except (GradebookError, OSError) as exc:
        return _error("gradebook merge", str(exc))
    if twice:
        print(f"warning: in several parts (the last part wins): {', '.join(twice)}", file=sys.stderr)
    write_gradebook(args.out, rows)
    print(f"wrote {args.out}: {len(rows)} students from {len(args.parts)} parts")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lab_options: list[str] = []
    if argv[:1] == ["start"] and "--" in argv:  # start's options after -- are JupyterLab's
        split = argv.index("--")
        argv, lab_options = argv[:split], argv[split + 1 :]
    args = _parser().parse_args(argv)
    if args.command == "start":
        return _start(args, lab_options)
    if args.command == "progress":
        return _progress(args)
    if args.command == "release":
        return _release(args)
    if args.command == "grade":
        return _grade(args)
    return _merge(args)


if __name__ == "__main__":
    sys.exit(main())
