"""A pytest plugin for grading runs: record what each notebook cell printed, and keep reports small.

Loaded with ``-p mpcourse.grading.nbval_plugin`` next to nbval.  After each cell
it appends one JSON line (cell number, passed or not, output text capped) to the
file given by ``--mpcourse-results``, flushed at once, so a run killed by the
time limit still tells which cells ran.  It also caps failure reports, so a cell
that prints megabytes cannot bloat the junit XML or the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

__all__ = ["output_text"]

_TRUNCATED = " … [output truncated]"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--mpcourse-results`` and ``--mpcourse-output-chars``."""
    group = parser.getgroup("mpcourse grading")
    group.addoption("--mpcourse-results", default=None, help="append one JSON line per notebook cell here")
    group.addoption("--mpcourse-output-chars", type=int, default=2000, help="cap on recorded output per cell")


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Cap the failure text; record each notebook cell's outcome and output."""
    report = yield
    config = item.config
    limit = config.getoption("--mpcourse-output-chars")
    if isinstance(report.longrepr, str) and len(report.longrepr) > 4 * limit:
        report.longrepr = report.longrepr[: 4 * limit] + _TRUNCATED
    path = config.getoption("--mpcourse-results")
    cell_num = getattr(item, "cell_num", None)
    finished = report.when == "call" or (report.when == "setup" and not report.passed)
    if path and cell_num is not None and finished:
        record = {
            "cell": cell_num,
            "passed": report.passed and not hasattr(report, "wasxfail"),
            "output": output_text(getattr(item, "test_outputs", None), limit),
            "reason": "" if report.passed else _reason(report),
        }
        with open(path, "a", encoding="utf-8") as results:
            results.write(json.dumps(record) + "\n")
    return report
