"""A small course and a class of submissions for testing ``mpcourse grade``, built in code.

Two master notebooks (``01_basics``: three checks, one hidden, 4 points;
``02_processes``: a pool exercise, 1 point) with stored outputs written by hand,
and thirteen students, each showing one case the grader must survive.
``EXPECTED_GRADEBOOK`` is the gradebook the class must produce.

Nothing here is an ``.ipynb`` file in the repository (pytest runs nbval on those);
everything is written into a temporary folder by the tests.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import uuid
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mpcourse.grading import proctree
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.sandbox import bwrap_problem

__all__ = [
    "CLASS_TIMEOUT",
    "EXPECTED_GRADEBOOK",
    "LOOP_ANSWER",
    "ORPHAN_TOKEN",
    "QUICK_GRADEBOOK",
    "SOLUTIONS",
    "STUDENTS",
    "build_basics",
    "build_processes",
    "check_cell",
    "executed",
    "folder_digest",
    "make_class",
    "make_quick_class",
    "orphans",
    "require_bwrap",
    "solved",
    "stable_columns",
    "write_masters",
]


def require_bwrap() -> None:
    """Skip a test that grades (the grader refuses without a sandbox) when bubblewrap cannot run; in CI, fail."""
    problem = bwrap_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the grading tests in the sandbox, but: {problem}", pytrace=False)
        pytest.skip(problem)


#: Seconds per notebook when grading the class (the infinite loop costs this much).
CLASS_TIMEOUT = 25
#: In the command line of every process a fixture answer starts and never stops; unique to this test session,
#: so a test never counts another session's processes (another grading run on the machine) as its own.
ORPHAN_TOKEN = f"mpcourse-fixture-orphan-{uuid.uuid4().hex[:12]}"

_CHECKS = """\
from mpcourse.checks import report


def check_answer(value):
    return report(value == 42, "the answer is 42", f"multiply six by seven (you gave {value!r})")


def check_double(func):
    return report(all(func(x) == 2 * x for x in (0, 1, 5)), "double doubles", "return the number times two")


def check_double_negative(func):
    return report(func(-3) == -6, "double keeps the sign", "try double(-3)")
"""

#: The masters' answers: text that must never reach a student copy.
SOLUTIONS = {
    "answer-one": "answer = sum([20, 22])  # solution-marker-one",
    "answer-two": "def double(x):\n    return x + x  # solution-marker-two",
    "answer-pool": "with mpcourse.Pool(2) as pool:\n    squares = pool.map(square, range(5))  # solution-marker-three",
}


def executed(source: str, cell_id: str, count: int, stdout: str = "", tags: tuple[str, ...] = (), **meta):
    """A code cell as if run: an execution count and (optionally) one stdout output."""
    cell = new_code_cell(source, id=cell_id, execution_count=count)
    if stdout:
        cell.outputs = [new_output("stream", name="stdout", text=stdout)]
    if tags:
        cell.metadata["tags"] = list(tags)
    if meta:
        cell.metadata["mpcourse"] = meta
    return cell


def check_cell(source: str, cell_id: str, count: int, line: str, tags: tuple[str, ...] = ("check",), **meta):
    """A check cell as Jupyter stores it: the PASS line alone (in a kernel a check returns ``None``, no ``Out``)."""
    return executed(source, cell_id, count, f"{line}\n", tags, **meta)


def build_basics() -> nbformat.NotebookNode:
    """``01_basics``: two exercises, three checks (2 + 1 + 1 hidden points)."""
    cells = [
        new_markdown_cell("# Basics\n\nTwo small exercises.", id="title"),
        executed(_CHECKS, "setup", 1),
        new_markdown_cell("**Exercise 1.** Set `answer` to six times seven.", id="ex-one"),
        executed(SOLUTIONS["answer-one"], "answer-one", 2, tags=("answer",)),
        check_cell("check_answer(answer)", "check-one", 3, "PASS: the answer is 42", points=2),
        new_markdown_cell("**Exercise 2.** Write `double(x)`.", id="ex-two"),
        executed(SOLUTIONS["answer-two"], "answer-two", 4, tags=("answer",)),
        check_cell("check_double(double)", "check-two", 5, "PASS: double doubles"),
        check_cell("check_double_negative(double)", "check-hidden", 6, "PASS: double keeps the sign",
                   ("check", "hidden")),
        new_markdown_cell("Well done.", id="end"),
    ]  # fmt: skip
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def build_processes() -> nbformat.NotebookNode:
    """``02_processes``: a pool exercise (1 point) and a demo cell whose output stays in the student copy."""
    setup = (
        "import mpcourse\nfrom mpcourse.checks import report\nfrom mpcourse.workers import square\n\n\n"
        "def check_squares(values):\n"
        '    return report(list(values) == [0, 1, 4, 9, 16], "squares from a pool", "use pool.map(square, range(5))")\n'
    )
    cells = [
        new_markdown_cell("# Processes", id="title"),
        executed(setup, "setup", 1),
        executed('print("demo output")', "demo", 2, "demo output\n"),
        new_markdown_cell("**Exercise.** Square 0..4 with a pool of two workers.", id="ex"),
        executed(SOLUTIONS["answer-pool"], "answer-pool", 3, tags=("answer",)),
        check_cell("check_squares(squares)", "check-pool", 4, "PASS: squares from a pool"),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def write_masters(folder: Path) -> Path:
    """Write both masters into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_basics(), folder / "01_basics.ipynb")
    nbformat.write(build_processes(), folder / "02_processes.ipynb")
    return folder


