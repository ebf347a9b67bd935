"""The sandbox's seccomp filter: the system calls learner code never needs, refused (bubblewrap's ``--seccomp``).

In the spirit of IOI isolate 2.6 and of what Docker and Flatpak refuse by
default, a short allowlist would break Python, Jupyter and multiprocessing
in ways no test finds; a denylist of the kernel's riskiest and least needed
entry points keeps every honest notebook working.  Each entry below says why
it is refused.  A refused call fails with ``EPERM`` (``ENOSYS`` where programs
probe a feature and fall back: ``clone3``, io_uring), so the learner sees an
ordinary Python ``OSError`` instead of a killed kernel; a call made through
another ABI than the machine's own (32-bit or x32 on x86_64) kills the process,
since none of its numbers are checked.

The filter is a classic BPF program built here with the standard library
(:func:`program`).  bubblewrap installs it on every process of a run.  A judge
job's tracer (``judge/_trace.py``) must use ``ptrace``: its sandbox gets the
filter without ``ptrace`` (:func:`program` with ``tracing=True``), and the
command it traces is started through :func:`tracee_command`, which installs the
whole filter on it first, so the learner's processes cannot trace anything,
the tracer included.  Filters stack in the kernel: a learner process can add
filters but never remove one.
"""

from __future__ import annotations

import platform
import struct
from pathlib import Path

from .bwrap import PYTHON

__all__ = ["DENIED", "NUMBERS", "SUPPORTED", "program", "tracee_command"]

#: Each refused system call, and why learner code never needs it.
DENIED: dict[str, str] = {
    # Channels and secrets outside the run's own files.
    "add_key": "kernel keyrings outlive a process and are shared per uid: a channel between runs",
    "request_key": "kernel keyrings (as add_key)",
    "keyctl": "kernel keyrings (as add_key)",
    # Other processes.
    "ptrace": "tracing or poking another process (the judge's tracer is the only tracer; see tracee_command)",
    "process_vm_readv": "reading another process's memory",
    "process_vm_writev": "writing another process's memory",
    "pidfd_getfd": "taking a file descriptor out of another process",
    "kcmp": "comparing the kernel objects of other processes (reveals what they hold)",
    # Namespaces and mounts: the run's view of the machine is set up once, by bubblewrap.
    "mount": "changing what the run sees of the file system",
    "umount2": "uncovering what the sandbox hides",
    "pivot_root": "changing the root folder",
    "chroot": "changing the root folder",
    "unshare": "new namespaces (user namespaces are the usual door to kernel bugs)",
    "setns": "entering other namespaces",
    "open_tree": "the new mount API (as mount)",
    "move_mount": "the new mount API (as mount)",
    "fsopen": "the new mount API (as mount)",
    "fsconfig": "the new mount API (as mount)",
    "fsmount": "the new mount API (as mount)",
    "fspick": "the new mount API (as mount)",
    "mount_setattr": "the new mount API (as mount)",
    "open_by_handle_at": "opening files by handle, past the mount namespace (a known container escape)",
    "name_to_handle_at": "file handles (as open_by_handle_at)",
    # Large kernel surfaces learner code has no use for.
    "io_uring_setup": "io_uring: a large, often-exploited kernel surface that sidesteps this filter",
    "io_uring_enter": "io_uring (as io_uring_setup)",
    "io_uring_register": "io_uring (as io_uring_setup)",
    "bpf": "loading programs into the kernel",
    "perf_event_open": "performance counters: a side channel on other processes and the kernel",
    "userfaultfd": "user page-fault handling, a tool of kernel exploits",
    "fanotify_init": "watching the whole file system",
    "lookup_dcookie": "kernel profiling",
    # The machine itself (they need privileges a run never has, refused all the same).
    "kexec_load": "replacing the running kernel",
    "kexec_file_load": "replacing the running kernel",
    "init_module": "loading kernel modules",
    "finit_module": "loading kernel modules",
    "delete_module": "unloading kernel modules",
    "reboot": "rebooting",
    "swapon": "swap space",
    "swapoff": "swap space",
    "acct": "process accounting",
    "quotactl": "disk quotas",
    "quotactl_fd": "disk quotas",
    "syslog": "the kernel's log",
    "uselib": "an obsolete loader entry point",
    "iopl": "direct hardware port access",
    "ioperm": "direct hardware port access",
}
#: Refused with ENOSYS (glibc and liburing probe them and fall back).
_PROBED = {"clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"}
#: Refused by argument: ioctl requests that type into a terminal, vsock sockets, clone into new namespaces.
TIOCSTI, TIOCLINUX, AF_VSOCK = 0x5412, 0x541C, 40
_NEW_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

