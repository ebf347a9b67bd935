"""Answers to the course's exercises in many styles, honest and hostile, as learner notebooks' code cells.

Each :class:`Answer` is a change to the student copy of a course master (answer cells
replaced, cells of the learner's own added after a cell) and what the judge must say:
full marks for every honest style a learner's kernel accepts (issue 20), 0 with the
judge's own hint for each trick (issues 20 and 24).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import nbformat

from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy

__all__ = ["COURSE", "HONEST", "HOSTILE", "Answer", "learner_notebook"]

COURSE = Path(__file__).resolve().parents[2] / "notebooks"
_NB = {
    "01": "01_what_is_multiprocessing",
    "02": "02_processes_vs_threads",
    "03": "03_creating_a_process",
    "04": "04_what_is_a_pool",
    "05": "05_creating_a_pool",
    "06": "06_processes_printing_numbers",
    "07": "07_sharing_data_between_processes",
    "08": "08_beyond_one_machine",
}


class Answer(NamedTuple):
    """A learner's notebook: ``replace`` answer cells (id -> source), ``after`` cell id -> new cells (source, tags)."""

    notebook: str
    exercise: str
    replace: dict[str, str]
    after: dict[str, list[tuple[str, list[str]]]]
    shown: str  # in the judge's line: "PASS" for honest answers, a hint for tricks


def _master_source(notebook: str, cell_id: str) -> str:
    master = load_master(COURSE / f"{_NB[notebook]}.ipynb")
    return "".join(next(c for c in master.notebook.cells if c.get("id") == cell_id).source)


def learner_notebook(answer: Answer) -> nbformat.NotebookNode:
    """The student copy of ``answer``'s master with ``answer``'s cells in it."""
    copy = nbformat.from_dict(student_copy(load_master(COURSE / f"{_NB[answer.notebook]}.ipynb")))
    cells = []
    for cell in copy.cells:
        if cell.get("id") in answer.replace:
            cell.source = answer.replace[cell.id]
        cells.append(cell)
        for number, (source, tags) in enumerate(answer.after.get(cell.get("id"), [])):
            new = nbformat.v4.new_code_cell(source, id=f"own-{cell.id}-{number}")
            new.metadata["tags"] = tags
            cells.append(new)
    copy.cells = cells
    return copy


_CHOICES = {
    "count the primes below 10 million in pure Python": "processes",
    "download 200 web pages": "threads",
    "simulate 100,000 dice games in pure Python": "processes",
    "read 500 files from a network drive": "threads",
}
_ITEM_BY_ITEM = "choices = {}\n" + "".join(f"choices[{task!r}] = {tool!r}\n" for task, tool in _CHOICES.items())
_LOOP = "choices = dict()\nfor task, tool in " + repr(list(_CHOICES.items())) + ":\n    choices[task] = tool\n"

_THREADS_BY_HAND = """\
import threading

def download_all(delays):
    results = [None] * len(delays)

    def one(index, delay):
        results[index] = sleep_for(delay)

    threads = [threading.Thread(target=one, args=(i, d)) for i, d in enumerate(delays)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
"""
_APPLY_ASYNC = """\
def run_all(func, items):
    with mpcourse.Pool(2) as pool:
        pending = [pool.apply_async(func, (item,)) for item in items]
        return [task.get() for task in pending]
"""
_EXECUTOR = """\
from concurrent.futures import ProcessPoolExecutor

def run_all(func, items):
    with ProcessPoolExecutor(4, mp_context=mpcourse.get_context()) as executor:
        return list(executor.map(func, items))
"""
_PLAIN_MULTIPROCESSING = """\
import multiprocessing

def run_all(func, items):
    pool = multiprocessing.Pool(4)
    try:
        return pool.map(func, items)
    finally:
        pool.close()
        pool.join()
"""
_WITH_ONLY = "def run_all(func, items):\n    with mpcourse.Pool(4) as pool:\n        return pool.map(func, items)\n"


def _cubes(answer: str, put_cube: str | None = None) -> dict[str, str]:
    """Chapter 03's two answer cells: ``put_cube`` (the master's unless given) and ``collect_cubes``."""
    return {"answer-put-cube": put_cube or _master_source("03", "answer-put-cube"), "answer-cubes": answer}


