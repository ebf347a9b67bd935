"""Judges for notebook 03's exercises: ``put_cube`` and the cubes collected from processes."""

from __future__ import annotations

from ...checks.q3 import CUBE_INPUTS
from .common import IMPORTABLE_PROBE, MP_PREAMBLE, failure_hint, importable_result, too_few_processes
from .exercise import Context, Exercise

__all__ = ["EXERCISES"]

_PUT_CUBE_PROBE = (
    "FUNC = globals().get('put_cube')\n"
    + IMPORTABLE_PROBE
    + """\
if PROBLEM:
    RESULT = {"problem": PROBLEM}
else:
    results = ctx.Queue()
    children = [ctx.Process(target=FUNC, args=(results, i, n)) for i, n in enumerate(INPUTS)]
    for child in children:
        child.start()
    got = []
    for _ in children:
        try:
            got.append(results.get(timeout=10))
        except queue.Empty:
            break
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()
    RESULT = {"got": [list(item) if isinstance(item, tuple) else repr(item) for item in got]}
"""
)


def _hidden_numbers(context: Context, count: int) -> list[int]:
    while True:
        numbers = context.rng.sample(range(-9, 30), count)
        if tuple(numbers) != CUBE_INPUTS:
            return numbers


def _put_cube(context: Context) -> tuple[bool, str]:
    inputs = [*CUBE_INPUTS, *_hidden_numbers(context, 2)]
    observed = context.run(MP_PREAMBLE, _PUT_CUBE_PROBE, INPUTS=inputs, HOW_TO_PASS="check_put_cube(put_cube)")
    result, hint = importable_result(observed, "put_cube could not be run")
    if hint:
        return False, hint
    got = [tuple(item) if isinstance(item, list) else item for item in result.get("got", [])]
    for index, number in enumerate(inputs):
        answers = [item for item in got if isinstance(item, tuple) and len(item) == 2 and item[0] == index]
        if not answers:
            return False, f"put_cube(queue, {index}, {number}) should call queue.put(({index}, {number**3}))"
        if answers[0] != (index, number**3):
            return False, f"put_cube(queue, {index}, {number}) put {answers[0]!r}; expected {(index, number**3)!r}"
    hint = too_few_processes(observed, len(inputs), "put_cube")
    return not hint, hint


_CUBES_PROBE = """\
procs = globals().get("cube_processes")
try:
    procs = list(procs)
except TypeError:
    procs = None
if procs is None or not all(hasattr(p, "is_alive") for p in procs):
    RESULT = {"processes": None, "cubes": repr(globals().get("cubes"))}
else:
    value = globals().get("cubes")
    RESULT = {
        "processes": len(procs),
        "alive": sum(bool(p.is_alive()) for p in procs),
        "codes": [p.exitcode for p in procs],
        "cubes": value if isinstance(value, list) and all(type(v) is int for v in value) else repr(value),
    }
"""


def _cubes(context: Context) -> tuple[bool, str]:
    numbers = _hidden_numbers(context, 4)
    expected = [n**3 for n in numbers]
    observed = context.run(MP_PREAMBLE, _CUBES_PROBE, CUBE_INPUTS=numbers)
    result = observed.result
    if not isinstance(result, dict):
        return False, failure_hint(observed, "the cubes cell could not be run")
    if result.get("processes") != len(numbers):
        return False, f"start one process per number in CUBE_INPUTS and keep them in a list (tried with {numbers})"
    if result.get("alive"):
        return False, "a process is still running: call join() on every process you started"
    if any(code != 0 for code in result.get("codes", [])):
        return False, f"every process should end with exit code 0; they ended with {result.get('codes')}"
    cubes = result.get("cubes")
    if cubes != expected:
        hint = f"with CUBE_INPUTS = {tuple(numbers)} expected {expected}, got {cubes!r}"
        if isinstance(cubes, list) and sorted(cubes) == sorted(expected):
            hint += ": results arrive in any order, so sort the (index, cube) pairs by index first"
        return False, hint
    hint = too_few_processes(observed, len(numbers), "the cubes cell")
    return not hint, hint


EXERCISES = (
    Exercise("mpcourse.checks.q3", "check_put_cube",
             "put_cube sends (index, number ** 3) back from a child process", _put_cube),
    Exercise("mpcourse.checks.q3", "check_cubes",
             "cubes collected from the processes, in the order of the numbers", _cubes),
)  # fmt: skip
