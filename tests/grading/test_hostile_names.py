"""Names and texts a submission controls are data: one test per promise (issue 21, items 1 and 2).

The class holds folders and zips named in any bytes the filesystem allows (not
UTF-8, 255 bytes, control and escape characters, bidi overrides, formulas, Markdown,
HTML, names that differ only in case), one student whose feedback cannot be written,
and one student whose answer is hostile text (escape sequences, Markdown, HTML, a
link, the teacher's paths) that the check's hint quotes back.  The batch runs once
through ``python -m mpcourse grade`` with its terminal output captured; each test
checks one promise on what it left.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import mistune
import nbformat
import pytest
from grading_fixtures import SOLUTIONS, make_quick_class, require_bwrap, solved, write_masters

import mpcourse
from mpcourse.cli import main
from mpcourse.grading.batch import grade_class
from mpcourse.grading.gradebook import read_gradebook
from mpcourse.grading.neutralise import for_csv, for_markdown, for_terminal, student_name
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy
from mpcourse.grading.submissions import survey

# Names as bytes: each is a folder holding the untouched student copies (graded without a kernel).
HOSTILE_NAMES = [
    b"\xe9l\xe8ve",  # Latin-1, not UTF-8 (some archivers and LMS downloads)
    b"x" * 255,  # the longest name a filesystem allows
    b"\x1b[31mred\x1b[0m\x07\x1b]0;owned\x07",  # colour, bell, a window title
    b"carriage\rreturn",
    "bidi\u202egnp.exe".encode(),
    b"Alice",
    b"alice",  # differs from Alice only in case
    b'=HYPERLINK("evil.example","x")',
    b'comma,"quote',
    b"new\nline",
    b"<img src=x onerror=alert(1)>",
    b"**bold** [link](www.evil.example) `code`",
]
#: A student whose feedback file cannot be written (a folder stands where the file goes).
UNWRITABLE = "zed"
HOSTILE_ANSWER = (
    "import mpcourse, os\n"
    'answer = "\\x1b[2J\\x1b]0;owned\\x07 <script>alert(1)</script> **bold** [x](http://evil.example) "'
    ' + "![i](http://evil.example/i.png) www.evil.example " + mpcourse.__file__ + " " + os.getcwd()\n'
)
#: An answer that takes a few seconds, so the grader can be killed while it runs.
SLOW_ANSWER = "import time\ntime.sleep(10)\nanswer = 42"
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade the hostile class once through the command line; keep its output, gradebook and feedback."""
    require_bwrap()
    root = tmp_path_factory.mktemp("hostile-names")
    masters = write_masters(root / "masters")
    submissions = make_quick_class(masters, root / "submissions")
    basics = student_copy(load_master(masters / "01_basics.ipynb"))
    processes = student_copy(load_master(masters / "02_processes.ipynb"))
    untouched = {"01_basics.ipynb": nbformat.writes(basics), "02_processes.ipynb": nbformat.writes(processes)}
    for raw in [*HOSTILE_NAMES, UNWRITABLE.encode()]:
        folder = os.path.join(os.fsencode(submissions), raw)
        os.mkdir(folder)
        for filename, text in untouched.items():
            with open(os.path.join(folder, filename.encode()), "w", encoding="utf-8") as stream:
                stream.write(text)
    with (
        open(os.path.join(os.fsencode(submissions), b"\xe9l\xe8ve-zip.zip"), "wb") as stream,
        zipfile.ZipFile(stream, "w") as archive,
    ):
        for filename, text in untouched.items():
            archive.writestr(filename, text)
    hostile = solved(basics, {**SOLUTIONS, "answer-one": HOSTILE_ANSWER})
    (submissions / "mallet").mkdir()
    nbformat.write(hostile, submissions / "mallet" / "01_basics.ipynb")
    (root / "feedback" / f"{UNWRITABLE}.md").mkdir(parents=True)
    args = ["grade", str(submissions), "--master", str(masters), "--out", str(root / "gradebook.csv"),
            "--timeout", "60", "--sandbox", "bwrap"]  # fmt: skip
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return {
        "root": root,
        "submissions": submissions,
        "args": args,
        "code": code,
        "terminal": stdout.getvalue() + stderr.getvalue(),
        "csv": (root / "gradebook.csv").read_text(encoding="utf-8"),
        "feedback": {path.name: path.read_text(encoding="utf-8") for path in (root / "feedback").glob("*.md")
                     if path.is_file()},
    }  # fmt: skip


