"""mpcourse.checks.q7: does each check of notebook 07 pass for the solution and fail, with a hint, for wrong answers?"""

from __future__ import annotations

import pytest
from check_output import one_line
from machine_load import machine_gives, notes_fixture  # noqa: F401 (autouse: idle machine, notes kept)

from mpcourse.checks import q7
from mpcourse.checks.q7 import check_fill_row, check_mandelbrot_speedup, check_zero_copy
from mpcourse.kernel.worker_magic import define_worker

HEADER = (
    "from multiprocessing import shared_memory\n\nimport numpy as np\n\nfrom mpcourse.workers import mandelbrot_row\n\n"
)
SOLUTION = HEADER + (
    "def fill_row(name, row, width, height):\n"
    "    block = shared_memory.SharedMemory(name=name)\n"
    "    image = np.ndarray((height, width), dtype=np.int32, buffer=block.buf)\n"
    "    image[row] = mandelbrot_row(row, width, height)\n"
    "    del image\n"
    "    block.close()\n"
)
COPY = SOLUTION.replace("np.ndarray((height, width), dtype=np.int32, buffer=block.buf)", "np.zeros((height, width))")
RETURNS = HEADER + "def fill_row(name, row, width, height):\n    return mandelbrot_row(row, width, height)\n"
UNLINKS = SOLUTION + "    block.unlink()\n"
WRONG_DTYPE = SOLUTION.replace("np.int32", "np.float32")  # the same size, another meaning of the bytes
TOO_WIDE = SOLUTION.replace("np.int32", "np.int64")  # twice the bytes: the block is too small
WRONG_ROW = SOLUTION.replace("image[row] = mandelbrot_row(row,", "image[row - 1] = mandelbrot_row(row,")
TRANSPOSED = SOLUTION.replace("(height, width), dtype", "(width, height), dtype").replace(
    "image[row] =", "image[:, row] ="
)
RAISES = HEADER + "def fill_row(name, row, width, height):\n    raise ValueError('oops')\n"
HANGS = "import time\n\ndef fill_row(name, row, width, height):\n    time.sleep(60)\n"


def fill_row(source: str):
    """The ``fill_row`` a ``%%worker`` cell with ``source`` would define."""
    return define_worker(source).fill_row


# --- the exercise -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_solution_passes_under_every_start_method(capsys, method):
    assert check_fill_row(fill_row(SOLUTION), method=method) is True
    assert one_line(capsys) == f"PASS: {_name()}"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        (COPY, "not into a copy"),
        (RETURNS, "instead of returning it"),
        (UNLINKS, "never unlink()"),
        (WRONG_DTYPE, "numpy.int32"),
        (
            TOO_WIDE,
            "raised TypeError: buffer is too small for requested array; view the block as (height, width) numpy.int32",
        ),
        (WRONG_ROW, "row 0 of the image is not mandelbrot_row(0, width, height)"),
        (TRANSPOSED, "(height, width)"),
        (RAISES, "fill_row raised ValueError: oops"),
    ],
    ids=["copy", "returns", "unlinks", "wrong-dtype", "too-wide", "wrong-row", "transposed", "raises"],
)
def test_plausible_wrong_answers_fail_with_a_hint(capsys, source, hint):
    assert check_fill_row(fill_row(source)) is False
    line = one_line(capsys)
    assert line.startswith(f"NOT YET: {_name()}. Hint: ") and hint in line, line


def test_the_solution_passes_at_a_size_it_never_saw_and_a_hard_coded_answer_fails(capsys):
    assert check_fill_row(fill_row(SOLUTION), size=(17, 9)) is True
    hard_coded = SOLUTION.replace("mandelbrot_row(row, width, height)", "mandelbrot_row(row, 48, 24)")
    assert check_fill_row(fill_row(hard_coded)) is True
    capsys.readouterr()
    assert check_fill_row(fill_row(hard_coded), size=(17, 9)) is False
    assert "raised ValueError" in one_line(capsys)


def test_a_worker_that_hangs_is_stopped(capsys):
    assert check_fill_row(fill_row(HANGS), timeout=2) is False
    assert "did not finish within 2 s" in one_line(capsys)


def test_a_function_a_spawned_child_cannot_load_gets_the_worker_hint(capsys):
    def fill_row(name, row, width, height):  # defined here, not in a module a child can import
        pass

    assert check_fill_row(fill_row) is False
    assert "%%worker" in one_line(capsys)


def test_not_a_function(capsys):
    assert check_fill_row("fill_row") is False
    assert "pass the function itself" in one_line(capsys)


def test_the_check_leaves_no_block_behind(capsys, monkeypatch):
    from multiprocessing import shared_memory

    names = []
    real = shared_memory.SharedMemory

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            names.append(self.name)

    monkeypatch.setattr(q7.shared_memory, "SharedMemory", Recording)
    check_fill_row(fill_row(SOLUTION))
    check_fill_row(fill_row(UNLINKS))
    monkeypatch.undo()
    assert names
    for name in set(names):
        with pytest.raises(FileNotFoundError):
            real(name=name)


def _name() -> str:
    return "fill_row writes each Mandelbrot row into the shared image, and leaves the block to its creator"


# --- the measured zero-copy gain -----------------------------------------------------------


def test_zero_copy_passes_when_the_name_is_much_faster(capsys):
    assert check_zero_copy(0.2, 0.002) is True
    assert one_line(capsys) == "PASS: a shared-memory block's name crosses to a worker faster than the pickled array"


@pytest.mark.parametrize(("pickled", "shared"), [(0.2, 0.1), (0.01, 0.2), (0.0, 0.001), (0.2, 0.0)])
def test_zero_copy_fails_on_an_idle_machine_otherwise(capsys, notes, pickled, shared):
    assert check_zero_copy(pickled, shared) is False
    assert one_line(capsys).startswith("NOT YET: ") and notes == []


def test_zero_copy_a_small_gain_passes_on_a_loaded_machine(capsys, monkeypatch, notes):
    machine_gives(monkeypatch, 1.1)
    assert check_zero_copy(0.2, 0.1) is True
    assert one_line(capsys).startswith("PASS: ") and len(notes) == 1


# --- the measured Mandelbrot speedup -------------------------------------------------------


def test_speedup_passes_when_both_pools_halve_the_time(capsys):
    assert check_mandelbrot_speedup(1.5, 0.8, 0.85) is True
    assert one_line(capsys).startswith("PASS: 2 workers drew the picture")


@pytest.mark.parametrize(
    ("loop", "pool", "shared"), [(1.5, 1.4, 0.8), (1.5, 0.8, 1.5), (0.8, 1.5, 1.5), (1.5, 0.0, 0.8), (1.5, True, 0.8)]
)
def test_speedup_fails_on_an_idle_machine_otherwise(capsys, notes, loop, pool, shared):
    assert check_mandelbrot_speedup(loop, pool, shared) is False
    assert one_line(capsys).startswith("NOT YET: ") and all("Other programs" not in note for note in notes)


def test_speedup_on_one_free_core_asks_nothing(capsys, notes):
    assert check_mandelbrot_speedup(1.5, 1.6, 1.6, free_cpus=1.0) is True
    assert one_line(capsys).startswith("PASS: ") and len(notes) == 1


def test_speedup_on_a_half_busy_machine_asks_less(capsys, notes):
    assert check_mandelbrot_speedup(1.5, 1.25, 1.25, free_cpus=1.6) is True  # 1.2x, 1.09x asked
    assert check_mandelbrot_speedup(1.5, 1.45, 1.45, free_cpus=1.6) is False
