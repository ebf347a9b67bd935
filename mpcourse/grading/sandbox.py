"""Run learner code in a sandbox: bubblewrap on Linux, or (``none``) with process limits only.

One :class:`Sandbox` per run::

    with Sandbox("bwrap", Limits(timeout=60)) as box:
        process = box.popen([sys.executable, "-c", code], files={"work/data.json": b"{}"},
                            cwd=box.path("work"), stdout=log, report_fd=write_end)
        process.wait(box.limits.timeout)
    # every process of the run is gone here, and so are its files

Inside bubblewrap a run sees the system (``/usr``, ``/etc``) and the Python
environment read-only (of the ``mpcourse`` package only its own folder, without
course masters or solutions), its own size-limited ``/tmp`` holding the run's
folder ``/tmp/mpgrade`` (``work``, ``home``, ``tmp``), and ``/dev/shm``, nothing
else of the machine; it has no
network, its own pid namespace that ends with the run, an environment built from
an allowlist, and it never runs as root.  See the README, "For teachers", for
which limit holds where.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..tools import proctree
from . import cgroups

__all__ = [
    "DEFAULT_MODE",
    "MARKER_ENV",
    "MODES",
    "PYTHON",
    "RUN_PREFIX",
    "Limits",
    "Sandbox",
    "SandboxUnavailable",
    "bwrap_problem",
    "clean_stale_runs",
    "cpus_for",
    "resolve",
]

#: The values of ``grade --sandbox``, and the default.
MODES = ("auto", "bwrap", "none")
DEFAULT_MODE = "auto"
#: Environment variable marking every process of an unsandboxed run (its value is unique to the run).
MARKER_ENV = "MPCOURSE_GRADING_RUN"
#: Name of a run's folder (inside bubblewrap: ``/tmp/mpgrade``; without: ``$TMPDIR/mpgrade-XXXX``).
RUN_PREFIX = "mpgrade"
#: Teacher variables a run still gets (everything else is left out).
PASSED_ENV = ("MPCOURSE_START_METHOD",)
#: This Python, by absolute path (a run's commands start it; the sandbox shows its installation).
PYTHON = os.path.abspath(sys.executable)
#: Root runs learner code as these uids (one per concurrent run); they need no account.
ROOT_UID_BASE = 2_000_000_000

_INSIDE = PurePosixPath("/tmp") / RUN_PREFIX
_CONFINE = str(Path(__file__).with_name("_confine.py"))
_OWNER = ".owner"


@dataclass(frozen=True)
class Limits:
    """What one run may use; 0 means no limit (``timeout``: wall seconds, kernel start included)."""

    timeout: float = 120.0
    memory_mb: int = 2048
    processes: int = 256
    disk_mb: int = 512
    output_chars: int = 2000


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


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _covered(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


@functools.lru_cache(maxsize=1)
def _python_binds() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders a run must see read-only (Python and its packages), and what is hidden in the package:
    course masters (``_course``) and solution data (``solution*``, not modules)."""
    import mpcourse

    package = str(Path(mpcourse.__file__).resolve().parent)
    system = ["/usr", "/etc"]
    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    wanted.add(str(Path(os.path.realpath(PYTHON)).parent.parent))
    wanted.update(entry for entry in sys.path if "site-packages" in entry or "dist-packages" in entry)
    binds: list[str] = []
    for path in sorted({os.path.realpath(p) for p in wanted if p} | {p for p in wanted if p}, key=len):
        if os.path.isdir(path) and not _covered(path, system + binds):
            binds.append(path)
    if not _covered(package, system + binds):
        binds.append(package)  # an editable install: the package folder only, never the repository around it
    hidden = []
    for folder, dirs, files in os.walk(package):
        for name in [*dirs, *files]:
            if name == "_course" or (name.lower().startswith("solution") and not name.endswith(".py")):
                hidden.append(os.path.join(folder, name))
        dirs[:] = [name for name in dirs if os.path.join(folder, name) not in hidden]
    return tuple(binds), tuple(sorted(hidden))


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def _bwrap_args(limits: Limits, cwd: str) -> list[str]:
    """bubblewrap's arguments for one run (files and the command come after)."""
    binds, hidden = _python_binds()
    if _is_root():  # no user namespace: the supervisor drops to an unprivileged uid itself
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        args = ["--unshare-all"]
    disk = limits.disk_mb * 2**20 if limits.disk_mb > 0 else None
    size = ["--size", str(disk)] if disk else []
    # The run's folder lives in a size-limited /tmp, mounted first: a Python installed under /tmp shows above it.
    args += ["--die-with-parent", "--new-session", *_system_args(), *size, "--perms", "1777", "--tmpfs", "/tmp"]
    for path in binds:
        args += ["--ro-bind", path, path]
    parents = {str(parent) for path in binds for parent in PurePosixPath(path).parents if str(parent) != "/"}
    for parent in sorted(parents - set(binds) - {"/tmp"}, key=len):
        if not _covered(parent, ["/usr", "/etc", *binds]):
            args += ["--chmod", "0755", parent]  # bubblewrap makes them with the mode of the source's parent
    for path in hidden:
        if os.path.isdir(path):
            args += ["--tmpfs", path, "--remount-ro", path]
        else:
            args += ["--ro-bind", "/dev/null", path]
    shm = ["--size", str(max(disk // 4, 16 * 2**20))] if disk else []
    args += ["--proc", "/proc", "--dev", "/dev", *shm, "--perms", "1777", "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    for folder in ("", *_FOLDERS):
        args += ["--perms", "0777", "--dir", str(_INSIDE / folder)]
    return [*args, "--chdir", cwd]


_FOLDERS = ("work", "tmp", "home", "home/.cache", "home/.config", "home/.local", "home/.local/share", "home/run")

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


def _write_owner(root: Path) -> None:
    (root / _OWNER).write_text(f"{os.getpid()} {_start_time(os.getpid())}", encoding="utf-8")


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        import psutil

        try:
            return str(psutil.Process(pid).create_time())
        except psutil.Error:
            return "gone"


def clean_stale_runs(folder: str | Path | None = None) -> int:
    """Remove run folders and control groups left by a grader that was killed; return how many folders."""
    cgroups.clean_stale()
    removed = 0
    base = Path(folder or tempfile.gettempdir())
    try:
        entries = list(base.glob(f"{RUN_PREFIX}-*"))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
                continue
            owner = (entry / _OWNER).read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            continue  # not ours, or written by an older grader: left alone
        started = _start_time(int(owner[0])) if len(owner) == 2 and owner[0].isdigit() else "gone"
        if started != "gone" and started == owner[1]:
            continue  # its grader is still running
        _remove(entry)
        removed += 1
    return removed


def _remove(root: Path) -> None:
    """Delete a run's folder, even if the run made parts of it read-only."""

    def unlock(function: Any, path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=unlock)
    else:
        shutil.rmtree(root, onerror=unlock)


def _memfd(data: bytes) -> int:
    descriptor = os.memfd_create("mpcourse-file", 0)
    os.write(descriptor, data)
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


def _own_process_count() -> int:
    """How many processes this uid has now (RLIMIT_NPROC counts them all, inside a user namespace too)."""
    import psutil

    uid = os.getuid()
    count = 0
    for proc in psutil.process_iter(["uids"]):
        uids = proc.info["uids"]
        if uids is not None and uids.real == uid:
            count += 1
    return count


def cpus_for(slot: int, jobs: int) -> list[int] | None:
    """The CPUs of run ``slot`` when ``jobs`` run at once: an equal share of this process's, or ``None`` (all)."""
    if jobs <= 1 or not hasattr(os, "sched_getaffinity"):
        return None
    mine = sorted(os.sched_getaffinity(0))
    if jobs >= len(mine):
        return [mine[slot % len(mine)]]
    share = len(mine) // jobs
    return mine[(slot % jobs) * share : (slot % jobs + 1) * share]


_slots_lock = threading.Lock()
_slots: set[int] = set()


class Sandbox:
    """One run's sandbox: a private folder, limits, and everything needed to start and stop the run.

    ``mode`` is ``bwrap`` or ``none`` (see :func:`resolve`).  Each live sandbox
    holds a slot (the lowest free number): as root its run gets a uid of its own,
    and with ``jobs`` > 1 its share of the CPUs (``cpus`` chooses them instead).
    """

    def __init__(
        self, mode: str, limits: Limits = Limits(), *, jobs: int = 1, cpus: Sequence[int] | None = None
    ) -> None:
        if mode not in ("bwrap", "none"):
            raise ValueError(f"mode must be 'bwrap' or 'none' (resolve 'auto' first), not {mode!r}")
        with _slots_lock:
            self.slot = min(set(range(len(_slots) + 1)) - _slots)
            _slots.add(self.slot)
        chosen = cpus if cpus is not None else cpus_for(self.slot, jobs)
        self.mode, self.limits, self.cpus = mode, limits, tuple(chosen) if chosen else None
        self.marker = uuid.uuid4().hex
        self._since = time.time() - 1.0
        self._process: subprocess.Popen[bytes] | None = None
        self._group: cgroups.RunGroup | None = None
        self._host: Path | None = None
        if mode == "none":
            self._host = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}-"))
            _write_owner(self._host)
            for folder in _FOLDERS:
                (self._host / folder).mkdir(parents=True, exist_ok=True)
            (self._host / "home" / "run").chmod(0o700)
        self.root = PurePosixPath(self._host) if self._host else _INSIDE

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

    def _rlimits(self) -> dict[str, int]:
        limits = {"RLIMIT_CORE": 0}
        if self.limits.memory_mb > 0:
            limits["RLIMIT_AS"] = self.limits.memory_mb * 2**20
        if self.limits.disk_mb > 0:
            limits["RLIMIT_FSIZE"] = self.limits.disk_mb * 2**20
        if self.limits.processes > 0 and self.mode == "bwrap":
            # Counted per real uid: root's runs have a uid of their own; anyone else's share the teacher's.
            already = 0 if _is_root() else _own_process_count()
            limits["RLIMIT_NPROC"] = already + self.limits.processes + 4
        return limits

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
        config: dict[str, Any] = {"rlimits": self._rlimits(), "cpus": list(self.cpus or ())}
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
                args = ["bwrap", *_bwrap_args(self.limits, cwd)]
                for relative, data in (files or {}).items():
                    descriptor = _memfd(data)
                    opened.append(descriptor)
                    args += ["--perms", "0666", "--file", str(descriptor), self.path(relative)]
                inside = {"report_fd": report_fd if report_fd is not None else 2}
                if _is_root():
                    inside.update(uid=ROOT_UID_BASE + self.slot, gid=ROOT_UID_BASE + self.slot)
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
            _remove(self._host)
            self._host = None
        with _slots_lock:
            _slots.discard(self.slot)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