def _teacher_paths(batch) -> list[str]:
    package = str(Path(mpcourse.__file__).resolve().parent)
    return [package, str(batch["root"]), str(Path.home()), str(batch["submissions"])]


def test_cant_make_the_exit_status_non_zero(batch):
    """Names of any bytes, hostile texts and a feedback file that cannot be written: the batch exits 0."""
    assert batch["code"] == 0, batch["terminal"]


def test_cant_stop_the_batch_every_submission_is_graded_or_listed(batch):
    """Every folder and zip is a row of the gradebook (or listed with why), the unwritable one included."""
    rows = list(csv.DictReader(io.StringIO(batch["csv"])))
    names = {row["student"].removeprefix("'") for row in rows}
    case_clash = {"Alice", "alice"}  # one file on macOS and Windows: listed, not graded (test_collisions.py)
    expected = {student_name(raw) for raw in HOSTILE_NAMES} | {UNWRITABLE, "mallet", student_name(b"\xe9l\xe8ve-zip")}
    assert expected - case_clash <= names and not case_clash & names
    assert all(f"{name}: its name differs from" in batch["terminal"] for name in case_clash)
    zed = next(row for row in rows if row["student"] == UNWRITABLE)
    assert zed["status"] == "error" and "feedback not written" in zed["details"]


def test_cant_stop_a_rerun_at_the_same_student(batch):
    """A re-run over the same names finishes, exits 0 and grades again only the student whose write failed."""
    (batch["root"] / "feedback" / f"{UNWRITABLE}.md").rmdir()
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        assert main([*batch["args"], "--no-progress"]) == 0
    assert "Graded 1 student(s)." in stdout.getvalue()
    assert (batch["root"] / "feedback" / f"{UNWRITABLE}.md").is_file()


def test_cant_reach_the_teachers_terminal(batch):
    """No escape, bell, carriage return or bidi override of a name or an output reaches the terminal."""
    terminal = batch["terminal"].replace("\rgrading:", "grading:")  # the progress bar's own redraws
    assert not TERMINAL_CONTROLS.search(terminal)


def test_cant_break_the_csv(batch):
    """One line per student, every row as wide as the header, no control character, no live formula."""
    lines = batch["csv"].splitlines()
    rows = list(csv.reader(io.StringIO(batch["csv"])))
    assert len(lines) == len(rows) and all(len(row) == len(rows[0]) for row in rows)
    assert not TERMINAL_CONTROLS.search(batch["csv"])
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_cant_inject_markdown_or_html_into_feedback(batch):
    """Rendered, the feedback shows the learner's text as text: no script, image, link, emphasis or title."""
    render = mistune.create_markdown(escape=False, plugins=["url", "strikethrough", "table"])
    for name, text in batch["feedback"].items():
        page = render(text)
        assert "<script" not in page and "<img" not in page and "<a " not in page, name
        assert not TERMINAL_CONTROLS.search(text), name
    mallet = render(batch["feedback"]["mallet.md"])
    assert "**bold**" in mallet and "&lt;script&gt;" in mallet
    markdown_name = render(batch["feedback"][f"{student_name(b'**bold** [link](www.evil.example) `code`')}.md"])
    assert markdown_name.count("<strong>") == 1 and "<code>" not in markdown_name  # the Total line only


def test_cant_show_a_teachers_path(batch):
    """The package, the grading folders and HOME appear nowhere in the terminal, the CSV or the feedback."""
    mallet = batch["feedback"]["mallet.md"]
    assert "you gave" in mallet  # the hint quoting the learner's value is there, without the paths
    for text in (batch["terminal"].split("\ngradebook: ")[0], batch["csv"], *batch["feedback"].values()):
        for path in _teacher_paths(batch):
            assert path not in text


