"""Tests for mpcourse/grading/driver.py: capped pipes, the timeout, cancellation and the registry of live runs.

These use ``--sandbox none`` (no bubblewrap needed, and fast): the driver is the
same for both; what bubblewrap adds is tested in test_sandbox_promises.py.
"""

from __future__ import annotations

import threading
import time

from mpcourse.grading.bwrap import PYTHON
from mpcourse.grading.driver import SandboxRun, cancelled_by, live_runs, stop_all_runs
from mpcourse.grading.limits import Limits

LIMITS = Limits(timeout=30)


def test_report_keeps_its_head_and_log_its_tail():
    code = "import os, sys\nos.write(int(sys.argv[1]), b'R' * 5000 + b'end')\nprint('x' * 5000 + 'last', end='')"
    with SandboxRun("none", LIMITS, report_bytes=100, log_bytes=10) as run:
        finished = run.run([PYTHON, "-c", code, str(run.report_fd)])
    assert finished.ending == "exited" and finished.returncode == 0
    assert finished.report == b"R" * 100
    assert finished.log == b"xxxxxxlast"


def test_timeout_kills_from_outside():
    with SandboxRun("none", Limits(timeout=1)) as run:
        finished = run.run(
            [PYTHON, "-c", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"]
        )
    assert finished.ending == "timeout" and finished.seconds < 15


def test_a_set_cancel_event_keeps_a_run_from_starting():
    cancel = threading.Event()
    cancel.set()
    with cancelled_by(cancel), SandboxRun("none", LIMITS) as run:
        finished = run.run([PYTHON, "-c", "print('ran')"])
    assert finished.ending == "stopped" and finished.returncode is None and finished.log == b""


def test_stop_all_runs_stops_a_run_in_flight_and_the_registry_empties():
    before = live_runs()
    run = SandboxRun("none", LIMITS)
    results = []
    worker = threading.Thread(target=lambda: results.append(run.run([PYTHON, "-c", "import time; time.sleep(60)"])))
    worker.start()
    assert live_runs() == before + 1
    time.sleep(0.5)
    stop_all_runs()
    worker.join(15)
    run.close()
    assert not worker.is_alive() and results[0].ending == "stopped"
    assert live_runs() == before


def test_a_run_stopped_before_it_starts_never_starts():
    with SandboxRun("none", LIMITS) as run:
        run.stop()
        finished = run.run([PYTHON, "-c", "print('ran')"])
    assert finished.ending == "stopped" and finished.log == b""
