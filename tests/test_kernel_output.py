"""Does a child's print land in its own cell, before the parent's next line?

Without mpcourse.kernel_output, 8-15 of 40 such cells came out wrong under
forkserver (parent's line first, torn lines, or output under the next cell).
"""

from __future__ import annotations

import pytest
from notebook_runner import execute, stream_text

from mpcourse import START_METHOD_ENV, valid_start_methods

CELL = "p = ctx.Process(target=workers.say_hello)\np.start()\np.join()\nprint('parent done')"
CELLS = 20


@pytest.mark.slow
@pytest.mark.parametrize("unbuffered", ["1", None], ids=["PYTHONUNBUFFERED", "buffered"])
@pytest.mark.parametrize("method", valid_start_methods())
def test_child_line_comes_before_the_parents_next_line(method, unbuffered):
    setup = "import mpcourse\nfrom mpcourse import workers\nctx = mpcourse.get_context()"
    notebook = execute([setup] + [CELL] * CELLS, {START_METHOD_ENV: method, "PYTHONUNBUFFERED": unbuffered})
    texts = [stream_text(cell) for cell in notebook.cells[1:]]
    assert texts == ["Hello from a child process\nparent done\n"] * CELLS


def test_outside_a_kernel_join_is_untouched():
    import multiprocessing.process

    assert not hasattr(multiprocessing.process.BaseProcess.join, "_mpcourse_original")
