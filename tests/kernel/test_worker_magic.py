"""%%worker: a function written in a notebook cell runs in spawn and forkserver children."""

from __future__ import annotations

import pytest
from notebook_runner import error_names, execute, stream_text

from mpcourse import START_METHOD_ENV, valid_start_methods
from mpcourse.kernel.worker_magic import define_worker, public_names

DEFINE_V1 = "%%worker\ndef shout(word):\n    return word.upper()"
DEFINE_V2 = "%%worker\ndef shout(word):\n    return word.upper() + '!'"
RUN_IN_POOL = "with mpcourse.Pool(2) as pool:\n    print(pool.map(shout, ['a', 'b']))"
RUN_IN_PROCESS = (
    "ctx = mpcourse.get_context()\nq = ctx.Queue()\n"
    "p = ctx.Process(target=put_shout, args=(q, 'c'))\np.start()\nprint(q.get(timeout=30))\np.join()"
)


@pytest.mark.slow
@pytest.mark.parametrize("method", valid_start_methods())
def test_notebook_worker_runs_and_redefinition_is_picked_up(method):
    put = "%%worker\ndef put_shout(queue, word):\n    queue.put(word.upper())"
    cells = ["import mpcourse\n%load_ext mpcourse", DEFINE_V1, RUN_IN_POOL, put, RUN_IN_PROCESS, DEFINE_V2, RUN_IN_POOL]
    notebook = execute(cells, {START_METHOD_ENV: method})
    outputs = [stream_text(cell) for cell in notebook.cells]
    assert [error_names(c) for c in notebook.cells] == [[]] * len(cells)
    assert outputs[2] == "['A', 'B']\n"
    assert outputs[4] == "C\n"
    assert outputs[6] == "['A!', 'B!']\n"


@pytest.mark.slow
def test_plain_notebook_function_gets_the_clear_error_fast():
    """A notebook-defined function handed to a spawn Pool: a clear error, no hang, no leftovers."""
    cells = [
        "import mpcourse, time\nstart = time.monotonic()",
        "def mine(x):\n    return x\nwith mpcourse.Pool(2, method='spawn') as pool:\n    pool.map(mine, [1, 2])",
        "print(time.monotonic() - start < 10)",
        "import multiprocessing\nprint(len(multiprocessing.active_children()))",
    ]
    notebook = execute(cells)
    assert error_names(notebook.cells[1]) == ["NotImportableError"]
    error = next(o for o in notebook.cells[1].outputs if o.output_type == "error")
    assert "defined in this notebook" in error.evalue and "%%worker" in error.evalue
    assert stream_text(notebook.cells[2]) == "True\n"
    assert stream_text(notebook.cells[3]) == "0\n"


def test_define_worker_is_importable_by_name():
    module = define_worker("def triple(x):\n    return 3 * x\n_private = 1\n")
    assert set(public_names(module)) == {"triple"}
    assert module.triple.__module__ == module.__name__
    assert define_worker("def triple(x):\n    return 3 * x\n_private = 1\n") is module


def test_define_worker_syntax_error_leaves_nothing_behind():
    from mpcourse.kernel.worker_magic import cell_directory

    before = set(cell_directory().iterdir())
    with pytest.raises(SyntaxError):
        define_worker("def broken(:\n")
    assert set(cell_directory().iterdir()) == before