_CUBES_LOOP_APPEND = """\
def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    processes = []
    for index, number in enumerate(numbers):
        process = ctx.Process(target=worker, args=(queue, index, number))
        process.start()
        processes.append(process)
    cubes = {}
    for _ in numbers:
        index, cube = queue.get(timeout=30)
        cubes[index] = cube
    for process in processes:
        process.join()
    return [cubes[index] for index in range(len(numbers))]
"""
_CUBES_QUEUE_PER_PROCESS = """\
def collect_cubes(worker, numbers):
    queues = {index: ctx.Queue() for index in range(len(numbers))}
    processes = [ctx.Process(target=worker, args=(queues[i], i, n)) for i, n in enumerate(numbers)]
    for process in processes:
        process.start()
    cubes = [queues[index].get(timeout=30)[1] for index in range(len(numbers))]
    for process in processes:
        process.join()
    return cubes


print(collect_cubes(put_cube, CUBE_INPUTS))
"""

_CUBES_MANAGER_QUEUE = """\
def collect_cubes(worker, numbers):
    manager = ctx.Manager()
    queue = manager.Queue()
    processes = [ctx.Process(target=worker, args=(queue, i, n)) for i, n in enumerate(numbers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()  # a manager's queue lets its writers exit before it is read
    pairs = [queue.get() for _ in processes]
    return [cube for index, cube in sorted(pairs)]
"""
_PUT_CUBE_AND_A_PIPE_END = """\
%%worker
def put_cube(queue, index, number):
    queue.put((index, number**3))


class PipeEnd:
    def __init__(self, connection):
        self.connection = connection

    def put(self, item):
        self.connection.send(item)
"""
_CUBES_PIPE_PER_PROCESS = """\
def collect_cubes(worker, numbers):
    ends, processes = [], []
    for index, number in enumerate(numbers):
        here, there = ctx.Pipe(duplex=False)
        process = ctx.Process(target=worker, args=(PipeEnd(there), index, number))
        process.start()
        ends.append(here)
        processes.append(process)
    cubes = [end.recv()[1] for end in ends]
    for process in processes:
        process.join()
    return cubes
"""

#: Chapter 08's function, as the master writes it: the answers below differ in the cluster cell.
_INSIDE_COUNT = {"answer-worker": _master_source("08", "answer-worker")}

_TASK_PER_ROW = """\
counts = [client.submit(inside_count, client.submit(mandelbrot_row, row), MAX_ITER) for row in ROWS]
inside_pixels = sum(client.gather(counts))
"""

_DELAYED = """\
import dask

counts = [dask.delayed(inside_count)(dask.delayed(mandelbrot_row)(row), MAX_ITER) for row in ROWS]
inside_pixels = int(sum(dask.compute(*counts)))
"""

_AS_COMPLETED_BYTES = """\
from dask.distributed import as_completed  # the chapter's cell above rebinds the name to concurrent.futures'

row_futures = client.map(bytes, client.map(mandelbrot_row, ROWS))
inside_pixels = 0
for future in as_completed(client.map(inside_count, row_futures, max_iter=MAX_ITER)):
    inside_pixels += future.result()
"""

_INSIDE_COUNT_AND_ROWS_AS_BYTES = """\
%%worker
from mpcourse.workers import mandelbrot_row


def inside_count(counts, max_iter):
    return sum(1 for count in counts if count == max_iter)


def row_as_bytes(row):
    return bytes(mandelbrot_row(row))
"""
_ROWS_AS_BYTES = """\
counts = client.map(inside_count, client.map(row_as_bytes, ROWS), max_iter=MAX_ITER)
inside_pixels = client.submit(sum, counts).result()
"""

