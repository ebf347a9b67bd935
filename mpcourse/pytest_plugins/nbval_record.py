"""A pytest plugin for grading runs: record what each notebook cell printed, and keep reports small.

Loaded with ``-p mpcourse.pytest_plugins.nbval_record`` next to nbval.  After each cell
it writes one JSON line (cell number, passed or not, output text capped) to the
file descriptor given by ``--mpcourse-results-fd`` (a pipe the grader reads, so
nothing is stored where the notebook could rewrite it), at once, so a run
killed by the time limit still tells which cells ran; at the end a line
``{"done": exit status}``.  It also caps failure reports, so a cell that prints
megabytes cannot bloat the log.  On Linux the pytest process makes itself
non-dumpable, so the kernel's processes (same uid) cannot open its descriptors.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from collections.abc import Iterable
from typing import Any

import pytest

from ..grading.limits import DEFAULT_LIMITS

__all__ = ["output_text"]

_TRUNCATED = " … [output truncated]"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--mpcourse-results`` and ``--mpcourse-output-chars``."""
    group = parser.getgroup("mpcourse grading")
    group.addoption("--mpcourse-results-fd", type=int, default=None, help="write one JSON line per cell to this fd")
    group.addoption(
        "--mpcourse-output-chars", type=int, default=DEFAULT_LIMITS.output_chars, help="cap on recorded output per cell"
    )


def output_text(outputs: Iterable[Any] | None, limit: int) -> str:
    """What a cell showed, as text: streams, ``text/plain`` results, and ``Error: message`` lines."""
    parts: list[str] = []
    size = 0
    for output in outputs or ():
        kind = output.get("output_type")
        if kind == "stream":
            text = output.get("text", "")
        elif kind in ("execute_result", "display_data"):
            text = output.get("data", {}).get("text/plain", "")
        elif kind == "error":
            text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}\n"
        else:
            continue
        text = "".join(text) if isinstance(text, list) else str(text)
        parts.append(text[: limit + 1])
        size += len(text)
        if size > limit:
            break
    joined = "".join(parts)
    return joined[:limit] + _TRUNCATED if len(joined) > limit else joined


def _reason(report: pytest.TestReport) -> str:
    """The first meaningful line of a failure report (used when a cell showed nothing)."""
    text = str(report.longrepr or "")
    for line in text.splitlines():
        line = line.strip()
        if line and "Notebook cell execution failed" not in line:
            return line[:300]
    return ""


def _send(config: pytest.Config, record: dict[str, Any]) -> None:
    descriptor = config.getoption("--mpcourse-results-fd")
    if descriptor is not None:
        data = (json.dumps(record) + "\n").encode()
        while data:
            data = data[os.write(descriptor, data) :]


def pytest_configure(config: pytest.Config) -> None:
    """Make this process non-dumpable (Linux), so no other process of the run can open its descriptors."""
    if config.getoption("--mpcourse-results-fd") is not None and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
        except (OSError, AttributeError):
            pass


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Say that the run finished, and how."""
    _send(session.config, {"done": int(exitstatus)})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Cap the failure text; record each notebook cell's outcome and output."""
    report = yield
    config = item.config
    limit = config.getoption("--mpcourse-output-chars")
    if isinstance(report.longrepr, str) and len(report.longrepr) > 4 * limit:
        report.longrepr = report.longrepr[: 4 * limit] + _TRUNCATED
    cell_num = getattr(item, "cell_num", None)
    finished = report.when == "call" or (report.when == "setup" and not report.passed)
    if cell_num is not None and finished:
        record = {
            "cell": cell_num,
            "passed": report.passed and not hasattr(report, "wasxfail"),
            "output": output_text(getattr(item, "test_outputs", None), limit),
            "reason": "" if report.passed else _reason(report),
        }
        _send(config, record)
    return report
