"""mpcourse.kernel.short_errors: a refused worker shows its fix first, in a few lines, not the package's traceback."""

from __future__ import annotations

from notebook_runner import execute

from mpcourse import START_METHOD_ENV

REFUSED = "def square(x):\n    return x * x\n\nwith mpcourse.Pool(2) as pool:\n    pool.map(square, [1, 2])"


def _error(cell):
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    return error


def test_after_load_ext_a_refused_worker_is_its_fix_and_the_learners_line():
    notebook = execute(["import mpcourse\n%load_ext mpcourse", REFUSED], {START_METHOD_ENV: "spawn"})
    error = _error(notebook.cells[1])
    assert error.ename == "NotImportableError" and "%%worker" in error.evalue
    text = "\n".join(error.traceback)
    assert error.traceback[0].startswith("NotImportableError: ") and len(error.traceback) == 2, text
    assert "pool.map(square, [1, 2])" in error.traceback[1]
    assert "mpcourse/backend" not in text and "site-packages" not in text


def test_other_errors_keep_their_whole_traceback():
    notebook = execute(["%load_ext mpcourse", "def f():\n    raise ValueError('mine')\n\nf()"])
    error = _error(notebook.cells[1])
    assert error.ename == "ValueError" and len(error.traceback) > 2


def test_without_load_ext_nothing_changes():
    notebook = execute(["import mpcourse", REFUSED], {START_METHOD_ENV: "spawn"})
    assert len(_error(notebook.cells[1]).traceback) > 2
