"""mpcourse.checks.busy: the busy-machine note, and whether nbval really leaves it out of the comparison."""

from __future__ import annotations

import subprocess
import sys

import nbbuild
import pytest

from mpcourse.checks import busy
from mpcourse.kernel.environment import kernel_environment


@pytest.mark.parametrize(
    ("free", "asked"), [(2.0, 1.3), (2.5, 1.3), (1.5, 1.15), (1.35, 1.105), (1.25, None), (0.4, None)]
)
def test_scaled_threshold(free, asked):
    got = busy.scaled_threshold(1.3, free)
    assert got == (None if asked is None else pytest.approx(asked))


def test_free_cpus_for_prefers_what_was_given_then_what_was_measured(monkeypatch):
    monkeypatch.setattr(busy, "free_cpus_now", lambda seconds=0.3: pytest.fail("probed although measured"))

    class Timed(float):
        free_cpus = 1.2

    assert busy.free_cpus_for([Timed(0.5)], given=1.9) == 1.9
    assert busy.free_cpus_for([Timed(0.5), 0.4]) == 1.2


def test_note_goes_to_stderr_outside_a_kernel(capsys):
    busy.note("the machine was busy")
    out, err = capsys.readouterr()
    assert out == "" and err == "the machine was busy\n"


def test_the_note_image_is_a_png():
    assert busy._png("This machine was busy. " * 8).startswith(b"\x89PNG\r\n\x1a\n")


def _notebook(tmp_path, source: str, stored_stdout: str, result: str | None = None):
    """Run nbval on one cell stored with ``stored_stdout`` (and ``result``, as a check cell's ``True``)."""
    nbbuild.write(tmp_path / "note.ipynb", [nbbuild.code_cell(source, count=1, stdout=stored_stdout, result=result)])
    args = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", "note.ipynb"]
    return subprocess.run(args, cwd=tmp_path, env=kernel_environment(), capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_nbval_compares_a_busy_pass_equal_to_an_idle_one(tmp_path):
    """A check cell stored with only its PASS line still matches when the run adds the numbers and the busy note."""
    source = (
        "from mpcourse.checks import busy\n"
        "busy.judge_speedup('x', busy.Speedup(0.6, '2 workers', 'the loop'), 1.3, 0.9, 2, '')"
    )
    result = _notebook(tmp_path, source, "PASS: x\n")
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_nbval_would_see_the_note_as_text(tmp_path):
    """The control: the same note as text on stdout does change the compared output."""
    result = _notebook(tmp_path, "print('PASS: x')\nprint('This machine was busy')", "PASS: x\n")
    assert result.returncode == 1, result.stdout[-3000:]


# --- a check's line never contradicts the numbers beside it ----------------------------------

SPEEDUPS = [0.3, 0.6, 0.95, 1.05, 1.2, 1.35, 1.8, 2.0]
FREE = [0.4, 0.9, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, None]


@pytest.mark.parametrize("free", FREE)
@pytest.mark.parametrize("ratio", SPEEDUPS)
def test_no_pass_line_above_numbers_that_say_otherwise(capsys, monkeypatch, ratio, free):
    """Whatever the load: a PASS comes with the learner's own numbers, and a low speedup only with its reason."""
    shown: list[str] = []
    monkeypatch.setattr(busy, "note", shown.append)
    passed = busy.judge_speedup("x", busy.Speedup(ratio, "2 workers", "the loop"), 1.3, free, 2, "a hint")
    line = capsys.readouterr().out
    assert len(shown) == 1 and f"{ratio:.2f}x" in shown[0]
    if passed and ratio <= 1.3:
        assert free is not None and free < busy.BUSY_SHARE * 2, line
        assert "not your code, is why the speedup is low" in shown[0]
    if ratio > 1.3:
        assert passed and line == "PASS: x\n", "a right answer got NOT YET"


def test_one_usable_core_asks_nothing_and_says_why(capsys, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(busy, "note", shown.append)
    assert busy.judge_speedup("x", busy.Speedup(0.9, "2 workers", "the loop"), 1.3, None, 1, "") is True
    assert "one usable core" in shown[0]
