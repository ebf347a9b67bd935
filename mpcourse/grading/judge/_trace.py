"""Watch a command from outside its processes: how many processes and threads really ran (Linux, ptrace).

``python _trace.py REPORT_FD CAP INPUT CMD...`` (run by path inside a judge's sandbox,
standard library only, before any learner code): read the file ``INPUT`` and
delete it (so no learner code finds it on disk), start ``CMD`` as a traced child
(``PTRACE_SEIZE`` with fork, vfork, clone and exec events, so every process and
thread it or its descendants create is reported by the kernel to this process),
give it ``INPUT``'s bytes on stdin (a judge job, less what only the tracer keeps: its time
limit ``kill_after``, after which it kills every task of the run, and the resources it
owns, :mod:`.owned`), collect its stdout (at most ``CAP`` bytes), and when it ends write
one JSON line to ``REPORT_FD``::

    {"trace": {"processes": 4, "threads": 2, "helpers": 1, "left": 0, "exit": 0, "timed_out": false,
               "tasks": [{"cpu": 0.31, "start": 0.12, "end": 0.5, "signal": 0}, ...], "main_cpu": 0.4},
     "output": "...", "owned": {"block": {...}, "server": {...}}}

``tasks``: each counted process's CPU seconds (read from ``/proc`` as it exits), its
lifetime from the command's start, and the signal that ended it (0: it exited); with
``"unjoined": true``, a child of the command that had ended and was never joined (waited
for) when the command ended.  With a job's ``"cluster"``, ``cluster_processes`` counts
the judge's cluster (see :func:`trace`).

``processes`` counts processes other than the command's own that were really
created (an unstarted ``Process`` object creates none; a thread is counted in
``threads``); ``helpers`` are multiprocessing's own (forkserver, resource
tracker), not counted as processes; ``left`` is how many counted processes were
still alive when the command ended.  Learner code cannot change these numbers:
the kernel reports each new task to this process, which it cannot reach (this
process is not dumpable, so it can be neither traced nor its descriptors
opened, and its death kills every traced process: ``PTRACE_O_EXITKILL``).
With ``"untraced"`` (why) instead of ``"trace"``, ptrace was refused or is missing
(not Linux): nothing was counted; with ``"error"``, the tracer itself failed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

#: What the command prints, before any learner code runs, once the judge's cluster is up (see ``trace``).
CLUSTER_UP = b"mpcourse-judge: cluster up\n"
#: What the tracer answers on the command's stdin once it has noted the cluster's processes.
CLUSTER_NOTED = b"noted\n"

try:
    from . import _ptrace as ptrace
    from ._procfs import cpu_seconds, is_helper, is_thread, is_zombie, process_of  # imported as part of the package
    from ._streams import Collector, feed, untraced
except ImportError:  # run by path, inside the sandbox
    import _ptrace as ptrace
    from _procfs import cpu_seconds, is_helper, is_thread, is_zombie, process_of
    from _streams import Collector, feed, untraced


def _nothing() -> None:
    """No action."""


def _descendants(roots: set[int], parents: dict[int, int]) -> set[int]:
    """``roots`` and every process created from one of them, or from those, and so on."""
    family = set(roots)
    grew = True
    while grew:
        grew = False
        for task, parent in parents.items():
            if parent in family and task not in family:
                family.add(task)
                grew = True
    return family


def trace(
    command: list[str],
    cap: int,
    data: bytes = b"",
    timeout: float | None = None,
    at_exit: Callable[[], None] = _nothing,
    cluster: bool = False,
) -> dict:
    """Run ``command`` traced with ``data`` on its stdin; return the report (see the module docstring).

    After ``timeout`` seconds every task of the run is killed from here (``"timed_out": true``).
    ``at_exit`` is called as the command's own process is about to end (it still holds its
    descriptors), before multiprocessing's helpers can tidy up after it.  With ``cluster``,
    the command starts the judge's cluster before any learner code, prints :data:`CLUSTER_UP`
    and waits: the processes it has then (not multiprocessing's helpers) are noted as the
    cluster's, :data:`CLUSTER_NOTED` is its answer on stdin, and the report's ``cluster``
    lists those processes and every process created from them since.
    """
    in_read, in_write = os.pipe()
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()
    out_read, out_write = os.pipe()
    main = os.fork()
    if main == 0:  # the command: become traceable, wait until traced, then become the command
        os.close(go_write)
        os.close(out_read)
        os.close(ready_read)
        os.close(in_write)
        os.dup2(in_read, 0)
        ptrace.prctl(4, 1)  # PR_SET_DUMPABLE 1 (inherited 0 from us): traceable until it execs
        os.write(ready_write, b"x")
        os.read(go_read, 1)
        os.dup2(out_write, 1)
        os.closerange(3, 1 << 16)
        try:
            os.execv(command[0], command)
        finally:
            os._exit(127)
    os.close(go_read)
    os.close(out_write)
    os.close(ready_write)
    os.close(in_read)
    os.read(ready_read, 1)
    os.close(ready_read)
    kinds: dict[int, bool] = {}  # task -> is a thread; read while it is stopped, so it still exists
    helpers: set[int] = set()
    roots: set[int] = set()

    def note_cluster() -> None:
        roots.update(task for task, thread in kinds.copy().items() if not thread and task != main)
        roots.difference_update(helpers)

    collector = Collector(out_read, cap, CLUSTER_UP if cluster else b"", note_cluster)
    collector.start()
    try:
        ptrace.seize(main)
    except (OSError, AttributeError) as exc:
        why = f"ptrace: {exc.strerror}" if isinstance(exc, OSError) else "no ptrace here"
        return untraced(main, go_write, in_write, data + (CLUSTER_NOTED if cluster else b""), collector, why)
    os.write(go_write, b"x")
    os.close(go_write)
    answer = (collector.marked, CLUSTER_NOTED) if cluster else None
    threading.Thread(target=feed, args=(in_write, data, answer), daemon=True).start()
    parents: dict[int, int] = {}  # process -> the process that created it
    exited: set[int] = set()
    started: dict[int, float] = {main: time.monotonic()}
    ended: dict[int, float] = {}
    cpu: dict[int, float] = {}
    signals: dict[int, int] = {}
    unjoined: set[int] = set()  # the command's children that had ended, never collected, as it ended
    exit_code = None
    killed = threading.Event()

    def kill_all() -> None:
        killed.set()
        for pid in [main, *kinds]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    timer = threading.Timer(timeout, kill_all) if timeout else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    while exit_code is None:
        try:
            pid, status = os.waitpid(-1, ptrace.WALL)
        except ChildProcessError:
            break
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            exited.add(pid)
            ended.setdefault(pid, time.monotonic())
            if os.WIFSIGNALED(status):
                signals[pid] = os.WTERMSIG(status)
            if pid == main:
                exit_code = os.waitstatus_to_exitcode(status)
            continue
        if not os.WIFSTOPPED(status):
            continue
        event, sig = status >> 16, os.WSTOPSIG(status)
        if event in (ptrace.EVENT_FORK, ptrace.EVENT_VFORK, ptrace.EVENT_CLONE):
            try:
                new = ptrace.event_pid(pid)
            except OSError:  # killed in its event stop (its thread group exited): the new task dies with it
                ptrace.resume(pid)
                continue
            if new not in kinds:  # its own first stop may have come first (the kernel reports in any order)
                kinds[new] = event == ptrace.EVENT_CLONE and is_thread(new)
                started.setdefault(new, time.monotonic())
            parents.setdefault(new, process_of(pid))
            ptrace.resume(pid)
        elif event == ptrace.EVENT_EXIT:
            if not kinds.get(pid, False):  # a process (not a thread) about to go: its CPU time, all threads in
                cpu[pid] = cpu_seconds(pid)
                ended[pid] = time.monotonic()
            if pid == main:
                at_exit()
                unjoined.update(task for task in kinds.copy() if parents.get(task) == main and is_zombie(task))
            ptrace.resume(pid)
        elif event == ptrace.EVENT_EXEC:
            if is_helper(pid):
                helpers.add(pid)
            ptrace.resume(pid)
        elif event == ptrace.EVENT_STOP:
            if pid != main and pid not in kinds:
                kinds[pid] = is_thread(pid)  # a new task's first stop
                started.setdefault(pid, time.monotonic())
            ptrace.resume(pid)  # (or a group stop): carry on
        else:
            ptrace.resume(pid, sig)  # a signal on its way: deliver it
    processes = {task for task, thread in kinds.items() if not thread and task != main}
    threads = sum(1 for thread in kinds.values() if thread)
    live = processes - exited
    left = len(live - helpers)
    for pid in live:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    ptrace.let_go({task for task in kinds if task not in exited})
    if timer is not None:
        timer.cancel()
    collector.join(5)
    counted = processes - helpers
    origin = started[main]
    tasks = [
        {
            "cpu": round(cpu.get(pid, 0.0), 3),
            "start": round(started.get(pid, origin) - origin, 3),
            "end": round(ended.get(pid, time.monotonic()) - origin, 3),
            "signal": signals.get(pid, 0),
            **({"unjoined": True} if pid in unjoined else {}),
        }
        for pid in sorted(counted, key=lambda task: started.get(task, origin))
    ]
    report = {
        "processes": len(counted),
        "threads": threads,
        "helpers": len(helpers),
        "left": left,
        "exit": exit_code,
        "tasks": tasks[:200],
        "main_cpu": round(cpu.get(main, 0.0), 3),
        "timed_out": killed.is_set(),
        "main": main,
    }
    if cluster:
        report["cluster"] = sorted(_descendants(roots, parents) & processes) if collector.marked.is_set() else []
    return {"trace": report, "output": bytes(collector.data).decode("utf-8", errors="replace")}


def main(argv: list[str]) -> int:
    """Entry point: ``REPORT_FD CAP INPUT CMD...``."""
    report_fd, cap, source, command = int(argv[0]), int(argv[1]), argv[2], argv[3:]
    with open(source, "rb") as stream:
        data = stream.read()
    os.unlink(source)
    ptrace.prctl(4, 0)  # PR_SET_DUMPABLE 0: no process of the run may trace us or open our descriptors
    try:
        job = json.loads(data) if data.strip() else {}
        from owned import take  # beside this file (run by path)

        timeout, owned = job.pop("kill_after", None), take(job)
        at_exit = owned["block"].note if "block" in owned else _nothing
        payload = (json.dumps(job) + "\n").encode() if data.strip() else data  # without what only the tracer keeps
        report = trace(command, cap, payload, timeout, at_exit, cluster="cluster" in job)
        main_pid = report.get("trace", {}).pop("main", None)
        cluster = frozenset(report.get("trace", {}).pop("cluster", ()))
        report["owned"] = {name: resource.read_back(main_pid, cluster) for name, resource in owned.items()}
        if "cluster" in job and "trace" in report:
            report["trace"]["cluster_processes"] = len(cluster)
        if "trace" in report:
            report["trace"]["kill_after"] = timeout
    except Exception as exc:  # a bug here must still say so, not look like a run that gave nothing
        report = {"error": f"the tracer failed: {type(exc).__name__}: {exc}"}
    data = (json.dumps(report) + "\n").encode()
    while data:
        data = data[os.write(report_fd, data) :]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
