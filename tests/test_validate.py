"""mpcourse.backend.picklable: the classic mistakes get a message that says how to fix them."""

from __future__ import annotations

import functools
import os

import pytest

from mpcourse import NotImportableError, Pool, available_cpus, get_context, workers
from mpcourse.backend.child_output import Captured, CapturedCall
from mpcourse.backend.picklable import ensure_importable
from mpcourse.backend.pool import validate_processes


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (workers.double, (3,), 6),
        (functools.partial(workers.power, 2), (5,), 32),
        (CapturedCall(workers.print_number), (4,), (4, "number 4\n")),
    ],
    ids=["function", "partial", "captured-call"],
)
def test_module_functions_are_fine_under_every_method(method, func, args, expected):
    """What ensure_importable lets through, a child of that start method really runs."""
    assert ensure_importable(func, method) is None
    with get_context(method).Pool(1) as pool:
        got = pool.apply(func, args)
        pool.close()
        pool.join()
    if isinstance(got, Captured):
        got = (got.result, got.stdout)
    assert got == expected


def test_lambda_is_refused_with_a_fix(method):
    with pytest.raises(NotImportableError, match=r"lambda.*def"):
        ensure_importable(lambda x: x, method)


def test_nested_function_is_refused(method):
    def inner(x):
        return x

    with pytest.raises(NotImportableError, match="inside another function"):
        ensure_importable(inner, method)


def test_wrapped_lambda_is_refused_too(method):
    with pytest.raises(NotImportableError):
        ensure_importable(CapturedCall(functools.partial(lambda x, y: x, 1)), method)


def _main_function():
    namespace = {"__name__": "__main__"}
    exec("def from_notebook(x):\n    return x\n", namespace)
    return namespace["from_notebook"]


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_notebook_function_is_refused_where_children_import_it(method, monkeypatch):
    import sys
    import types

    fake_main = types.ModuleType("__main__")  # like IPython's: no __file__
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    with pytest.raises(NotImportableError) as excinfo:
        ensure_importable(_main_function(), method)
    message = str(excinfo.value)
    assert "defined in this notebook" in message and "%%worker" in message and method in message


def test_unimportable_module_is_refused():
    func = _main_function()
    func.__module__ = "no_such_module_anywhere"
    with pytest.raises(NotImportableError, match="cannot import"):
        ensure_importable(func, "spawn")


def test_not_callable_says_to_drop_the_parentheses():
    with pytest.raises(TypeError, match="without"):
        ensure_importable(workers.double(2), "spawn")


@pytest.mark.parametrize("bad", [0, -3])
def test_processes_below_one(bad):
    """The hint names the count that honours a container's CPU quota, not processes=None."""
    with pytest.raises(ValueError, match=r"at least 1") as excinfo:
        validate_processes(bad)
    message = str(excinfo.value)
    assert "processes=mpcourse.available_cpus()" in message
    assert "Use processes=None" not in message
    # what processes=None really takes on this Python, said as a caveat
    default = "os.process_cpu_count()" if hasattr(os, "process_cpu_count") else "os.cpu_count()"
    assert f"processes=None takes {default}" in message


def test_the_hint_names_a_real_function():
    import mpcourse

    assert isinstance(mpcourse.available_cpus(), int)


@pytest.mark.parametrize("bad", [2.5, "4", True])
def test_processes_not_a_whole_number(bad):
    with pytest.raises(TypeError, match=r"whole number.*available_cpus\(\)"):
        validate_processes(bad)


@pytest.mark.parametrize(("processes", "workers_started"), [(None, available_cpus()), (1, 1), (3, 3)])
def test_processes_fine(processes, workers_started):
    """Accepted counts raise nothing and give a pool of that many workers (None: one per usable core)."""
    assert validate_processes(processes) is None
    with Pool(processes) as pool:
        assert len(pool._pool) == workers_started
        pool.close()
        pool.join()
