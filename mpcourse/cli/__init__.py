"""The command line, ``mpcourse`` (or ``python -m mpcourse``): one module per group of commands.

``start`` and ``progress`` are the learner's (:mod:`.learner`); ``release``
(:mod:`.release`), ``collect`` (:mod:`.collect`), ``grade`` (:mod:`.grade`),
``gradebook`` (:mod:`.gradebook`) and ``report`` (:mod:`.report`) the teacher's;
:mod:`.common` holds what they share.  Each module adds its commands to the parser
and names the function that runs them.  Grading needs nbval, ipykernel and psutil
(installed with the package), a POSIX system (Linux or macOS) for its process
limits, and on Linux bubblewrap (``bwrap``) for its
sandbox (``--sandbox none`` grades without one).
"""

from __future__ import annotations

import argparse
import sys

from . import collect, grade, gradebook, learner, release, report

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The whole command line's parser; each command's ``run`` default is the function that runs it."""
    top = argparse.ArgumentParser(
        prog="mpcourse",
        description="The mpcourse course: open your own copy of it, see your progress; "
        "for teachers: release student copies, collect and grade submissions, export grades, see the class.",
    )
    commands = top.add_subparsers(
        dest="command", required=True, metavar="{start,progress,release,collect,grade,gradebook,report}"
    )
    learner.add_commands(commands)
    release.add_command(commands)
    collect.add_command(commands)
    grade.add_command(commands)
    gradebook.add_command(commands)
    report.add_command(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lab_options: list[str] = []
    if argv[:1] == ["start"] and "--" in argv:  # start's options after -- are JupyterLab's
        split = argv.index("--")
        argv, lab_options = argv[:split], argv[split + 1 :]
    args = parser().parse_args(argv)
    args.lab_options = lab_options
    return args.run(args)
