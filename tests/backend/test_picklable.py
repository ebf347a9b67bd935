"""mpcourse.backend.picklable: the classic mistakes get a message that says how to fix them."""

from __future__ import annotations

import functools

import pytest

from mpcourse import NotImportableError, get_context, workers
from mpcourse.backend.child_output import Captured, CapturedCall
from mpcourse.backend.picklable import ensure_importable


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
