"""mpcourse.backend.context: which start method, and a clear error for a wrong one."""

from __future__ import annotations

import multiprocessing

import pytest

from mpcourse import START_METHOD_ENV, get_context, start_method, valid_start_methods


def test_default_is_the_platform_default(monkeypatch):
    monkeypatch.delenv(START_METHOD_ENV, raising=False)
    assert start_method() == multiprocessing.get_all_start_methods()[0]


def test_environment_variable_overrides_the_default(monkeypatch, method):
    monkeypatch.setenv(START_METHOD_ENV, method)
    assert get_context().get_start_method() == method


def test_explicit_argument_beats_the_environment(monkeypatch, method):
    monkeypatch.setenv(START_METHOD_ENV, "bogus")
    assert get_context(method).get_start_method() == method


def test_unknown_method_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "bogus")
    with pytest.raises(ValueError) as excinfo:
        get_context()
    message = str(excinfo.value)
    assert "bogus" in message and START_METHOD_ENV in message
    for valid in valid_start_methods():
        assert valid in message


def test_empty_environment_variable_means_default(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "  ")
    assert start_method() == valid_start_methods()[0]


def test_never_changes_the_global_start_method(method):
    before = multiprocessing.get_start_method(allow_none=True)
    get_context(method)
    assert multiprocessing.get_start_method(allow_none=True) == before
