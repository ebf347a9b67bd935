"""Does a child's print land in its own cell, before the parent's next line, without slowing join?

Without mpcourse.kernel.output_drain, 8-15 of 40 such cells came out wrong under
forkserver (parent's line first, torn lines, or output under the next cell).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from notebook_runner import execute, stream_text

from mpcourse import START_METHOD_ENV, valid_start_methods

SETUP = (
    "import mpcourse\nfrom mpcourse import workers\nfrom mpcourse.kernel import output_drain\n"
    "ctx = mpcourse.get_context()"
)
CELL = "p = ctx.Process(target=workers.say_hello)\np.start()\np.join()\nprint('parent done')"
CELLS = 20
HELLO = "Hello from a child process\n"


@pytest.mark.slow
@pytest.mark.parametrize("unbuffered", ["1", None], ids=["PYTHONUNBUFFERED", "buffered"])
@pytest.mark.parametrize("method", valid_start_methods())
def test_child_line_comes_before_the_parents_next_line(method, unbuffered):
    notebook = execute([SETUP] + [CELL] * CELLS, {START_METHOD_ENV: method, "PYTHONUNBUFFERED": unbuffered})
    texts = [stream_text(cell) for cell in notebook.cells[1:]]
    assert texts == [HELLO + "parent done\n"] * CELLS


START_JOIN = "p = ctx.Process(target=workers.say_hello)\np.start()\np.join()\n"


@pytest.mark.slow
@pytest.mark.parametrize("method", valid_start_methods())
def test_join_only_notes_the_child_and_whatever_the_cell_sends_next_waits_for_its_output(method):
    """join() returns without waiting for the pipes; a print, a result, display() or a traceback waits."""
    cells = [
        SETUP,
        START_JOIN + "pending = output_drain.output_pending()\nprint('pending after join:', pending)",
        START_JOIN + "p.exitcode",
        START_JOIN + "display('shown')",
        START_JOIN + "raise ValueError('after the child')",
        START_JOIN,  # nothing after the join: the end of the cell waits
        "print('next cell')",
    ]
    notebook = execute(cells, {START_METHOD_ENV: method})
    pending, result, shown, error, bare, after = notebook.cells[1:]

    def kinds(cell):  # a forked child's line may come as two stream messages: count them as one
        types = [o.output_type for o in cell.outputs]
        return [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]]

    assert stream_text(pending) == HELLO + "pending after join: True\n"
    assert kinds(result) == ["stream", "execute_result"] and stream_text(result) == HELLO
    assert kinds(shown) == ["stream", "display_data"] and stream_text(shown) == HELLO
    assert kinds(error) == ["stream", "error"] and stream_text(error) == HELLO
    assert stream_text(bare) == HELLO
    assert stream_text(after) == "next cell\n"


OUTSIDE_A_KERNEL = """
import multiprocessing, multiprocessing.process, sys
join, write = multiprocessing.process.BaseProcess.join, sys.stdout.write
import ipykernel  # loaded, but this is no kernel
import mpcourse
from mpcourse.kernel import output_drain
output_drain.install()
assert multiprocessing.process.BaseProcess.join is join, "join was replaced outside a kernel"
assert sys.stdout.write == write, "stdout.write was replaced outside a kernel"
p = multiprocessing.get_context(sys.argv[1]).Process(target=print, args=("child",))
p.start()
p.join()
assert not output_drain.output_pending(), "a join outside a kernel left output pending"
print("parent")
"""


@pytest.mark.parametrize("method", valid_start_methods())
def test_outside_a_kernel_join_is_untouched(method):
    """In a plain Python (even with ipykernel imported), mpcourse changes neither join nor stdout."""
    done = subprocess.run([sys.executable, "-c", OUTSIDE_A_KERNEL, method], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "child\nparent\n"


FEATURES = (
    "import sys\nfrom mpcourse.kernel import output_drain\n"
    "streams = [s for s in (sys.stdout, sys.stderr) if isinstance(getattr(s, '_fid', None), int)]\n"
    "print(len(streams), output_drain.missing_features(get_ipython(), streams))"
)


def test_this_kernels_ipykernel_has_every_feature_the_drain_reads():
    """The ipykernel installed here (within pyproject's bound) gives the drain all it reads: no warning."""
    notebook = execute([FEATURES])
    assert stream_text(notebook.cells[0]) == "2 []\n"
    assert not [o for o in notebook.cells[0].outputs if o.get("name") == "stderr"]


def test_the_installed_ipykernel_is_within_the_supported_range():
    """pyproject bounds ipykernel to the versions whose internals the drain is tested against."""
    import re
    from importlib.metadata import version
    from pathlib import Path

    from packaging.requirements import Requirement

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    bound = Requirement(re.search(r'^\s*"(ipykernel[^"]*)"', pyproject, re.MULTILINE).group(1))
    assert "8.0" not in bound.specifier, f"{bound} has no upper bound below the next major ipykernel"
    assert version("ipykernel") in bound.specifier


class _Events:
    def __init__(self):
        self.registered = []

    def register(self, event, callback):
        self.registered.append(event)


class _BareStream:
    """An fd-capturing stream of a kernel that has none of ipykernel's reader internals."""

    _fid = 0

    def write(self, text):
        return len(text)

    def flush(self):
        pass


def test_a_kernel_without_the_features_gets_one_warning_and_keeps_join_and_write(monkeypatch):
    """An ipykernel that changed its internals: one warning, the end-of-cell drain only, nothing patched."""
    import multiprocessing.process
    import types
    import warnings

    from mpcourse.kernel import output_drain

    shell = types.SimpleNamespace(events=_Events(), displayhook=object(), display_pub=object(), _showtraceback=print)
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    stream = _BareStream()
    monkeypatch.setattr(sys, "stdout", stream)
    monkeypatch.setattr(sys, "stderr", stream)
    join, write = multiprocessing.process.BaseProcess.join, _BareStream.__dict__["write"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output_drain.install()
        output_drain.install()
    assert len(caught) == 1 and "watch_fd_thread" in str(caught[0].message), [str(w.message) for w in caught]
    assert "ipykernel>=6.25,<8" in str(caught[0].message)
    assert multiprocessing.process.BaseProcess.join is join
    assert _BareStream.__dict__["write"] is write
    assert shell.events.registered == ["post_execute"]