#: Honest answers: each must get the point.
HONEST: dict[str, Answer] = {
    "choices-item-by-item": Answer("02", "choices", {"ex1-answer": _ITEM_BY_ITEM}, {}, "PASS"),
    "choices-loop-dict": Answer("02", "choices", {"ex1-answer": _LOOP}, {}, "PASS"),
    "prediction-append": Answer(
        "01",
        "counter_prediction",
        {
            "exercise-1-answer": "predicted_child_results = []\nfor _ in range(3):\n"
            "    predicted_child_results.append(10)\npredicted_parent_counter = 0\n"
        },
        {},
        "PASS",
    ),
    "squares-closed-form": Answer(
        "01",
        "sum_of_squares",
        {"exercise-2-answer": "%%worker\ndef sum_of_squares(n):\n    return (n - 1) * n * (2 * n - 1) // 6\n"},
        {},
        "PASS",
    ),
    "download-threads-by-hand": Answer("02", "download_all", {"ex2-answer": _THREADS_BY_HAND}, {}, "PASS"),
    "run-all-apply-async": Answer("05", "run_all", {"exercise-answer": _APPLY_ASYNC}, {}, "PASS"),
    "run-all-executor": Answer("05", "run_all", {"exercise-answer": _EXECUTOR}, {}, "PASS"),
    "run-all-plain-multiprocessing": Answer("05", "run_all", {"exercise-answer": _PLAIN_MULTIPROCESSING}, {}, "PASS"),
    "run-all-with-block-only": Answer("05", "run_all", {"exercise-answer": _WITH_ONLY}, {}, "PASS"),
    "run-all-untagged-below-the-stub": Answer(
        "05", "run_all", {}, {"exercise-answer": [(_master_source("05", "exercise-answer"), [])]}, "PASS"
    ),
    "squares-pasted-copy-below": Answer(
        "06", "squares", {}, {"exercise-answer": [(_master_source("06", "exercise-answer"), ["answer"])]}, "PASS"
    ),
    "cubes-master": Answer("03", "cubes", _cubes(_master_source("03", "answer-cubes")), {}, "PASS"),
    "cubes-loop-append-dict": Answer("03", "cubes", _cubes(_CUBES_LOOP_APPEND), {}, "PASS"),
    "cubes-queue-per-process": Answer("03", "cubes", _cubes(_CUBES_QUEUE_PER_PROCESS), {}, "PASS"),
    "cubes-manager-queue": Answer("03", "cubes", _cubes(_CUBES_MANAGER_QUEUE), {}, "PASS"),
    "cubes-pipe-per-process": Answer(
        "03", "cubes", _cubes(_CUBES_PIPE_PER_PROCESS, _PUT_CUBE_AND_A_PIPE_END), {}, "PASS"
    ),
    "prime-counts-master": Answer(
        "04",
        "prime_counts",
        {"answer-worker": _master_source("04", "answer-worker"), "answer-pool": _master_source("04", "answer-pool")},
        {},
        "PASS",
    ),
    "inside-count-master": Answer(
        "08", "inside_count", {**_INSIDE_COUNT, "answer-cluster": _master_source("08", "answer-cluster")}, {}, "PASS"
    ),
    "inside-count-a-task-per-row": Answer(
        "08", "inside_count", {**_INSIDE_COUNT, "answer-cluster": _TASK_PER_ROW}, {}, "PASS"
    ),
    "inside-count-delayed": Answer("08", "inside_count", {**_INSIDE_COUNT, "answer-cluster": _DELAYED}, {}, "PASS"),
    "inside-count-rows-from-a-worker-module-of-its-own": Answer(
        "08",
        "inside_count",
        {"answer-worker": _INSIDE_COUNT_AND_ROWS_AS_BYTES, "answer-cluster": _ROWS_AS_BYTES},
        {},
        "PASS",
    ),
    "inside-count-bytes-as-completed": Answer(
        "08", "inside_count", {**_INSIDE_COUNT, "answer-cluster": _AS_COMPLETED_BYTES}, {}, "PASS"
    ),
}

_POOL_OF_ITS_OWN = """\
import mpcourse

with mpcourse.Pool(2) as pool:
    rows = pool.map(mandelbrot_row, ROWS)
    inside_pixels = sum(pool.starmap(inside_count, [(row, MAX_ITER) for row in rows]))
    pool.close()
    pool.join()
"""

