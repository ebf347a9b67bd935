"""mpcourse.backend.child_output: what a call printed travels with its result."""

from __future__ import annotations

import pickle

import pytest

from mpcourse import workers
from mpcourse.backend.child_output import CapturedCall, RemoteTraceback, replay


def test_captures_stdout_and_result():
    captured = CapturedCall(workers.print_number)(4)
    assert (captured.result, captured.stdout, captured.error) == (4, "number 4\n", None)


def test_round_trips_through_pickle():
    call = pickle.loads(pickle.dumps(CapturedCall(workers.double)))
    assert pickle.loads(pickle.dumps(call(2))).result == 4


def test_error_is_kept_with_its_remote_traceback(capsys):
    captured = CapturedCall(workers.fail)("bad")
    assert isinstance(captured.error, ValueError)
    assert "workers.py" in captured.remote_traceback and "capture.py" not in captured.remote_traceback
    with pytest.raises(ValueError) as excinfo:
        replay(captured)
    assert isinstance(excinfo.value.__cause__, RemoteTraceback)


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no")


def raise_unpicklable():
    raise Unpicklable("inside")


def test_unpicklable_error_becomes_a_described_runtime_error():
    captured = CapturedCall(raise_unpicklable)()
    assert isinstance(captured.error, RuntimeError)
    assert "Unpicklable: inside" in str(captured.error)


def test_replay_prints_then_returns(capsys):
    assert replay(CapturedCall(workers.print_number)(1)) == 1
    assert capsys.readouterr().out == "number 1\n"
