"""Run the learner's own cells that a judged exercise needs, then one probe; print the probe's data as JSON.

``python _child.py`` (by path, inside a judge's sandbox, under :mod:`._trace`)
reads one JSON job from stdin before any learner code runs::

    {"cells": [{"source": "...", "tags": [...]}, ...],   # the learner's code cells, in the learner's order
     "names": ["run_all"],                              # what the probe needs
     "inputs": {"CUBE_INPUTS": [5, -2, 7]},             # the judge's own values, bound over the learner's
     "replace": {"mandelbrot_row": "mpcourse.grading.judge.cluster_probes:row_from_judge"},  # the judge's own
     "probe": "mpcourse.grading.judge.probes:run_all",  # a function (namespace, **args) -> plain data
     "args": {...}, "start_method": "spawn" | null,
     "cluster": 2,                                       # optional: the judge's own dask cluster, 2 workers
     "wrap": {"inside_count": "mpcourse.grading.judge.cluster_probes:Announced"}}  # optional: learner names wrapped

as one line.  With ``cluster``, the judge's cluster is started before any learner code
and bound as ``cluster`` and ``client``; the tracer is told (``CLUSTER_UP``) and answers
once it has noted the cluster's processes, so it can say afterwards which work they did.
``wrap`` binds ``Class(learner's value, name)`` over a learner's name after each cell.

It picks the cells those names depend on (:mod:`.cells`), runs them in order (a
``%%worker`` cell is saved as a module on ``sys.path`` and its names bound, as the
magic does), binding ``inputs`` again after each, and calls the probe.  Its last
stdout line is ``{"result": ..., "errors": [...]}``.  Everything here runs beside
learner code, so what it prints is only "the learner's values": the judge checks
them against its own reference, and takes every claim about processes, threads
and time from the tracer.  A time limit is the tracer's kill, from outside.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import sys

from mpcourse.grading.judge._trace import CLUSTER_UP

#: The judge's cluster: ``start(workers) -> (cluster, client)``.
_START_CLUSTER = "mpcourse.grading.judge.cluster_probes:start_cluster"


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _run_cells(job: dict, namespace: dict, folder: str) -> list[str]:
    """Run the cells the probe's names depend on; return what each failing cell raised."""
    from mpcourse.course_format import worker_module_name
    from mpcourse.grading.judge.cells import needed_cells, prepare, without_unused_imports

    inputs = dict(job.get("inputs") or {})
    inputs.update({name: _function(where) for name, where in dict(job.get("replace") or {}).items()})
    inputs.update({name: namespace[name] for name in ("cluster", "client") if "cluster" in job})
    wrappers = {name: _function(where) for name, where in dict(job.get("wrap") or {}).items()}
    cells, errors = prepare(list(job.get("cells") or []))
    namespace.update(inputs)
    needed: set[str] = set()
    for cell in needed_cells(cells, set(job.get("names") or ()), frozenset(inputs), needed):
        try:
            if cell.worker:
                name = worker_module_name(cell.source)
                with open(os.path.join(folder, name + ".py"), "w", encoding="utf-8") as stream:
                    stream.write(cell.source)
                module = importlib.import_module(name)
                namespace.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
            else:
                source = without_unused_imports(cell, needed)
                exec(compile(source, f"<code cell {cell.number}>", "exec"), namespace)
        except BaseException as exc:  # the learner's cell: a failure is part of the answer
            errors.append(f"code cell {cell.number} raised {_error(exc)}")
        namespace.update(inputs)
        for name, wrapper in wrappers.items():
            if name in namespace and not isinstance(namespace[name], wrapper):  # type: ignore[arg-type]
                namespace[name] = wrapper(namespace[name], name)
    return errors


def _function(where: str) -> object:
    """The function ``module:name``."""
    module, _, name = where.partition(":")
    return getattr(importlib.import_module(module), name)


def main() -> None:
    """Read the job, run it, print the result line, and end at once (stuck children are the tracer's)."""
    job = json.loads(sys.stdin.readline())
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    result_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what the answer prints is not the result
    folder = os.path.join(os.getcwd(), "cells")
    os.makedirs(folder, exist_ok=True)
    sys.path.insert(0, folder)
    method = job.get("start_method")
    if method:
        multiprocessing.set_start_method(method, force=True)
        os.environ["MPCOURSE_START_METHOD"] = method
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    probe = _function(str(job["probe"]))  # loaded before any learner code can replace it
    if "cluster" in job:
        try:
            namespace["cluster"], namespace["client"] = _function(_START_CLUSTER)(int(job["cluster"]))
        except Exception as exc:  # the judge's own part: no learner code has run
            result_stream.write(json.dumps({"error": f"the judge's cluster did not start: {_error(exc)}"}) + "\n")
            result_stream.flush()
            os._exit(0)
        result_stream.write(CLUSTER_UP.decode())
        result_stream.flush()
        sys.stdin.readline()  # the tracer's answer: it has noted the cluster's processes
    sys.stdin.close()
    errors = _run_cells(job, namespace, folder)
    try:
        outcome = {"result": probe(namespace, **dict(job.get("args") or {})), "errors": errors}
    except BaseException as exc:  # the probe calls learner code
        outcome = {"error": _error(exc), "errors": errors}
    try:
        line = json.dumps(outcome)
    except (TypeError, ValueError) as exc:
        line = json.dumps({"error": f"the answer gave a value that is not plain data ({exc})", "errors": errors})
    result_stream.write(line + "\n")
    result_stream.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
