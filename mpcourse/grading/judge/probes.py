"""Probes: what a judge's child gathers from the learner's namespace, as plain data for an exercise's verdict.

Each probe is ``probe(namespace, **args) -> dict``, called by :mod:`._child` after
the learner's cells ran, with JSON ``args`` drawn by the grader at grading time.
It runs beside learner code, so what it returns is only the learner's values: the
judge adds what it observed from outside (the tracer's processes, threads and CPU
time, a block the tracer owns, a server the tracer runs) and checks the values
against its own reference.  Standard library only (the course's checks are imported
inside, where a probe needs them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "ServedCube",
    "arrived",
    "choices",
    "counter_prediction",
    "cubes",
    "download_all",
    "fetch",
    "fill_row",
    "inside_count",
    "log_square_busily",
    "logged_squares",
    "plain",
    "prime_counts",
    "put_cube",
    "put_cube_served",
    "run_all",
    "squares",
    "sum_of_squares",
]

#: CPU seconds :func:`log_square_busily` spends before it logs (so the tracer can see who worked).
BUSY_SECONDS = 0.15


def plain(value: Any, limit: int = 4000) -> Any:
    """``value`` if it is plain JSON data of modest size, else its (shortened) ``repr``."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:200]
    return value if len(text) <= limit else repr(value)[:200]


def _problem(func: Any, how_to_pass: str) -> str:
    from mpcourse.checks import worker_problem

    return worker_problem(func, how_to_pass)


def counter_prediction(namespace: dict[str, Any]) -> dict[str, Any]:
    """The two predicted values."""
    return {
        "children": plain(namespace.get("predicted_child_results")),
        "parent": plain(namespace.get("predicted_parent_counter")),
    }


def sum_of_squares(namespace: dict[str, Any], inputs: list[int]) -> dict[str, Any]:
    """``sum_of_squares`` over ``inputs`` in a pool of 2, as :func:`mpcourse.checks.q1.check_sum_of_squares` runs it."""
    from mpcourse.backend.pool import run_map

    func = namespace.get("sum_of_squares")
    data: dict[str, Any] = {"problem": _problem(func, "check_sum_of_squares(sum_of_squares)")}
    if not data["problem"]:
        try:
            data["results"] = plain(list(run_map(func, inputs, processes=2)))
        except Exception as exc:
            data["raised"] = f"{type(exc).__name__}: {exc}"[:300]
    return data


def choices(namespace: dict[str, Any]) -> dict[str, Any]:
    """The ``choices`` mapping, keys and values as text."""
    value = namespace.get("choices")
    if isinstance(value, Mapping):
        return {"choices": {str(key)[:300]: str(answer)[:100] for key, answer in list(value.items())[:100]}}
    return {"choices": repr(value)[:200]}


def fetch(seconds: float) -> Any:
    """Stand-in for ``sleep_for``: ask the judge's server to wait ``seconds``, return the token it answers."""
    from mpcourse.grading.judge.owned import ask

    return ask(seconds)


def download_all(namespace: dict[str, Any], delays: list[float]) -> dict[str, Any]:
    """What ``download_all(delays)`` returned, ``sleep_for`` answered by the judge's server (:mod:`.owned`)."""
    func = namespace.get("download_all")
    if not callable(func):
        return {"problem": "pass the function itself: check_download_all(download_all)"}
    try:
        value = func(list(delays))
        return {"got": plain(list(value) if hasattr(value, "__iter__") else value)}
    except Exception as exc:
        return {"raised": f"{type(exc).__name__}: {exc}"[:300]}


def put_cube(namespace: dict[str, Any], inputs: list[int]) -> dict[str, Any]:
    """What ``put_cube`` put on a queue, run in one process per number of ``inputs``."""
    import queue

    from mpcourse.backend.context import get_context

    func = namespace.get("put_cube")
    data: dict[str, Any] = {"problem": _problem(func, "check_put_cube(put_cube)"), "got": []}
    if data["problem"]:
        return data
    context = get_context()
    results = context.Queue()
    children = [context.Process(target=func, args=(results, i, n)) for i, n in enumerate(inputs)]
    for child in children:
        child.start()
    for _ in children:
        try:
            data["got"].append(plain(results.get(timeout=10)))
        except queue.Empty:
            break
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
    return data


def prime_counts(namespace: dict[str, Any]) -> dict[str, Any]:
    """``primes_with_limit(100)`` and the ``prime_counts`` dict, as ``[limit, count]`` pairs."""
    func = namespace.get("primes_with_limit")
    data: dict[str, Any] = {"problem": _problem(func, "check_prime_counts(primes_with_limit, prime_counts)")}
    if data["problem"]:
        return data
    try:
        sample = func(100)
        data["sample"] = plain(list(sample) if isinstance(sample, (tuple, list)) else sample)
    except Exception as exc:
        data["sample"] = {"raised": f"{type(exc).__name__}: {exc}"[:300]}
    counts = namespace.get("prime_counts")
    data["type"] = type(counts).__name__
    if isinstance(counts, dict):
        data["pairs"] = [[plain(key), plain(value)] for key, value in list(counts.items())[:100]]
    return data


def run_all(namespace: dict[str, Any], numbers: list[int], lengths: list[float]) -> dict[str, Any]:
    """:func:`mpcourse.checks.q5.run_all_data` with :func:`fetch` as the sleeping task (the server sees who ran it)."""
    from mpcourse.checks.q5 import run_all_data

    return plain(run_all_data(namespace.get("run_all"), numbers, lengths, sleeper=fetch), limit=20000)