_GENERIC = {  # asm-generic/unistd.h (aarch64)
    "add_key": 217, "request_key": 218, "keyctl": 219, "ptrace": 117, "process_vm_readv": 270,
    "process_vm_writev": 271, "pidfd_getfd": 438, "kcmp": 272, "mount": 40, "umount2": 39, "pivot_root": 41,
    "chroot": 51, "unshare": 97, "setns": 268, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "mount_setattr": 442, "open_by_handle_at": 265, "name_to_handle_at": 264,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 280, "perf_event_open": 241,
    "userfaultfd": 282, "fanotify_init": 262, "lookup_dcookie": 18, "kexec_load": 104, "kexec_file_load": 294,
    "init_module": 105, "finit_module": 273, "delete_module": 106, "reboot": 142, "swapon": 224, "swapoff": 225,
    "acct": 89, "quotactl": 60, "quotactl_fd": 443, "syslog": 116, "clone3": 435, "ioctl": 29, "socket": 198,
    "clone": 220,
}  # fmt: skip
_X86_64 = {  # x86_64-linux-gnu/asm/unistd_64.h
    "add_key": 248, "request_key": 249, "keyctl": 250, "ptrace": 101, "process_vm_readv": 310,
    "process_vm_writev": 311, "pidfd_getfd": 438, "kcmp": 312, "mount": 165, "umount2": 166, "pivot_root": 155,
    "chroot": 161, "unshare": 272, "setns": 308, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "mount_setattr": 442, "open_by_handle_at": 304, "name_to_handle_at": 303,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 321, "perf_event_open": 298,
    "userfaultfd": 323, "fanotify_init": 300, "lookup_dcookie": 212, "kexec_load": 246, "kexec_file_load": 320,
    "init_module": 175, "finit_module": 313, "delete_module": 176, "reboot": 169, "swapon": 167, "swapoff": 168,
    "acct": 163, "quotactl": 179, "quotactl_fd": 443, "syslog": 103, "uselib": 134, "iopl": 172, "ioperm": 173,
    "clone3": 435, "ioctl": 16, "socket": 41, "clone": 56,
}  # fmt: skip
#: System call numbers by machine (``platform.machine()``), and each one's AUDIT_ARCH value.
NUMBERS: dict[str, dict[str, int]] = {"x86_64": _X86_64, "aarch64": _GENERIC}
_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
#: The machines this filter knows (elsewhere a run has no filter, and :func:`program` returns ``None``).
SUPPORTED = tuple(NUMBERS)

# Classic BPF, as in linux/filter.h and linux/seccomp.h.
_LD_W_ABS, _JEQ, _JSET, _RET = 0x20, 0x15, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM, _ENOSYS = 1, 38
_X32_BIT = 0x40000000
_NR, _ARCH_OFFSET = 0, 4


def _arg(index: int) -> int:
    """Offset of a system call argument's low 32 bits in ``struct seccomp_data`` (little-endian machines)."""
    return 16 + 8 * index


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def program(tracing: bool = False, machine: str | None = None) -> bytes | None:
    """The filter as bytes of ``struct sock_filter`` (what ``bwrap --seccomp FD`` reads), or ``None`` here when
    this machine is not in :data:`SUPPORTED`; ``tracing``: ``ptrace`` allowed (for the judge's tracer)."""
    machine = machine or platform.machine()
    numbers = NUMBERS.get(machine)
    if numbers is None:
        return None
    code = [_insn(_LD_W_ABS, _ARCH_OFFSET), _insn(_JEQ, _ARCH[machine], 1, 0), _insn(_RET, _KILL_PROCESS)]
    code.append(_insn(_LD_W_ABS, _NR))
    if machine == "x86_64":  # the x32 ABI shares the architecture value; its numbers have this bit set
        code += [_insn(_JSET, _X32_BIT, 0, 1), _insn(_RET, _KILL_PROCESS)]
    refused = [name for name in DENIED if name in numbers and not (tracing and name == "ptrace")]
    for name in [*refused, "clone3"]:
        errno = _ENOSYS if name in _PROBED else _EPERM
        code += [_insn(_JEQ, numbers[name], 0, 1), _insn(_RET, _ERRNO | errno)]
    deny = _insn(_RET, _ERRNO | _EPERM)
    allow = _insn(_RET, _ALLOW)
    code += [_insn(_JEQ, numbers["ioctl"], 0, 5), _insn(_LD_W_ABS, _arg(1))]
    code += [_insn(_JEQ, TIOCSTI, 1, 0), _insn(_JEQ, TIOCLINUX, 0, 1), deny, allow]
    code += [_insn(_JEQ, numbers["socket"], 0, 4), _insn(_LD_W_ABS, _arg(0)), _insn(_JEQ, AF_VSOCK, 0, 1), deny]
    code += [allow]
    code += [_insn(_JEQ, numbers["clone"], 0, 4), _insn(_LD_W_ABS, _arg(0)), _insn(_JSET, _NEW_NAMESPACES, 0, 1)]
    code += [deny, allow, allow]
    return b"".join(code)


_CONFINE = str(Path(__file__).with_name("_confine.py"))


def tracee_command(mode: str, script: str, *args: str) -> list[str]:
    """The command that runs the Python file ``script`` with the whole filter installed first (what a judge's
    tracer starts), in a ``bwrap`` run on a supported machine; otherwise ``python script args``."""
    filter_bytes = program() if mode == "bwrap" else None
    if filter_bytes is None:
        return [PYTHON, script, *args]
    return [PYTHON, _CONFINE, "seccomp", filter_bytes.hex(), script, *args]
