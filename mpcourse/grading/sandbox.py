"""Run learner code in a sandbox: bubblewrap on Linux, or (``none``) with process limits only.

One :class:`Sandbox` per run (:mod:`.driver` drives it: pipes, timeout, stop)::

    with Sandbox("bwrap", Limits(timeout=60)) as box:
        process = box.popen([PYTHON, "-c", code], files={"work/data.json": b"{}"}, report_fd=write_end)
    # every process of the run is gone here, and so are its files

What a run sees and cannot do is in docs/teachers/sandbox.md.  This module
chooses the sandbox and starts, stops and cleans up a run; its pieces:
:mod:`.bwrap` (bubblewrap's command line), :mod:`.seccomp` (the system calls
refused), :mod:`.limits`, :mod:`.runfolders` (run folders on the grader's
side), :mod:`.cgroups` (whole-run limits as root) and ``_confine.py`` (the
process side, run by path).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from . import cgroups, seccomp
from .bwrap import INSIDE, PYTHON, bwrap_args
from .limits import DEFAULT_LIMITS, Limits, cpus_for, is_root, rlimits, run_uid
from .runfolders import new_run_folder, remove

__all__ = [
    "DEFAULT_MODE",
    "MARKER_ENV",
    "MODES",
    "Sandbox",
    "SandboxUnavailable",
    "bwrap_problem",
    "resolve",
]

#: The values of ``grade --sandbox``, and the default.
MODES = ("auto", "bwrap", "none")
DEFAULT_MODE = "auto"
#: Environment variable marking every process of an unsandboxed run (its value is unique to the run).
MARKER_ENV = "MPCOURSE_GRADING_RUN"
#: Teacher variables a run still gets (everything else is left out).
PASSED_ENV = ("MPCOURSE_START_METHOD",)

_CONFINE = str(Path(__file__).with_name("_confine.py"))


class SandboxUnavailable(RuntimeError):
    """The sandbox asked for cannot run on this machine; the message says what to do."""


def _install_hint() -> str:
    if sys.platform == "darwin":
        return (
            "macOS has no bubblewrap: grade in a Linux machine or container, or pass --sandbox none "
            "(learner code then runs as you, with your files and network)"
        )
    return (
        "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
        "bubblewrap), or pass --sandbox none to grade without a sandbox (learner code then runs as you, "
        "with your files and network)"
    )


_probe_lock = threading.Lock()
_probe: list[str | None] = []


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox a run here, or ``None`` when it can (tried once, with Python inside)."""
    with _probe_lock:
        if not _probe:
            _probe.append(_try_bwrap())
        return _probe[0]