def squares(namespace: dict[str, Any], cases: list[list[int]]) -> dict[str, Any]:
    """:func:`mpcourse.checks.q6.squares_data` on ``cases``."""
    from mpcourse.checks.q6 import squares_data

    return plain(squares_data(namespace.get("squares_from_processes"), cases, timeout=20.0), limit=20000)


def fill_row(namespace: dict[str, Any], block: str, size: list[int]) -> dict[str, Any]:
    """Run ``fill_row`` over every row of the tracer's block ``block`` in a pool of 2 (the tracer reads the block).

    The resource tracker is started here first, as the kernel's check has one from creating its block: a
    forked worker that attaches a block registers it with its parent's tracker, which tidies only after this
    process ends; without one, each worker starts a tracker of its own, which unlinks the block as soon as
    the pool's workers end, and a right answer looked as if it had unlinked the block.
    """
    from multiprocessing import resource_tracker

    from mpcourse.checks.q7 import _run_rows

    func = namespace.get("fill_row")
    data: dict[str, Any] = {"problem": _problem(func, "check_fill_row(fill_row)")}
    if data["problem"]:
        return data
    resource_tracker.ensure_running()
    width, height = size
    status, returned = _run_rows(func, block, width, height, None, 20.0)
    if status == "error":
        data["status"] = f"{type(returned).__name__}: {returned}"[:400]
    else:
        data["status"] = status
        data["returned"] = status == "ok" and any(value is not None for value in returned)
    return data


def inside_count(namespace: dict[str, Any], rows: list[list[Any]]) -> dict[str, Any]:
    """:func:`mpcourse.checks.q8.rows_data` on ``rows`` and the learner's ``inside_pixels``."""
    from mpcourse.checks.q8 import rows_data
    from mpcourse.grading.judge.cluster_probes import Announced

    func = namespace.get("inside_count")
    func = func.__wrapped__ if isinstance(func, Announced) else func
    data: dict[str, Any] = {"problem": _problem(func, "check_inside_count(inside_count, inside_pixels)")}
    if not data["problem"]:
        data.update(rows_data(func, [(counts, max_iter, as_bytes) for counts, max_iter, as_bytes in rows]))
    total = namespace.get("inside_pixels")
    data["total"] = total if type(total) is int else plain(total, limit=200)
    return plain(data, limit=20000)


def logged_squares(namespace: dict[str, Any], numbers: list[int]) -> dict[str, Any]:
    """What one call ``logged_squares(numbers, handler)`` did, gathered as the kernel's check gathers it."""
    from mpcourse.checks.q9 import gather_logged_squares

    func = namespace.get("logged_squares")
    if not callable(func):
        return {"numbers": numbers, "problem": "define a function logged_squares(numbers, handler)"}
    return gather_logged_squares(func, numbers)


def log_square_busily(number: int) -> int:
    """The judge's ``log_square``: spend :data:`BUSY_SECONDS` of CPU, then log and return the square."""
    from mpcourse.program_workers import log_square

    end = time.process_time() + BUSY_SECONDS
    while time.process_time() < end:
        pass
    return log_square(number)


#: Seconds :func:`put_cube_served` asks the judge's server to wait (the server records the asking process).
CUBE_ASK_SECONDS = 0.02
#: Seconds it stays after putting its cube, so a process the learner did not join is still there when the
#: learner's program ends, and the tracer counts it as left.
CUBE_LINGER_SECONDS = 0.3


class ServedCube(int):
    """A cube the judge's worker put on the learner's queue: an int that, each time it is unpickled (in the
    process that gets it from the queue, or a manager's on the way), tells the judge's server its token."""

    token: str

    def __new__(cls, value: int, token: str) -> ServedCube:
        cube = super().__new__(cls, value)
        cube.token = token
        return cube

    def __reduce__(self) -> tuple[Any, tuple[int, str]]:
        return arrived, (int(self), self.token)


def arrived(value: int, token: str) -> ServedCube:
    """Unpickle a :class:`ServedCube`, telling the judge's server that it arrived in this process."""
    from mpcourse.grading.judge.owned import ask_for

    ask_for(f"arrived:{token}")
    return ServedCube(value, token)


def put_cube_served(queue: Any, index: int, number: int) -> None:
    """The judge's worker for ``collect_cubes``: ask the judge's server once, put ``(index, number ** 3)``, linger.

    The server records the process id of each request from the kernel (``SCM_CREDENTIALS``), so how
    many calls ran, and in which processes, is evidence no learner code can forge.  The cube carries
    a token only the server knows (asked for by this process, for this number), and names it to the
    server wherever it is unpickled: the server learns whether the cube the worker put reached the
    process that called ``collect_cubes``.
    """
    from mpcourse.grading.judge.owned import ask, ask_for

    ask(CUBE_ASK_SECONDS)
    queue.put((index, ServedCube(number**3, ask_for(f"cube:{number}"))))
    time.sleep(CUBE_LINGER_SECONDS)


def cubes(namespace: dict[str, Any], numbers: list[int]) -> dict[str, Any]:
    """One call ``collect_cubes(put_cube_served, numbers)``, as the kernel's check gathers it (no tidying up).

    What it returned, and its pools; who ran the worker, and the processes left, are the
    server's and the tracer's to say.
    """
    from mpcourse.checks.cube_call import collect_cubes_data

    data = collect_cubes_data(namespace.get("collect_cubes"), put_cube_served, numbers, tidy=False)
    return plain(data, limit=20000)