def test_a_killed_graders_rerun_continues_and_finishes(tmp_path):
    """Stopped after the first student (as a kill would), a re-run grades the others and no one twice."""
    masters = write_masters(tmp_path / "masters")
    submissions = make_quick_class(masters, tmp_path / "subs")
    loaded = [load_master(masters / name) for name in ("01_basics.ipynb", "02_processes.ipynb")]
    found, _ = survey(submissions)

    def killed(student):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_class(loaded, found, tmp_path / "g.csv", tmp_path / "fb", progress=False, on_student=killed)
    result = grade_class(loaded, found, tmp_path / "g.csv", tmp_path / "fb", progress=False)
    assert len(result.skipped) == 1 and len(result.graded) == len(found) - 1
    assert set(result.rows) == {submission.name for submission in found}


@pytest.mark.parametrize(
    "text",
    ["\x1b[2J", "a\rb", "\u202e", "x\x00y", "\x9b31m", "\udce9"],
)
def test_every_destination_shows_controls_as_escapes(text):
    """Each neutralising function, whatever the text: no control, format or lone surrogate character left."""
    for function in (for_terminal, for_csv, for_markdown, student_name):
        assert not TERMINAL_CONTROLS.search(function(text)) and "\x9b" not in function(text)
        function(text).encode("utf-8")  # always writable as UTF-8


def test_two_names_that_read_the_same_are_graded_once_and_the_other_listed(tmp_path):
    """A folder named with an ESC byte and one named with the text of its escape: one graded, one listed, why."""
    (tmp_path / "a\x1b").mkdir()
    (tmp_path / "a\\x1b").mkdir()
    found, unread = survey(tmp_path)
    assert [submission.name for submission in found] == ["a\\x1b"]
    assert len(unread) == 1 and "rename one" in unread[0][1]


def test_a_grader_killed_mid_run_is_finished_by_the_next_run(tmp_path):
    """SIGKILL the grader while a notebook runs: the next run keeps what was written and grades the rest."""
    require_bwrap()
    masters = write_masters(tmp_path / "masters")
    submissions = make_quick_class(masters, tmp_path / "subs")
    slow = solved(student_copy(load_master(masters / "01_basics.ipynb")), {"answer-one": SLOW_ANSWER})
    (submissions / "zz-slow").mkdir()
    nbformat.write(slow, submissions / "zz-slow" / "01_basics.ipynb")
    gradebook = tmp_path / "gradebook.csv"
    command = [sys.executable, "-m", "mpcourse", "grade", str(submissions), "--master", str(masters),
               "--out", str(gradebook), "--sandbox", "bwrap", "--timeout", "120", "--no-progress"]  # fmt: skip
    grader = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (gradebook.exists() and len(read_gradebook(gradebook)) >= 4):
            time.sleep(0.2)
        assert grader.poll() is None, "the grader finished before it could be killed"
    finally:
        os.killpg(grader.pid, signal.SIGKILL)
        grader.wait()
    kept = read_gradebook(gradebook)
    assert "zz-slow" not in kept and len(kept) == 4, kept.keys()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Graded 1 student(s)." in done.stdout, done.stdout
    assert read_gradebook(gradebook)["zz-slow"]["01_basics"] == "2"


def test_cant_inject_markdown_through_the_lines_under_a_hint_or_an_override():
    """A failing check's further lines stay an inert code block, an override or not."""
    from mpcourse.grading.feedback import render_feedback
    from mpcourse.grading.results import CheckResult, NotebookGrade, Outcome, Status, StudentGrade

    output = "NOT YET: x\n<script>alert(1)</script>\n[a](http://evil.example)"
    check = CheckResult("answer", 2, 2, Outcome.FAIL, output, override="*accepted*", automatic=0)
    page = mistune.create_markdown(escape=False)(
        render_feedback(StudentGrade("ann", (NotebookGrade("01", Status.OK, (check,)),)))
    )
    assert "<script" not in page and "<a " not in page and "<em>" not in page
