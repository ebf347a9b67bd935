"""The process side of the sandbox, run by path (standard library only, no mpcourse import).

``python _confine.py enter CONFIG CMD...`` (outside the sandbox): join the run's
control groups, set the rlimits and the CPU affinity, die with the grader, then
exec ``CMD`` (bubblewrap, or the command itself with ``--sandbox none``).

``python _confine.py supervise CONFIG CMD...`` (inside, as the sandbox's first
process): drop root for the run's own uid, run ``CMD``, and when it ends kill
every other process of the sandbox, writing ``{"sandbox": {"leftovers": N}}``
to the report file descriptor.  CONFIG is a JSON object.

``python _confine.py seccomp FILTER SCRIPT ARGS...`` (inside, where a judge's
tracer starts the learner's side): install the seccomp filter ``FILTER`` (the
hex of a ``struct sock_filter`` array, from ``seccomp.py``), then run the Python
file ``SCRIPT`` as ``__main__`` in this same interpreter (no second start).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time

_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP = 1, 4, 38, 22
_SECCOMP_MODE_FILTER = 2


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def enter(config: dict, command: list[str]) -> None:
    """Confine this process, then become ``command``."""
    for procs_file in config.get("cgroups", ()):
        with open(procs_file, "w") as stream:
            stream.write(str(os.getpid()))
    for name, value in config.get("rlimits", {}).items():
        resource.setrlimit(getattr(resource, name), (value, value))
    if config.get("cpus") and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, config["cpus"])
    if sys.platform.startswith("linux"):
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the grader died before we got here
            sys.exit(1)
    os.execv(command[0], command)


def _others() -> list[int]:
    """Live processes of this pid namespace other than this one and its init."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                state = stream.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            found.append(int(entry))
    return found


def supervise(config: dict, command: list[str]) -> int:
    """Run ``command`` as the run's uid; then count and kill what it left; return its exit code."""
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    _prctl(_PR_SET_DUMPABLE, 0)  # the learner's processes (same uid) cannot open our report descriptor
    report = config["report_fd"]
    child = subprocess.Popen(command, pass_fds=(report,))
    code = child.wait()
    leftovers = set(_others())
    for _ in range(50):
        others = _others()
        if not others:
            break
        leftovers.update(others)
        try:
            os.kill(-1, signal.SIGKILL)  # every process we may signal, except ourselves and init
        except OSError:
            pass
        time.sleep(0.02)
    os.write(report, (json.dumps({"sandbox": {"leftovers": len(leftovers)}}) + "\n").encode())
    return code


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_filter(code: bytes) -> None:
    """Install a seccomp filter on this process (and everything it starts); raise OSError if refused."""
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _Program(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    for args in ((_PR_SET_NO_NEW_PRIVS, 1, 0), (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog))):
        if libc.prctl(ctypes.c_int(args[0]), ctypes.c_ulong(args[1]), ctypes.c_ulong(args[2]), 0, 0) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"prctl({args[0]}): {os.strerror(error)}")


if __name__ == "__main__":
    role, settings, *rest = sys.argv[1:]
    if role == "seccomp":
        install_filter(bytes.fromhex(settings))
        import runpy

        sys.argv[:] = rest
        sys.path[0] = os.path.dirname(os.path.abspath(rest[0]))
        runpy.run_path(rest[0], run_name="__main__")
        sys.exit(0)
    if role == "enter":
        enter(json.loads(settings), rest)
    sys.exit(supervise(json.loads(settings), rest))
