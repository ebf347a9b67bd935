"""bubblewrap's command line for one run: what the run sees (read-only system and Python, its own /tmp)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .limits import Limits, is_root
from .runfolders import FOLDERS, RUN_PREFIX

__all__ = ["INSIDE", "PYTHON", "bwrap_args"]

#: This Python, by absolute path (a run's commands start it; the sandbox shows its installation).
PYTHON = os.path.abspath(sys.executable)
#: The run's folder as the sandboxed command sees it.
INSIDE = PurePosixPath("/tmp") / RUN_PREFIX


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


def bwrap_args(limits: Limits, cwd: str) -> list[str]:
    """bubblewrap's arguments for one run (files and the command come after)."""
    binds, hidden = _python_binds()
    if is_root():  # no user namespace: the supervisor drops to an unprivileged uid itself
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        args = ["--unshare-all"]
    # The run may write disk_mb in all: 3/4 of it in /tmp (its folder), 1/4 in /dev/shm (chapter 07 shares 100 MB).
    disk = limits.disk_mb * 2**20 if limits.disk_mb > 0 else None
    shm = ["--size", str(disk // 4)] if disk else []
    size = ["--size", str(disk - disk // 4)] if disk else []
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
    args += ["--proc", "/proc", "--dev", "/dev", *shm, "--perms", "1777", "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    for folder in ("", *FOLDERS):
        args += ["--perms", "0777", "--dir", str(INSIDE / folder)]
    args += ["--remount-ro", "/"]  # as a normal user bubblewrap's own root is a writable tmpfs with no limit
    return [*args, "--chdir", cwd]
