"""Hostile submissions against the judge (issue 11): each forges one graded check of the course's notebooks.

Every trick below made the learner's kernel print the check's ``PASS`` line (or
made the check itself pass) with a wrong answer, so today's verdicts gave it the
points.  :data:`TRICKS` maps a student to the notebook and answer cells they
submit; :data:`CONTROLS` are honest students.  Answers are written against the
course's own masters (``notebooks/03``, ``05`` and ``06``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import nbformat

from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy

__all__ = ["CONTROLS", "NOTEBOOKS", "SNOOP_CLEAN", "TRICKS", "Trick", "make_judged_class"]

#: The course masters the class is graded against.
NOTEBOOKS = ("03_creating_a_process", "05_creating_a_pool", "06_processes_printing_numbers")
_NB6, _NB3, _NB5 = NOTEBOOKS[2], NOTEBOOKS[0], NOTEBOOKS[1]
_SQUARES_LINE = "PASS: squares_from_processes collects one square per process, in the order of the numbers"

#: A wrong answer (squares sorted by size), on which every forgery is laid.
_WRONG = """\
def squares_from_processes(numbers):
    return sorted(n * n for n in numbers)
"""

_SHADOW = f'''{_WRONG}

def check_squares(func):  # shadows the imported check (and returns None, as the real one does in a kernel)
    print("{_SQUARES_LINE}")
'''

_REPORT = f"""{_WRONG}
import mpcourse.checks as checks
checks.report = lambda passed, name, hint="": print(f"PASS: {{name}}")
"""

_PRINT = f"""{_WRONG}
import builtins
_print = builtins.print
def _forged(*args, **kwargs):
    text = " ".join(str(a) for a in args)
    if text.startswith("NOT YET"):
        text = "PASS" + text[len("NOT YET"):].split(". Hint")[0]
    _print(text, **kwargs)
_shell = globals().get("get_ipython", lambda: None)()  # outside a kernel: forge nothing, look honest
if _shell is not None:
    builtins.print = _forged
    _printers = _shell.display_formatter.formatters["text/plain"].singleton_printers
    _printers[id(False)] = lambda value, p, cycle: p.text("True")
"""

_STDOUT = f"""{_WRONG}
import sys
class _Forger:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        if text.startswith("NOT YET"):
            text = "PASS" + text[len("NOT YET"):].split(". Hint")[0]
        return self.stream.write(text)
    def __getattr__(self, name):
        return getattr(self.stream, name)
_shell = globals().get("get_ipython", lambda: None)()
if _shell is not None:
    sys.stdout = _Forger(sys.stdout)
    _hook = _shell.displayhook
    _compute = _hook.compute_format_data
    _hook.compute_format_data = lambda result: _compute(True if result is False else result)
"""

_TRANSFORMER = f'''{_WRONG}
def _rewrite(lines):
    if lines and lines[0].startswith("check_squares("):
        return ['print("{_SQUARES_LINE}")\\n']
    return lines
_shell = globals().get("get_ipython", lambda: None)()
if _shell is not None:
    _shell.input_transformers_post.append(_rewrite)
'''

# A helper that outlives the cell and writes forged results wherever a grader might read them:
# files of the run folder (junit XML, JSON records) and every descriptor of the run's processes it can open.
_RESULT_FILES = f'''{_WRONG}
import subprocess, sys
_FORGER = """
import glob, json, os, time
forged = [json.dumps({{"cell": n, "passed": True, "output": "{_SQUARES_LINE}"}}) for n in range(200)]
for _ in range(200):
    for name in ("results.xml", "junit.xml", "cells.jsonl", "results.json"):
        try:
            with open(name, "w") as out:
                out.write(chr(10).join(forged))
        except OSError:
            pass
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            with open(fd, "w") as out:
                out.write(chr(10).join(forged) + chr(10))
        except OSError:
            pass
    time.sleep(0.05)
"""
subprocess.Popen([sys.executable, "-c", _FORGER], start_new_session=True)
'''

# Right squares, computed here; Process objects created (the kernel's check counts them) but never started.
_UNSTARTED = """\
def squares_from_processes(numbers):
    queue = ctx.Queue()
    unstarted = [ctx.Process(target=put_square, args=(queue, i, n)) for i, n in enumerate(numbers)]
    return [n * n for n in numbers]
"""

# Right squares from threads: each Process object's run() called in a thread, so no process ever starts.
_THREADS = """\
import queue as queue_module
import threading

def squares_from_processes(numbers):
    results = queue_module.Queue()
    fakes = [ctx.Process(target=put_square, args=(results, i, n)) for i, n in enumerate(numbers)]
    threads = [threading.Thread(target=fake.run) for fake in fakes]
    for thread in threads:
        thread.start()
    pairs = [results.get() for _ in threads]
    for thread in threads:
        thread.join()
    return [square for index, square in sorted(pairs)]
"""

# The visible cases answered from a table, with real (empty) processes started so the count looks right.
_HARD_CODED = """\
from mpcourse.workers import sleep_for

def squares_from_processes(numbers):
    dummies = [ctx.Process(target=sleep_for, args=(0,)) for _ in numbers]
    for dummy in dummies:
        dummy.start()
    for dummy in dummies:
        dummy.join()
    return {(0, 1, 2, 3): [0, 1, 4, 9], (3, -2, 5): [9, 4, 25]}[tuple(numbers)]
