"""The measured chapters on a machine another program keeps busy: what their checks say, and beside what numbers.

With K CPU hogs running outside the kernel's process tree (as on a learner's
laptop), execute the master notebooks with self-checks (01-05, 07, 09) under each start method
and print, per check cell, its line and the numbers it showed beside it (the
note's text, from the output's metadata).  Every check of a master holds a right
answer, so every line should be a PASS; a PASS whose note gives a low speedup
must give the busy machine as the reason.  The unit tests feed the checks
constructed loads (``tests/checks/test_busy.py``); this is the wall-clock side.

Usage: python benchmarks/busy_self_checks.py [--hogs 1] [--methods fork spawn forkserver]
Exit status: 0 when every check passed without contradicting its numbers, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from busy_speedup import outside_hog
from nbclient import NotebookClient

from mpcourse import START_METHOD_ENV, valid_start_methods
from mpcourse.kernel.environment import kernel_environment

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHAPTERS = ("01", "02", "03", "04", "05", "07", "09")  # every chapter with a self-check


def _checks(notebook: nbformat.NotebookNode) -> list[tuple[str, str, str]]:
    """``(cell id, line, note)`` of every check and self-check cell."""
    found = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or not {"check", "self-check"} & set(tags):
            continue
        line = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").strip()
        notes = [o.metadata["mpcourse"]["note"] for o in cell.outputs if "mpcourse" in o.get("metadata", {})]
        found.append((cell.id, line.splitlines()[-1] if line else "", " ".join(notes)))
    return found


def contradicts(line: str, note: str) -> bool:
    """Any NOT YET (a master holds right answers), or a PASS whose numbers neither reach the ideal nor say why not.

    :func:`mpcourse.checks.busy.speedup_note` ends a speedup that earned its PASS with the ideal, a
    low one on a busy machine with its reason, and one on a single core with that.
    """
    if not line.startswith("PASS"):
        return True
    explained = ("The ideal on", "why the speedup is low", "one usable core")
    return bool(note) and not any(phrase in note for phrase in explained)


def main(argv: list[str] | None = None) -> int:
    """Execute each chapter under each method; print one line per check and the count of contradictions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=valid_start_methods())
    args = parser.parse_args(argv)
    hogs = [outside_hog() for _ in range(args.hogs)]
    bad = total = 0
    try:
        for method in args.methods:
            env = {**kernel_environment(), START_METHOD_ENV: method}
            for chapter in CHAPTERS:
                path = next(NOTEBOOKS.glob(f"{chapter}_*.ipynb"))
                notebook = nbformat.read(path, as_version=4)
                NotebookClient(
                    notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
                ).execute(env=env)
                for cell_id, line, note in _checks(notebook):
                    total += 1
                    wrong = contradicts(line, note)
                    bad += wrong
                    print(f"{method:<10} {chapter} {cell_id:<20} {'CONTRADICTS ' if wrong else ''}{line[:70]}")
                    if note:
                        print(f"{'':<35}{note}")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)
    print(f"{args.hogs} hog(s): {bad} of {total} check lines contradict their numbers or fail a right answer")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