def _try_bwrap() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        with Sandbox("bwrap", Limits(timeout=30)) as box:
            process = box.popen([PYTHON, "-c", "print('ok')"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            output, _ = process.communicate(timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap did not run: {exc}"
    if process.returncode != 0 or b"ok" not in output:
        text = output.decode(errors="replace").strip().splitlines()
        return f"bubblewrap did not run (exit code {process.returncode}): {text[-1] if text else 'no output'}"
    return None


def resolve(mode: str) -> str:
    """``bwrap`` or ``none`` for a ``--sandbox`` value; :class:`SandboxUnavailable` when bubblewrap cannot run."""
    if mode not in MODES:
        raise ValueError(f"sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "none":
        return "none"
    problem = bwrap_problem()
    if problem:
        raise SandboxUnavailable(f"{problem}; learner code is not run without a sandbox: {_install_hint()}")
    return "bwrap"


def _memfd(data: bytes) -> int:
    descriptor = os.memfd_create("mpcourse-file", 0)
    os.write(descriptor, data)
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


_slots_lock = threading.Lock()
_slots: set[int] = set()


class Sandbox:
    """One run's sandbox: a private folder, limits, and everything needed to start and stop the run.

    ``mode`` is ``bwrap`` or ``none`` (see :func:`resolve`).  Each live sandbox
    holds a slot (the lowest free number): as root its run gets a uid of its own,
    and with ``jobs`` > 1 its share of the CPUs (``cpus`` chooses them instead).
    With bubblewrap every process of the run gets the :mod:`.seccomp` filter
    (``tracing``: but for ``ptrace``, see :func:`.seccomp.tracee_command`).
    """

    def __init__(
        self,
        mode: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        jobs: int = 1,
        cpus: Sequence[int] | None = None,
        tracing: bool = False,
    ) -> None:
        if mode not in ("bwrap", "none"):
            raise ValueError(f"mode must be 'bwrap' or 'none' (resolve 'auto' first), not {mode!r}")
        with _slots_lock:
            self.slot = min(set(range(len(_slots) + 1)) - _slots)
            _slots.add(self.slot)
        chosen = cpus if cpus is not None else cpus_for(self.slot, jobs)
        self.mode, self.limits, self.cpus = mode, limits, tuple(chosen) if chosen else None
        self.tracing = tracing
        self.marker = uuid.uuid4().hex
        self._since = time.time() - 1.0
        self._process: subprocess.Popen[bytes] | None = None
        self._group: cgroups.RunGroup | None = None
        self._host: Path | None = None
        if mode == "none":
            self._host = new_run_folder()
        self.root = PurePosixPath(self._host) if self._host else INSIDE

    def path(self, *parts: str) -> str:
        """A path inside the run's folder, as the sandboxed command sees it."""
        return str(self.root.joinpath(*parts))

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The run's whole environment: an allowlist, private HOME and tmp, and ``extra``."""
        home, tmp = self.root / "home", self.root / "tmp"
        env = {
            "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "USER": "learner",
            "LOGNAME": "learner",
            "LANG": "C.UTF-8",
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "TMP": str(tmp),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # glibc reserves 64 MB of address space per malloc arena (up to 8 per core):
            # an idle kernel counts 650 MB against RLIMIT_AS with the default, 200 MB with 2.
            "MALLOC_ARENA_MAX": "2",
        }
        env.update({name: os.environ[name] for name in PASSED_ENV if name in os.environ})
        if self.mode == "none":
            env[MARKER_ENV] = self.marker
        env.update(extra or {})
        return env

    def popen(
        self,
        command: Sequence[str],
        *,
        files: Mapping[str, bytes] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        stdout: int | IO[Any] | None = None,
        stderr: int | IO[Any] | None = None,
        report_fd: int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``command`` in the sandbox (once per sandbox).

        ``files`` (paths relative to the run folder) are written into it first;
        ``env`` defaults to :meth:`environment`; ``report_fd`` is a descriptor
        passed on to the command (and, with bubblewrap, gets the supervisor's
        ``{"sandbox": {"leftovers": N}}`` line when the command ends).
        """
        if self._process is not None:
            raise RuntimeError("a Sandbox runs one command")
        cwd = cwd or self.path("work")
        environment = dict(env) if env is not None else self.environment()
        config: dict[str, Any] = {
            "rlimits": rlimits(self.limits, sandboxed=self.mode == "bwrap"),
            "cpus": list(self.cpus or ()),
        }
        keep: list[int] = [report_fd] if report_fd is not None else []
        opened: list[int] = []
        try:
            if self.mode == "none":
                for relative, data in (files or {}).items():
                    target = Path(self.path(relative))
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                wrapped = [PYTHON, _CONFINE, "enter", json.dumps(config), *command]
            else:
                self._group = cgroups.create(self.limits.memory_mb, self.limits.processes, self.cpus)
                if self._group is not None:
                    config["cgroups"] = self._group.procs_files
                args = ["bwrap", *bwrap_args(self.limits, cwd)]
                if (code := seccomp.program(tracing=self.tracing)) is not None:
                    opened.append(_memfd(code))
                    args += ["--seccomp", str(opened[-1])]
                for relative, data in (files or {}).items():
                    descriptor = _memfd(data)
                    opened.append(descriptor)
                    args += ["--perms", "0666", "--file", str(descriptor), self.path(relative)]
                inside = {"report_fd": report_fd if report_fd is not None else 2}
                if is_root():
                    inside.update(uid=run_uid(self.slot), gid=run_uid(self.slot))
                supervisor = [PYTHON, _CONFINE, "supervise", json.dumps(inside)]
                bwrap = shutil.which("bwrap") or "bwrap"
                wrapped = [PYTHON, _CONFINE, "enter", json.dumps(config), bwrap, *args[1:], *supervisor]
                wrapped += list(command)
            self._process = subprocess.Popen(
                wrapped,
                cwd=cwd if self.mode == "none" else "/",
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
                pass_fds=(*keep, *opened),
            )
        finally:
            for descriptor in opened:
                os.close(descriptor)
        return self._process

    def stop(self) -> int:
        """Kill every process of the run that is still alive; return how many (the started command not counted)."""
        killed = 0
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()  # bubblewrap: its pid namespace dies with it
        if self.mode == "none":
            from . import proctree  # psutil, loaded only by a run with no sandbox to kill

            killed = proctree.kill_marked(MARKER_ENV, self.marker, self._since, process.pid if process else None)
        if self._group is not None:
            killed += self._group.kill()
        if process is not None:
            process.wait()
        return killed

    def close(self) -> None:
        """Stop the run and remove what it had: its folder, its control groups."""
        self.stop()
        if self._group is not None:
            self._group.remove()
            self._group = None
        if self._host is not None:
            remove(self._host)
            self._host = None
        with _slots_lock:
            _slots.discard(self.slot)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
