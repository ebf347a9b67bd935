"""Does what a child prints show up in the notebook cell, in task order, every run?

Executes a real notebook in a real kernel (nbclient) under each start method,
with and without PYTHONUNBUFFERED, and reads the saved cell outputs.
"""

from __future__ import annotations

import pytest
from notebook_runner import error_names, execute, stream_text

from mpcourse import START_METHOD_ENV, valid_start_methods

CELLS = [
    "import mpcourse\nfrom mpcourse import workers\n%load_ext mpcourse",
    # 1: one plain Process (ipykernel's fd capture on POSIX)
    "ctx = mpcourse.get_context()\np = ctx.Process(target=workers.say_hello)\np.start()\np.join()",
    # 2: a pool whose tasks print
    "results = mpcourse.run_map(workers.print_number, range(8), 2)",
    # 3: several processes at once
    "outcomes = mpcourse.run_processes(workers.print_number, [(i,) for i in range(4)])",
    # 4: a learner-written worker that prints, then raises on one task
    "%%worker\ndef noisy(n):\n    print(f'task {n}')\n"
    "    if n == 3:\n        raise ValueError('task 3 failed')\n    return n",
    # 5
    "mpcourse.run_map(noisy, range(5), 2)",
    # 6: the kernel is still usable and left no child behind
    "import multiprocessing\nprint('children left:', len(multiprocessing.active_children()))",
]

RUNS = 5


def _observed(notebook):
    cells = notebook.cells
    return (
        stream_text(cells[1]),
        stream_text(cells[2]),
        stream_text(cells[3]),
        stream_text(cells[5]),
        error_names(cells[5]),
        stream_text(cells[6]),
    )


EXPECTED = (
    "Hello from a child process\n",
    "".join(f"number {i}\n" for i in range(8)),
    "".join(f"number {i}\n" for i in range(4)),
    "task 0\ntask 1\ntask 2\ntask 3\n",
    ["ValueError"],
    "children left: 0\n",
)


@pytest.mark.slow
@pytest.mark.parametrize("method", valid_start_methods())
def test_child_output_is_complete_and_ordered_across_runs(method):
    observed = [_observed(execute(CELLS, {START_METHOD_ENV: method, "PYTHONUNBUFFERED": "1"})) for _ in range(RUNS)]
    assert observed == [EXPECTED] * RUNS


@pytest.mark.slow
@pytest.mark.parametrize("method", valid_start_methods())
def test_child_output_without_pythonunbuffered(method):
    notebook = execute(CELLS, {START_METHOD_ENV: method, "PYTHONUNBUFFERED": None})
    assert _observed(notebook) == EXPECTED