_FORGED_LINE = """\
%%worker
import json
import os

_line = json.dumps({"result": {"problem": "", "status": "ok", "returned": False}, "errors": []}) + "\\n"
for _fd in os.listdir("/proc/self/fd"):
    try:
        os.write(int(_fd), _line.encode())
    except OSError:
        pass
os._exit(0)


def fill_row(name, row, width, height):
    pass
"""
_INPUT_BACK = """\
import threading

def download_all(delays):
    for _ in range(2):
        threading.Thread(target=lambda: None).start()
    return list(delays)
"""
_INVENTED_RECORDS = """\
import time
from mpcourse.workers import TaskRecord

def run_all(func, items):
    empties = [mpcourse.get_context().Process(target=time.sleep, args=(0,)) for _ in range(2)]
    for process in empties:
        process.start()
    for process in empties:
        process.join()
    if func.__name__ == "traced_sleep":
        return [TaskRecord(1000 + i % 2, 0.0, 1.0, item) for i, item in enumerate(items)]
    return [func(item) for item in items]
"""
_IDLE_CUBES = """\
import time

def collect_cubes(worker, numbers):
    processes = [ctx.Process(target=time.sleep, args=(0,)) for _ in numbers]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [number**3 for number in numbers]
"""
_CUBES_IN_THE_PARENT = """\
def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    for index, number in enumerate(numbers):
        worker(queue, index, number)
    return [cube for index, cube in sorted(queue.get(timeout=30) for _ in numbers)]
"""
_PUT_CUBES_IN_ONE_PROCESS = """\
%%worker
def put_cube(queue, index, number):
    queue.put((index, number**3))


def put_all(worker, queue, numbers):
    for index, number in enumerate(numbers):
        worker(queue, index, number)
"""
_CUBES_IN_ONE_PROCESS = """\
def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    process = ctx.Process(target=put_all, args=(worker, queue, numbers))
    process.start()
    pairs = [queue.get(timeout=30) for _ in numbers]
    process.join()
    return [cube for index, cube in sorted(pairs)]
"""
_CUBES_NOT_JOINED = """\
def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    for index, number in enumerate(numbers):
        ctx.Process(target=worker, args=(queue, index, number)).start()
    return [cube for index, cube in sorted(queue.get(timeout=30) for _ in numbers)]
"""
_CUBES_HARD_CODED = """\
def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    processes = [ctx.Process(target=worker, args=(queue, i, n)) for i, n in enumerate(numbers)]
    for process in processes:
        process.start()
    for process in processes:
        queue.get(timeout=30)
        process.join()
    return [8, 27, 64]
"""
_FORK_ONLY = """\
%%worker
SCALE = None

def sum_of_squares(n):
    return sum(i * i for i in range(n)) * SCALE
"""

_SOCKETS_LENT_BY_THE_CLUSTER = """
import os
import socket
from multiprocessing.reduction import recvfds

def lend(count, where):
    import os, socket
    from multiprocessing.reduction import sendfds
    server = os.environ["MPCOURSE_JUDGE_SERVER"].replace("@", "\\0", 1)
    lent = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(server)
        lent.append(s)
    back = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    back.connect(where)
    sendfds(back, [s.fileno() for s in lent])
    back.close()
    return len(lent)

where = "\\0lend-" + str(os.getpid())
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(where)
listener.listen(4)
lending = client.submit(lend, HEIGHT + 1, where, pure=False)
connection, _ = listener.accept()
lent = [socket.socket(fileno=fd) for fd in recvfds(connection, HEIGHT + 1)]
lending.result()

def over(s, line):
    s.sendall((line + "\\n").encode())
    return s.makefile().readline().strip()

rows = [[int(c) for c in over(lent[row], f"?row:{row}").split(",")] for row in ROWS]
over(lent[HEIGHT], "?call:inside_count")
inside_pixels = sum(inside_count.__wrapped__(row, MAX_ITER) for row in rows)
"""
_CUBES_NOT_JOINED_WAITED_OUT = """\
import time

def collect_cubes(worker, numbers):
    queue = ctx.Queue()
    for index, number in enumerate(numbers):
        ctx.Process(target=worker, args=(queue, index, number)).start()
    pairs = [queue.get(timeout=30) for _ in numbers]
    time.sleep(1.0)  # every worker has ended by now: none is running, none was joined
    return [cube for index, cube in sorted(pairs)]
"""

