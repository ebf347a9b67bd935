"""mpcourse.backend.processes: several processes at once, output shown in argument order."""

from __future__ import annotations

import pytest

from mpcourse import NotImportableError, run_processes, workers


def test_outputs_in_argument_order(method, capfd):
    outcomes = run_processes(workers.print_number, [(i,) for i in (3, 1, 2, 0)], method=method)
    assert [o.result for o in outcomes] == [3, 1, 2, 0]
    assert [o.exitcode for o in outcomes] == [0, 0, 0, 0]
    assert capfd.readouterr().out == "number 3\nnumber 1\nnumber 2\nnumber 0\n"


def test_a_raising_child_exits_1_and_shows_its_traceback(method, capfd):
    (outcome,) = run_processes(workers.fail, [("nope",)], method=method)
    assert outcome.exitcode == 1
    assert isinstance(outcome.error, ValueError)
    assert "ValueError: nope" in capfd.readouterr().err


def test_a_crashing_child_is_reported(method, capfd):
    (outcome,) = run_processes(workers.crash, [(5,)], method=method)
    assert outcome.exitcode == 5 and outcome.result is None
    assert "exit code 5" in capfd.readouterr().err


def test_timeout_terminates_every_child(method):
    with pytest.raises(TimeoutError):
        run_processes(workers.sleep_for, [(30,), (30,)], method=method, timeout=1)


def test_refuses_a_lambda():
    with pytest.raises(NotImportableError):
        run_processes(lambda: None, [()])