def solved(notebook: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with the given answer cells' sources."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.get("id") in answers:
            cell.source = answers[cell.id]
    return notebook


def _without(notebook: nbformat.NotebookNode, *cell_ids: str) -> nbformat.NotebookNode:
    notebook = copy.deepcopy(notebook)
    notebook.cells = [cell for cell in notebook.cells if cell.get("id") not in cell_ids]
    return notebook


#: An answer that starts two children (one in a session of its own), then loops forever.
LOOP_ANSWER = f'''\
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{ORPHAN_TOKEN}"])
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{ORPHAN_TOKEN}"], start_new_session=True)
while True:
    pass
'''

_NEVER_JOINED = f'''\
import subprocess, sys
import mpcourse
from mpcourse.workers import sleep_for
from mpcourse.grading import proctree
worker = mpcourse.get_context().Process(target=sleep_for, args=(600,))
worker.start()
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{ORPHAN_TOKEN}"], start_new_session=True)
answer = 42
'''

_WRITES_FILES = """\
from pathlib import Path
Path("scratch.txt").write_text("mine")
Path("01_basics.ipynb").write_text("overwritten")
(Path.home() / "judy-was-here.txt").write_text("hello")
answer = 42
"""


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _zip_bomb(path: Path, megabytes: int = 210) -> None:
    """A small zip that inflates to ``megabytes`` of zeros."""
    chunk = bytes(2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("01_basics.ipynb", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)


def _text(notebook: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(notebook).encode()


def make_class(masters: Path, folder: Path) -> Path:
    """Write the whole class of submissions into ``folder`` (from the masters' student copies); return it."""
    basics = student_copy(load_master(masters / "01_basics.ipynb"))
    processes = student_copy(load_master(masters / "02_processes.ipynb"))
    right_basics = solved(basics, SOLUTIONS)
    right_processes = solved(processes, SOLUTIONS)
    folder.mkdir(parents=True, exist_ok=True)

    def student(name: str, **notebooks: nbformat.NotebookNode | bytes) -> None:
        (folder / name).mkdir()
        for stem, notebook in notebooks.items():
            data = notebook if isinstance(notebook, bytes) else _text(notebook)
            (folder / name / f"{stem}.ipynb").write_bytes(data)

    # Right answers everywhere.
    student("alice", **{"01_basics": right_basics, "02_processes": right_processes})
    # A zip with a nested folder: exercise 1 wrong; double() right except for negative numbers (hidden check).
    bob = solved(basics, {"answer-one": "answer = 41", "answer-two": "def double(x):\n    return abs(x) * 2"})
    _zip(folder / "bob.zip", {"bob/01_basics.ipynb": _text(bob), "bob/02_processes.ipynb": _text(right_processes),
                              "bob/.ipynb_checkpoints/01_basics-checkpoint.ipynb": _text(right_basics)})  # fmt: skip
    # The student copies, untouched: not attempted.
    student("carol", **{"01_basics": basics, "02_processes": processes})
    # Malformed: not JSON; JSON in nbformat 3.
    nbformat3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}).encode()
    student("dave", **{"01_basics": b"this is not json {", "02_processes": nbformat3})
    # 02 missing.
    student("erin", **{"01_basics": right_basics})
    # Tampered: a check cell that prints PASS, deleted check cells, a wrong answer.
    frank = solved(right_basics, {"answer-one": "answer = 0", "check-one": 'print("PASS: the answer is 42")'})
    student(
        "frank", **{"01_basics": _without(frank, "check-two"), "02_processes": _without(right_processes, "check-pool")}
    )
    # An infinite loop that leaves children behind (one in a session of its own).
    student("grace", **{"01_basics": solved(basics, {"answer-one": LOOP_ANSWER}), "02_processes": right_processes})
    # Megabytes of output, and a wrong answer whose hint would be 3 MB long.
    heidi = solved(right_basics, {"answer-one": 'print("spam " * 1_000_000)\nanswer = "x" * 3_000_000'})
    student("heidi", **{"01_basics": heidi, "02_processes": right_processes})
    # Far too much memory (bytes() uses calloc, so without a limit it would not even touch the pages).
    ivan = solved(right_basics, {"answer-one": "hog = bytes(8 * 2**30)\nanswer = 42"})
    student("ivan", **{"01_basics": ivan, "02_processes": right_processes})
    # Writes files: in its folder, over its own notebook, in HOME.
    student(
        "judy", **{"01_basics": solved(right_basics, {"answer-one": _WRITES_FILES}), "02_processes": right_processes}
    )
    # A zip whose member climbs out of its folder.
    _zip(folder / "mallory.zip", {"../evil.ipynb": b"{}", "01_basics.ipynb": _text(right_basics)})
    # A zip bomb.
    _zip_bomb(folder / "oscar.zip")
    # Starts processes and never joins them.
    student(
        "peggy", **{"01_basics": solved(right_basics, {"answer-one": _NEVER_JOINED}), "02_processes": right_processes}
    )
    return folder


#: Every student in the class, in gradebook order.
STUDENTS = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "oscar",
    "peggy",
)