_CREDENTIALS_OF_A_CLUSTER_WORKER = """\
import os
import socket
import struct

from mpcourse.grading.judge.cluster_probes import row_key

worker_pid = min(client.run(os.getpid).values())
server = os.environ["MPCOURSE_JUDGE_SERVER"].replace("@", "\\0", 1)


def as_the_worker(line):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(server)
        claimed = [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("3i", worker_pid, os.getuid(), os.getgid()))]
        try:
            connection.sendmsg([(line + "\\n").encode()], claimed)
        except PermissionError:  # the kernel refuses another process's id: send it as this process
            connection.sendall((line + "\\n").encode())
        return connection.makefile().readline().strip()


rows = [[int(count) for count in as_the_worker(f"?row:{row}").split(",")] for row in ROWS]
for row in rows:
    as_the_worker(f"?call:inside_count:{row_key(row)}")
inside_pixels = sum(inside_count.__wrapped__(row, MAX_ITER) for row in rows)
"""
_CUBES_TIMEOUT_NOT_A_NUMBER = """\
import mpcourse.checks.cube_call

mpcourse.checks.cube_call.collect_cubes_data = lambda *args, **kwargs: {"timeout": "forever"}


def collect_cubes(worker, numbers):
    return [number**3 for number in numbers]
"""
_VALUES_NOT_A_LIST = """\
import mpcourse.checks.q8

mpcourse.checks.q8.rows_data = lambda *args, **kwargs: {"values": 5}
""" + _master_source("08", "answer-cluster")
_CUBES_ASKED_FOR_BY_IDLE_PROCESSES = """\
from mpcourse.grading.judge.owned import ask, ask_for
from mpcourse.grading.judge.probes import CUBE_ASK_SECONDS, arrived


def collect_cubes(worker, numbers):
    processes = [ctx.Process(target=ask, args=(CUBE_ASK_SECONDS,)) for _ in numbers]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [arrived(number**3, ask_for(f"cube:{number}")) for number in numbers]
"""
_PUT_CUBE_AND_A_SINK = """\
%%worker
def put_cube(queue, index, number):
    queue.put((index, number**3))


class Sink:
    def put(self, item):
        pass


def call_with_a_sink(worker, index, number):
    worker(Sink(), index, number)
"""
_CUBES_PUT_IN_A_SINK = """\
def collect_cubes(worker, numbers):
    processes = [ctx.Process(target=call_with_a_sink, args=(worker, i, n)) for i, n in enumerate(numbers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [number**3 for number in numbers]
"""
#: Hostile answers: each must score 0 on its check, with the judge's own hint.
HOSTILE: dict[str, Answer] = {
    "fill-row-forges-the-result-line": Answer("07", "fill_row", {"exercise-answer": _FORGED_LINE}, {}, "all zeros"),
    "download-all-returns-its-input": Answer("02", "download_all", {"ex2-answer": _INPUT_BACK}, {}, "return the list"),
    "run-all-invents-records": Answer(
        "05", "run_all", {"exercise-answer": _INVENTED_RECORDS}, {}, "the tasks ran one after another"
    ),
    "run-all-leaves-its-pool-to-the-collector": Answer(
        "05",
        "run_all",
        {"exercise-answer": "def run_all(func, items):\n    return mpcourse.Pool(4).map(func, items)\n"},
        {},
        "still running after run_all returned",
    ),
    "cubes-from-idle-processes": Answer("03", "cubes", _cubes(_IDLE_CUBES), {}, "the worker never ran"),
    "cubes-server-asked-by-idle-processes": Answer(
        "03", "cubes", _cubes(_CUBES_ASKED_FOR_BY_IDLE_PROCESSES), {}, "the worker never ran"
    ),
    "cubes-put-in-a-sink-and-computed-here": Answer(
        "03", "cubes", _cubes(_CUBES_PUT_IN_A_SINK, _PUT_CUBE_AND_A_SINK), {}, "the worker never ran"
    ),
    "cubes-worker-in-the-parent": Answer("03", "cubes", _cubes(_CUBES_IN_THE_PARENT), {}, "ran in this process"),
    "cubes-all-numbers-in-one-process": Answer(
        "03", "cubes", _cubes(_CUBES_IN_ONE_PROCESS, _PUT_CUBES_IN_ONE_PROCESS), {}, "ran in 1 process(es)"
    ),
    "cubes-not-joined": Answer("03", "cubes", _cubes(_CUBES_NOT_JOINED), {}, "join every process"),
    "cubes-not-joined-but-waited-out": Answer(
        "03", "cubes", _cubes(_CUBES_NOT_JOINED_WAITED_OUT), {}, "join every process"
    ),
    "cubes-hands-the-verdict-a-timeout-it-cannot-read": Answer(
        "03", "cubes", _cubes(_CUBES_TIMEOUT_NOT_A_NUMBER), {}, "did not return within 20 s"
    ),
    "cubes-hard-coded": Answer("03", "cubes", _cubes(_CUBES_HARD_CODED), {}, "returned [8, 27, 64], expected"),
    "prime-counts-serial": Answer(
        "04",
        "prime_counts",
        {
            "answer-worker": _master_source("04", "answer-worker"),
            "answer-pool": "prime_counts = {limit: primes_with_limit(limit)[1] for limit in LIMITS}\n",
        },
        {},
        "the work ran in this process",
    ),
    "squares-holds-the-gil": Answer(
        "06",
        "squares",
        {
            "exercise-answer": "import re\n\ndef squares_from_processes(numbers):\n"
            "    re.match(r'(a*)*b', 'a' * 64)\n    return [n * n for n in numbers]\n"
        },
        {},
        "did not finish",
    ),
    "sum-of-squares-works-only-under-fork": Answer(
        "01",
        "sum_of_squares",
        {"exercise-2-answer": _FORK_ONLY},
        {"exercise-2-answer": [('sum_of_squares.__globals__["SCALE"] = 1  # a forked child inherits it\n', [])]},
        "not under spawn",
    ),
    "inside-count-made-in-the-kernel": Answer(
        "08",
        "inside_count",
        {
            **_INSIDE_COUNT,
            "answer-cluster": "inside_pixels = sum(inside_count(mandelbrot_row(row), MAX_ITER) for row in ROWS)\n",
        },
        {},
        "computed outside the cluster",
    ),
    "inside-count-rows-brought-back": Answer(
        "08",
        "inside_count",
        {
            **_INSIDE_COUNT,
            "answer-cluster": "rows = client.gather(client.map(mandelbrot_row, ROWS))\n"
            "inside_pixels = sum(inside_count(row, MAX_ITER) for row in rows)\n",
        },
        {},
        "counted outside the cluster",
    ),
    "inside-count-rows-brought-back-and-one-task-for-show": Answer(
        "08",
        "inside_count",
        {
            **_INSIDE_COUNT,
            "answer-cluster": "rows = client.gather(client.map(mandelbrot_row, ROWS))\n"
            "client.submit(inside_count, rows[0], MAX_ITER).result()\n"
            "inside_pixels = sum(inside_count(row, MAX_ITER) for row in rows)\n",
        },
        {},
        "counted outside the cluster",
    ),
    "inside-count-in-a-pool-of-its-own": Answer(
        "08", "inside_count", {**_INSIDE_COUNT, "answer-cluster": _POOL_OF_ITS_OWN}, {}, "computed outside the cluster"
    ),
    "inside-count-claims-a-cluster-worker-s-credentials": Answer(
        "08",
        "inside_count",
        {**_INSIDE_COUNT, "answer-cluster": _CREDENTIALS_OF_A_CLUSTER_WORKER},
        {},
        "computed outside the cluster",
    ),
    "inside-count-hands-the-verdict-values-it-cannot-read": Answer(
        "08",
        "inside_count",
        {**_INSIDE_COUNT, "answer-cluster": _VALUES_NOT_A_LIST},
        {},
        "could not be run on every row",
    ),
    "inside-count-asks-over-sockets-the-cluster-connected": Answer(
        "08",
        "inside_count",
        {**_INSIDE_COUNT, "answer-cluster": _SOCKETS_LENT_BY_THE_CLUSTER},
        {},
        "computed outside the cluster",
    ),
}
