"""Find and kill process trees: the one place the grader and the test suite do it.

A process is found by ancestry (:func:`descendants`, :func:`leftover_children`)
or by an environment variable whose *value* is unique to one run or one test
(:func:`marked`): a name alone is carried by every run, so it would match
another run's processes too.  Killing freezes first, so a process cannot fork
while its tree is being killed.  Needs psutil (POSIX process groups).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable

import psutil

__all__ = [
    "alive",
    "command_contains",
    "descendants",
    "describe",
    "in_session",
    "is_multiprocessing_service",
    "kill",
    "kill_marked",
    "kill_tree",
    "leftover_children",
    "marked",
]

#: What the long-lived helpers multiprocessing starts once per parent (by design) run.
_SERVICE_MARKERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")


def descendants(pid: int) -> list[psutil.Process]:
    """``pid`` and every process below it (empty when ``pid`` is gone)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def marked(name: str, value: str, since: float = 0.0) -> list[psutil.Process]:
    """Processes (not this one) started after ``since`` whose environment has ``name=value``."""
    found = []
    me = os.getpid()
    for proc in psutil.process_iter(["create_time"]):
        if proc.pid == me or (proc.info["create_time"] or 0) < since:
            continue
        try:
            if proc.environ().get(name) == value:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def in_session(sid: int) -> list[psutil.Process]:
    """Live processes (not zombies) of session ``sid``: what a child started with ``start_new_session`` left."""
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getsid(proc.pid) == sid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (OSError, psutil.Error):
            pass
    return found


def command_contains(procs: Iterable[psutil.Process], text: str) -> list[psutil.Process]:
    """Those of ``procs`` whose command line contains ``text`` (a process that is gone does not)."""
    found = []
    for proc in procs:
        try:
            if text in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            pass
    return found


def is_multiprocessing_service(proc: psutil.Process) -> bool:
    """Is ``proc`` multiprocessing's forkserver or resource tracker (or gone, so nothing to report)?"""
    try:
        cmdline = " ".join(proc.cmdline())
    except psutil.Error:
        return True
    return any(marker in cmdline for marker in _SERVICE_MARKERS)


def alive(procs: Iterable[psutil.Process]) -> list[psutil.Process]:
    """Those of ``procs`` still running (zombies count as gone)."""
    running = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                running.append(proc)
        except psutil.Error:
            pass
    return running


def describe(proc: psutil.Process, width: int = 120) -> str:
    """``pid N: command line`` (cut to ``width``), for a report."""
    try:
        return f"pid {proc.pid}: {' '.join(proc.cmdline())[:width]}"
    except psutil.Error:
        return f"pid {proc.pid}"


def kill(procs: Iterable[psutil.Process], wait: float = 3.0) -> None:
    """Freeze, then SIGKILL, these processes and their process groups (never this process's group)."""
    procs = list(procs)
    for proc in procs:
        try:
            proc.suspend()
        except psutil.Error:
            pass
    groups = set()
    for proc in procs:
        try:
            groups.add(os.getpgid(proc.pid))
        except OSError:
            pass
    for group in groups - {0, 1, os.getpgrp()}:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=wait)


def kill_tree(pid: int, wait: float = 3.0) -> None:
    """Kill ``pid``, everything below it, and the process group ``pid`` leads, even once ``pid`` has exited.

    For a child started with ``start_new_session=True``: its orphans keep its group.
    """
    group = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pid and proc.pid != os.getpid():
                group.append(proc)
        except (OSError, psutil.Error):
            pass
    kill({proc.pid: proc for proc in descendants(pid) + group}.values(), wait=wait)


def kill_marked(name: str, value: str, since: float = 0.0, root: int | None = None) -> int:
    """Kill the tree under ``root`` and every process marked ``name=value``; return how many (``root`` not counted).

    Repeats until none is left (a process may fork while we look).
    """
    killed: set[int] = set()
    for _ in range(10):
        procs = marked(name, value, since) + (descendants(root) if root is not None else [])
        procs = alive({proc.pid: proc for proc in procs}.values())
        if not procs:
            break
        kill(procs)
        killed.update(proc.pid for proc in procs)
    killed.discard(root)  # type: ignore[arg-type]
    return len(killed)


def leftover_children(
    root: psutil.Process,
    ignore: Iterable[int] = (),
    grace: float = 5.0,
    keep: Callable[[psutil.Process], bool] = lambda proc: False,
) -> list[psutil.Process]:
    """Descendants of ``root`` (not in ``ignore``, not ``keep``-ed) still alive after up to ``grace`` seconds."""
    ignored = set(ignore)
    deadline = time.monotonic() + grace
    while True:
        try:
            candidates = [proc for proc in root.children(recursive=True) if proc.pid not in ignored]
        except psutil.Error:
            return []
        leftovers = [proc for proc in alive(candidates) if not keep(proc)]
        if not leftovers or time.monotonic() > deadline:
            return leftovers
        time.sleep(0.1)