#: The gradebook the class must give (with ``--timeout CLASS_TIMEOUT``).
_DAVE = (
    "01_basics: invalid notebook (not a notebook: invalid JSON (line 1: Expecting value)); "
    "02_processes: invalid notebook (wrong nbformat 3: expected 4 (save it again with Jupyter))"
)
EXPECTED_GRADEBOOK = "".join(
    f"{row}\n"
    for row in (
        "student,01_basics,02_processes,total,max,status,details",
        "alice,4,1,5,5,ok,",
        "bob,1,1,2,5,ok,",
        "carol,0,0,0,5,ok,",
        f"dave,0,0,0,5,invalid notebook,{_DAVE}",
        "erin,4,0,4,5,missing,02_processes: missing (no file named 02_processes.ipynb)",
        "frank,2,1,3,5,ok,",
        f"grace,0,1,1,5,timeout,01_basics: timeout (stopped after {CLASS_TIMEOUT} s)",
        "heidi,2,1,3,5,ok,",
        "ivan,2,1,3,5,ok,",
        "judy,4,1,5,5,ok,",
        "mallory,0,0,0,5,invalid submission,zip rejected: member '../evil.ipynb' points outside the folder",
        "oscar,0,0,0,5,invalid submission,zip rejected: more than 200 MB uncompressed (a zip bomb?)",
        "peggy,4,1,5,5,ok,",
    )
)


def make_quick_class(masters: Path, folder: Path) -> Path:
    """Students the grader scores without starting a kernel: untouched, malformed, rejected zip, empty."""
    basics = student_copy(load_master(masters / "01_basics.ipynb"))
    processes = student_copy(load_master(masters / "02_processes.ipynb"))
    for name, files in {
        "carol": {"01_basics": _text(basics), "02_processes": _text(processes)},
        "dave": {"01_basics": b"this is not json {", "02_processes": b"{}"},
        "zoe": {},
    }.items():
        (folder / name).mkdir(parents=True)
        for stem, data in files.items():
            (folder / name / f"{stem}.ipynb").write_bytes(data)
    _zip(folder / "mallory.zip", {"../evil.ipynb": b"{}"})
    return folder


#: The gradebook of :func:`make_quick_class`.
QUICK_GRADEBOOK = "".join(
    f"{row}\n"
    for row in (
        "student,01_basics,02_processes,total,max,status,details",
        "carol,0,0,0,5,ok,",
        "dave,0,0,0,5,invalid notebook,01_basics: invalid notebook (not a notebook: invalid JSON (line 1: "
        "Expecting value)); 02_processes: invalid notebook (not a notebook: the JSON has no cells)",
        "mallory,0,0,0,5,invalid submission,zip rejected: member '../evil.ipynb' points outside the folder",
        "zoe,0,0,0,5,missing,01_basics: missing (no file named 01_basics.ipynb); "
        "02_processes: missing (no file named 02_processes.ipynb)",
    )
)


def stable_columns(path: Path) -> str:
    """A gradebook's text without the columns that change every run (when it was graded, the content hash)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    keep = [i for i, column in enumerate(rows[0]) if column not in ("graded", "hash")]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([row[i] for i in keep] for row in rows)
    return buffer.getvalue()


def folder_digest(folder: Path) -> dict[str, str]:
    """A hash of every regular file under ``folder``, to show nothing changed (links and FIFOs are not followed
    or opened)."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        if stat.S_ISREG(path.lstat().st_mode):
            hashes[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def orphans() -> list[str]:
    """Processes a grading run left behind: those carrying this session's :data:`ORPHAN_TOKEN` (unique to it)."""
    return [proctree.describe(proc) for proc in proctree.command_contains(psutil.process_iter(), ORPHAN_TOKEN)]
