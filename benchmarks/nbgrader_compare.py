"""mpcourse's grader against ``nbgrader autograde``, serially, on the same class in one run.

``--students`` copies of notebooks 05-06 (the masters' answers) graded by
``nbgrader autograde`` (answer cells marked as solution cells, check cells as
autograder tests, the notebooks run in a kernel of this interpreter) and by
``mpcourse grade --jobs 1`` (bubblewrap, the judge).  Prints the seconds each took,
the points each gave, and the ratio (target: mpcourse faster than nbgrader).

nbgrader is not a dependency of the course: install it in a throwaway venv and pass
its command::

    python -m venv /tmp/nbg && /tmp/nbg/bin/pip install nbgrader
    python benchmarks/nbgrader_compare.py --nbgrader /tmp/nbg/bin/nbgrader [--students 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from mpcourse.course_format import cell_tags, check_points
from mpcourse.grading.summary import format_table

_COURSE = Path(__file__).resolve().parent.parent / "notebooks"
_ASSIGNMENT = "ps"


def _nbgrader_source(master: Path) -> nbformat.NotebookNode:
    """The master with nbgrader's marks: answers are solution cells, checks are autograder tests."""
    notebook = nbformat.read(master, as_version=4)
    for cell in notebook.cells:
        tags = cell_tags(cell)
        if cell.cell_type != "code" or not {"answer", "check"} & set(tags):
            continue
        marks = {"grade_id": cell.id, "schema_version": 3, "locked": "check" in tags}
        if "check" in tags:
            marks.update(grade=True, solution=False, points=check_points(cell))
        else:
            marks.update(grade=False, solution=True)
        cell.metadata["nbgrader"] = marks
    return notebook


def _kernelspec(folder: Path) -> None:
    """A ``python3`` kernel of this interpreter (which has mpcourse), found first through JUPYTER_PATH."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run ``command``; return its wall-clock seconds (its output shown only when it fails)."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def nbgrader_class(root: Path, masters: list[Path], students: int, nbgrader: str, env: dict[str, str]) -> None:
    """Generate the assignment and put ``students`` submissions (the masters' answers) where autograde looks."""
    source = root / "source" / _ASSIGNMENT
    source.mkdir(parents=True)
    for master in masters:
        nbformat.write(_nbgrader_source(master), source / master.name)
    _run([nbgrader, "generate_assignment", _ASSIGNMENT, "--force"], root, env)
    for number in range(students):
        student = f"s{number:02d}"
        folder = root / "submitted" / student / _ASSIGNMENT
        folder.mkdir(parents=True)
        for master in masters:
            answers = {c.id: c.source for c in nbformat.read(master, as_version=4).cells}
            released = nbformat.read(root / "release" / _ASSIGNMENT / master.name, as_version=4)
            for cell in released.cells:
                if cell.metadata.get("nbgrader", {}).get("solution"):
                    cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
            nbformat.write(released, folder / master.name)
        _run([nbgrader, "db", "student", "add", student], root, env)


def nbgrader_points(root: Path, nbgrader: str, env: dict[str, str]) -> str:
    """The points nbgrader's gradebook holds, summed over students."""
    script = (
        "from nbgrader.api import Gradebook\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        "    print(sum(s.score for s in gb.assignment_submissions('ps')), "
        "sum(s.max_score for s in gb.assignment_submissions('ps')))\n"
    )
    python = str(Path(nbgrader).with_name("python"))
    done = subprocess.run([python, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True)
    score, most = done.stdout.split()
    return f"{float(score):g} / {float(most):g}"


def mpcourse_class(folder: Path, masters: list[Path], students: int) -> Path:
    """``students`` folders holding the masters' answers, and a folder of just these masters."""
    master_folder = folder / "masters"
    master_folder.mkdir(parents=True)
    for master in masters:
        shutil.copyfile(master, master_folder / master.name)
        for number in range(students):
            (folder / "class" / f"s{number:02d}").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(master, folder / "class" / f"s{number:02d}" / master.name)
    return master_folder


def mpcourse_points(gradebook: Path) -> str:
    """The points in mpcourse's gradebook CSV, summed over students."""
    import csv

    with gradebook.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    total = sum(float(row.get("total") or 0) for row in rows)
    most = sum(float(row.get("max") or row.get("out_of") or 0) for row in rows)
    return f"{total:g} / {most:g}" if most else f"{total:g}"


def main(argv: list[str] | None = None) -> None:
    """Grade the class both ways, nbgrader first, and print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nbgrader", default="nbgrader", help="the nbgrader command (in its own venv)")
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--notebooks", nargs="+", default=["05", "06"])
    args = parser.parse_args(argv)
    masters = [next(_COURSE.glob(f"{prefix}_*.ipynb")) for prefix in args.notebooks]
    with tempfile.TemporaryDirectory(prefix="mpcourse-bench-nbgrader-") as tmp:
        root = Path(tmp) / "nbgrader"
        _kernelspec(Path(tmp) / "jupyter")
        tools = str(Path(shutil.which(args.nbgrader) or args.nbgrader).parent)  # nbgrader runs its venv's alembic
        env = {**os.environ, "JUPYTER_PATH": str(Path(tmp) / "jupyter")}
        env["PATH"] = tools + os.pathsep + env["PATH"]
        nbgrader_class(root, masters, args.students, args.nbgrader, env)
        nbgrader_seconds = _run([args.nbgrader, "autograde", _ASSIGNMENT], root, env)
        ours = Path(tmp) / "mpcourse"
        master_folder = mpcourse_class(ours, masters, args.students)
        command = [sys.executable, "-m", "mpcourse", "grade", str(ours / "class"), "--master", str(master_folder)]
        command += ["--jobs", "1", "--sandbox", "bwrap", "--no-progress", "--out", str(ours / "gradebook.csv")]
        mpcourse_seconds = _run(command, ours, dict(os.environ))
        rows = [
            ["nbgrader autograde", f"{nbgrader_seconds:.1f} s", nbgrader_points(root, args.nbgrader, env)],
            ["mpcourse grade --jobs 1", f"{mpcourse_seconds:.1f} s", mpcourse_points(ours / "gradebook.csv")],
        ]
    names = ", ".join(master.stem for master in masters)
    print(f"\n{args.students} students x {names}, serially")
    print(format_table(["grader", "wall clock", "points (the masters' answers)"], rows))
    print(f"mpcourse against nbgrader: {mpcourse_seconds / nbgrader_seconds:.2f}x the time (target: below 1)")


if __name__ == "__main__":
    main()
