"""The few ``ptrace`` and ``prctl`` calls the judge's tracer makes, through libc (Linux).

Standard library only; imported by :mod:`._trace` (run by path inside the sandbox).
"""

from __future__ import annotations

import ctypes
import os
import time

__all__ = [
    "EVENT_CLONE",
    "EVENT_EXEC",
    "EVENT_EXIT",
    "EVENT_FORK",
    "EVENT_STOP",
    "EVENT_VFORK",
    "WALL",
    "event_pid",
    "let_go",
    "prctl",
    "resume",
    "seize",
]

_SEIZE, _CONT, _GETEVENTMSG = 0x4206, 7, 0x4201
_O_TRACEFORK, _O_TRACEVFORK, _O_TRACECLONE, _O_TRACEEXEC, _O_TRACEEXIT, _O_EXITKILL = (
    0x2,
    0x4,
    0x8,
    0x10,
    0x40,
    0x100000,
)
#: The events a stopped task reports (``status >> 16``).
EVENT_FORK, EVENT_VFORK, EVENT_CLONE, EVENT_EXEC, EVENT_EXIT, EVENT_STOP = 1, 2, 3, 4, 6, 128
#: ``waitpid`` flag: wait for every task, threads too.
WALL = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


def prctl(option: int, value: int) -> None:
    """``prctl(option, value)``; nothing where there is none (not Linux)."""
    try:
        _libc.prctl(option, value, 0, 0, 0)
    except AttributeError:
        pass


def _ptrace(request: int, pid: int, addr: int = 0, data: int = 0) -> int:
    result = _libc.ptrace(request, pid, ctypes.c_void_p(addr), ctypes.c_void_p(data))
    if result == -1:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result


def seize(pid: int) -> None:
    """Trace ``pid`` and every task it creates (fork, vfork, clone, exec and exit events); it dies with us."""
    options = _O_TRACEFORK | _O_TRACEVFORK | _O_TRACECLONE | _O_TRACEEXEC | _O_TRACEEXIT | _O_EXITKILL
    _ptrace(_SEIZE, pid, 0, options)


def event_pid(pid: int) -> int:
    """The task a fork, vfork or clone event of ``pid`` created."""
    message = ctypes.c_ulong(0)
    _ptrace(_GETEVENTMSG, pid, 0, ctypes.addressof(message))
    return message.value


def resume(pid: int, sig: int = 0) -> None:
    """Let stopped ``pid`` go on (delivering ``sig``); nothing if it is gone already."""
    try:
        _ptrace(_CONT, pid, 0, sig)
    except OSError:
        pass  # killed, or its thread group exited


def let_go(tasks: set[int], seconds: float = 5.0) -> None:
    """Wait (at most ``seconds``) for killed ``tasks`` to end, resuming each that stops on its way out.

    A traced task killed in an event stop (its exit event, say) holds its files until
    its tracer lets it go on; without this, a pipe it shares stays open after the run.
    """
    deadline = time.monotonic() + seconds
    waiting = set(tasks)
    while waiting and time.monotonic() < deadline:
        try:
            pid, status = os.waitpid(-1, WALL | os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.005)
        elif os.WIFSTOPPED(status):
            resume(pid)
        else:
            waiting.discard(pid)