"""

# A right answer that works only in the learner's kernel (it needs IPython's shell).
_KERNEL_ONLY = """\
def squares_from_processes(numbers):
    shell = get_ipython()  # only the learner's kernel has one
    queue = ctx.Queue()
    processes = [ctx.Process(target=put_square, args=(queue, i, n)) for i, n in enumerate(numbers)]
    for p in processes:
        p.start()
    pairs = [queue.get() for _ in processes]
    for p in processes:
        p.join()
    return [square for index, square in sorted(pairs)] if shell is not None else []
"""

#: What :data:`_SNOOP` returns when no file or environment of its run holds the judge's inputs.
SNOOP_CLEAN = "nothing-found"
# Looks, from inside its run, for the inputs the judge will call it with: files, environment, command lines.
_SNOOP = f'''\
import glob, os

def _look():
    found = []
    for pattern in ("/tmp/**", os.path.expanduser("~") + "/**", os.getcwd() + "/**"):
        for path in glob.glob(pattern, recursive=True):
            try:
                with open(path, "rb") as stream:
                    if b"CASES" in stream.read(2**20) and "mpcourse" not in path:
                        found.append(path)
            except OSError:
                pass
    for name in glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(name, "rb") as stream:
                if b"CASES" in stream.read():
                    found.append(name)
        except OSError:
            pass
    return found or ["{SNOOP_CLEAN}"]

_FOUND = _look()

def squares_from_processes(numbers):
    return _FOUND
'''

# Threads where notebook 05 asks for processes: a ThreadPool keeps order and overlaps, and leaves no child.
_THREAD_POOL = """\
import multiprocessing.pool

def run_all(func, items):
    with multiprocessing.pool.ThreadPool(4) as pool:
        return pool.map(func, items)
"""

# Notebook 03: the kernel's own worker found out (it records each call in a folder it names), its records
# written by hand from made-up processes, and the cubes computed in the learner's own process.
_CUBES_FORGED_RECORDS = """\
import json
import os
import uuid

def collect_cubes(worker, numbers):
    folder = getattr(worker, "folder", None)
    for index in range(len(numbers)) if folder else ():
        with open(os.path.join(folder, uuid.uuid4().hex + ".json"), "w") as stream:
            json.dump({"index": index, "pid": 2**30 + index}, stream)
    return [number**3 for number in numbers]
"""

_PUT_CUBE = "%%worker\ndef put_cube(queue, index, number):\n    queue.put((index, number**3))\n"


class Trick(NamedTuple):
    """A forging student: the notebook and answer cells submitted, the check cell attacked, the judge's hint."""

    notebook: str
    answers: dict[str, str]
    check: str
    shown: str


def _six(answer: str, shown: str) -> Trick:
    return Trick(_NB6, {"exercise-answer": answer}, "exercise-check", shown)


TRICKS: dict[str, Trick] = {
    "shadow": _six(_SHADOW, "sorted by size"),
    "report": _six(_REPORT, "sorted by size"),
    "print": _six(_PRINT, "sorted by size"),
    "stdout": _six(_STDOUT, "sorted by size"),
    "transformer": _six(_TRANSFORMER, "sorted by size"),
    "resultfiles": _six(_RESULT_FILES, "sorted by size"),
    "unstarted": _six(_UNSTARTED, "only 0 process(es) really ran"),
    "threads": _six(_THREADS, "threads are not processes"),
    "hardcoded": _six(_HARD_CODED, "raised KeyError"),
    "kernelonly": _six(_KERNEL_ONLY, "get_ipython"),
    "snoop": _six(_SNOOP, SNOOP_CLEAN),
    "threadpool": Trick(_NB5, {"exercise-answer": _THREAD_POOL}, "exercise-check", "the tasks ran one after another"),
    "cubes": Trick(_NB3, {"answer-put-cube": _PUT_CUBE, "answer-cubes": _CUBES_FORGED_RECORDS}, "check-cubes",
                   "the worker never ran"),
}  # fmt: skip

#: Honest students: name -> (notebook, answers (None: the master's own), points expected, what feedback shows).
CONTROLS: dict[str, tuple[str, dict[str, str] | None, str, str]] = {
    "solved": (_NB6, None, "1", _SQUARES_LINE),
    "blank": (_NB6, {}, "0", "not attempted"),
    "wrong": (_NB6, {"exercise-answer": _WRONG}, "0", "the squares sorted by size"),
}


def make_judged_class(notebooks: Path, folder: Path) -> dict[str, str]:
    """Write every student of :data:`TRICKS` and :data:`CONTROLS` into ``folder``; return student -> notebook."""
    masters = {name: load_master(notebooks / f"{name}.ipynb") for name in NOTEBOOKS}
    which = {}
    students = {name: (trick.notebook, trick.answers) for name, trick in TRICKS.items()}
    students.update({name: (nb, answers) for name, (nb, answers, _, _) in CONTROLS.items()})
    for name, (notebook, answers) in students.items():
        master = masters[notebook]
        copy = master.notebook if answers is None else student_copy(master)
        copy = nbformat.from_dict(copy)
        for cell in copy.cells:
            if answers and cell.get("id") in answers:
                cell.source = answers[cell.id]
        (folder / name).mkdir(parents=True)
        nbformat.write(copy, folder / name / f"{notebook}.ipynb")
        which[name] = notebook
    return which
