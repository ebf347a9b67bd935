"""Run a learner's answer cells and one judge probe in a fresh process; print the probe's result as JSON.

``python _child.py`` (by path, inside a judge's sandbox, under :mod:`._trace`)
reads one JSON job from stdin before any learner code runs::

    {"preamble": "...", "cells": [{"worker": true, "source": "..."}, ...], "probe": "...", "timeout": 30}

It runs the preamble (names the exercise's answer may use), then each answer
cell in order (a ``%%worker`` cell is saved as a module on ``sys.path`` and its
names bound, as the magic does; any other cell runs in the namespace), then the
probe, which sets ``RESULT``.  Its last stdout line is ``{"result": RESULT}``
(or ``{"error": "..."}``).  Everything here runs beside learner code, so nothing
it prints is trusted beyond being the learner's own answer: the judge checks
the values against inputs drawn for this run, and counts processes by tracing.
Standard library only (the preamble imports ``mpcourse`` when it needs it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import traceback

_WORKER = "%%worker"


def _cell_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _load(job: dict, namespace: dict, folder: str) -> str | None:
    """Run the preamble and the answer cells; return why one failed, or ``None``."""
    exec(compile(job.get("preamble", ""), "<judge preamble>", "exec"), namespace)
    for number, cell in enumerate(job.get("cells", ())):
        source = cell["source"]
        try:
            if cell.get("worker"):
                name = "mpcourse_cell_" + hashlib.sha256(source.encode()).hexdigest()[:12]
                with open(os.path.join(folder, name + ".py"), "w", encoding="utf-8") as stream:
                    stream.write(source)
                module = __import__(name)
                namespace.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
            else:
                exec(compile(source, f"<answer cell {number + 1}>", "exec"), namespace)
        except BaseException as exc:  # the learner's cell: any failure is an answer that does not work
            return f"answer cell {number + 1} raised {_cell_error(exc)}"
    return None


def _run(job: dict, namespace: dict, folder: str) -> dict:
    """Run the cells and the probe in a thread, so an answer that never returns still ends in a result."""
    outcome: dict = {}

    def run() -> None:
        try:
            problem = _load(job, namespace, folder)
            if problem:
                outcome["error"] = problem
                return
        except BaseException:
            outcome["error"] = "the judge's preamble failed: " + traceback.format_exc(limit=2)[-500:]
            return
        try:
            exec(compile(job["probe"], "<judge probe>", "exec"), namespace)
            outcome["result"] = namespace.get("RESULT")
        except BaseException as exc:
            outcome["error"] = _cell_error(exc)

    worker = threading.Thread(target=run, name="mpcourse-judge-probe", daemon=True)
    worker.start()
    worker.join(float(job.get("timeout", 30)))
    if worker.is_alive():
        return {"timeout": float(job.get("timeout", 30))}
    return outcome


def main() -> None:
    """Read the job, run it, print the result line, and end at once (stuck children are the tracer's)."""
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    result_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what the answer prints is not the result
    folder = os.path.join(os.getcwd(), "cells")
    os.makedirs(folder, exist_ok=True)
    sys.path.insert(0, folder)
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    outcome = _run(job, namespace, folder)
    try:
        line = json.dumps(outcome)
    except (TypeError, ValueError) as exc:
        line = json.dumps({"error": f"the answer gave a value that is not plain data ({exc})"})
    result_stream.write(line + "\n")
    result_stream.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
