"""One call of a learner's ``collect_cubes(worker, numbers)`` (chapter 03), observed as plain data.

What it returned, or raised, or that it did not return in time; the pools it
created; the processes it started and did not join; and, when the worker is the
check's :class:`~.witness.CubeWitness`, how many times the worker ran, for which
indices, and in which processes.  The kernel's check and the judge's probe both
call :func:`collect_cubes_data`; the verdict is :func:`mpcourse.checks.q3.cubes`.
Standard library only.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import multiprocessing.process
import os
from typing import Any

from . import UNTOUCHED_HINT
from .pool_keeper import PoolKeeper
from .q6 import _call_with_timeout
from .witness import CubeWitness

__all__ = ["TIMEOUT_SECONDS", "collect_cubes_data"]

#: How long one call of ``collect_cubes`` may take before the check gives up on it.
TIMEOUT_SECONDS = 20.0


def collect_cubes_data(
    collect_cubes: Any, worker: Any, numbers: list[int], *, timeout: float = TIMEOUT_SECONDS, tidy: bool = True
) -> dict[str, Any]:
    """One call ``collect_cubes(worker, numbers)`` as plain data for the verdict :func:`cubes`.

    The call runs in a helper thread, abandoned after ``timeout`` seconds (an answer
    stuck in ``queue.get()`` cannot be stopped from outside its thread; the processes
    it started are stopped).  When ``worker`` is a :class:`~.witness.CubeWitness`, its
    records say who ran it.  ``left``: processes the call started and did not join
    (multiprocessing's own list), and processes that ran the worker and still exist (a
    child not joined stays as a zombie).  With ``tidy``, those are stopped and joined
    afterwards; a judge leaves them for its tracer to see.
    """
    data: dict[str, Any] = {"numbers": list(numbers)}
    if collect_cubes is Ellipsis:
        data["problem"] = UNTOUCHED_HINT
    elif not callable(collect_cubes):
        data["problem"] = "define a function collect_cubes(worker, numbers) in the answer cell, and pass it itself"
    if "problem" in data:
        return data
    before = set(_unjoined())
    with PoolKeeper() as keeper:
        status, value = _call_with_timeout(functools.partial(collect_cubes, worker), list(numbers), timeout)
    if status == "timeout":
        data["timeout"] = timeout
    elif status == "error":
        data["raised"] = f"{type(value).__name__}: {value}"[:300]
    else:
        data["cubes"] = _as_data(value)
    data["pools"] = len(keeper.pools)
    started = [process for process in _unjoined() if process not in before]
    left = {process.pid for process in started}
    if isinstance(worker, CubeWitness):
        records, main = worker.records(), os.getpid()
        others = {record.pid for record in records if record.pid != main}
        data.update(calls=len(records), from_main=sum(record.pid == main for record in records), workers=len(others))
        data["handled"] = [record.index for record in records]
        left |= {pid for pid in others if _exists(pid)}
    data["left"] = len(left)
    keeper.close_left()
    if tidy:
        for process in started:
            if process.is_alive():
                process.terminate()
            process.join()
    return data


def _unjoined() -> list[Any]:
    """The processes this interpreter started and has not joined (multiprocessing's own list of them).

    Without that private list, the live children (finished ones not joined are then not seen).
    """
    children = getattr(multiprocessing.process, "_children", None)
    return list(children) if isinstance(children, set) else multiprocessing.active_children()


def _exists(pid: int) -> bool:
    """Does process ``pid`` still exist, running or as a zombie nobody joined?  ``False`` where it cannot be asked."""
    if os.name != "posix":  # on Windows os.kill(pid, 0) would end the process
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_data(value: Any) -> Any:
    """``value`` (a tuple as a list) if it is plain data of modest size, else its shortened ``repr``."""
    value = list(value) if isinstance(value, tuple) else value
    try:
        return value if len(json.dumps(value)) <= 4000 else repr(value)[:200]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:200]
