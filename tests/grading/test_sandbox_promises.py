"""The sandbox's promises, one hostile behaviour per test (in the style of edX codejail's test_jail_code.py).

Each test runs a small Python snippet through the sandbox driver (no notebook,
no kernel): cheap enough to run as root and as a normal user in CI, where a
missing bubblewrap fails them (never skips).  docs/teachers/sandbox.md lists
each promise beside its test.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_fixtures import require_bwrap

import mpcourse
from mpcourse.grading import runfolders, seccomp
from mpcourse.grading.bwrap import PYTHON
from mpcourse.grading.driver import Finished, SandboxRun, live_runs, stop_all_runs
from mpcourse.grading.judge.run import run_job
from mpcourse.grading.limits import Limits, is_root
from mpcourse.grading.settings import RunSettings

LIMITS = Limits(timeout=30, memory_mb=512, processes=32, disk_mb=32, output_chars=2000)
_LIBC = "import ctypes, errno, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"


@pytest.fixture(autouse=True)
def _bubblewrap():
    require_bwrap()


def jailed(code: str, limits: Limits = LIMITS) -> Finished:
    """Run ``code`` with ``python -c`` in a fresh bubblewrap sandbox; its stdout and stderr are ``log``."""
    with SandboxRun("bwrap", limits, log_bytes=20000) as run:
        return run.run([PYTHON, "-c", textwrap.dedent(code)])


def said(code: str, limits: Limits = LIMITS) -> str:
    """What ``code`` printed in the sandbox (it must exit 0)."""
    finished = jailed(code, limits)
    text = finished.log.decode(errors="replace")
    assert finished.ending == "exited" and finished.returncode == 0, text
    return text


def errno_of(syscall: str, *args: int) -> str:
    """The errno name a raw system call (by this machine's number) gets in the sandbox."""
    number = seccomp.NUMBERS[os.uname().machine][syscall]
    code = f"{_LIBC}r = libc.syscall({number}, {', '.join(map(str, args)) or '0'})\n"
    code += "print('ok' if r != -1 else errno.errorcode[ctypes.get_errno()])"
    return said(code).strip()


@contextlib.contextmanager
def holding(code: str) -> Iterator[SandboxRun]:
    """A run kept alive in a thread: ``code`` sets something up, then the run sleeps until the block ends."""
    token = f"mpcourse-ready-{uuid.uuid4().hex}"
    ready = (
        code
        + "\nimport os, sys\nsleep = 'import time; time.sleep(120)'"
        + f"\nos.execv(sys.executable, [sys.executable, '-c', sleep, '{token}'])"
    )
    run = SandboxRun("bwrap", Limits(timeout=120, disk_mb=32))
    thread = threading.Thread(target=run.run, args=([PYTHON, "-c", textwrap.dedent(ready)],), daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    try:
        while not _command_lines_with(token):
            assert time.monotonic() < deadline and thread.is_alive(), "the holding run never got ready"
            time.sleep(0.05)
        yield run
    finally:
        run.stop()
        thread.join(30)
        run.close()


def _command_lines_with(token: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            if entry.isdigit() and token.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
    return found


# Files and disk


def test_cant_write_outside_its_run():
    places = ["/", "/usr", "/etc", "/var", "/opt", "/home", "/root", "/dev", "/proc", os.path.dirname(PYTHON)]
    places.append(str(Path(mpcourse.__file__).parent))
    code = f"""
        import os
        for place in {places!r}:
            try:
                with open(os.path.join(place, "mpcourse-escape"), "w") as f:
                    f.write("x")
                print("WROTE", place)
            except OSError:
                pass
        for place in ["/tmp", "/dev/shm", os.getcwd(), os.environ["HOME"]]:
            open(os.path.join(place, "mine"), "w").write("x")
        print("done")
    """
    assert said(code).strip() == "done"


def test_cant_exceed_disk_limit_as_normal_user_or_root():
    """Every writable place together holds at most --disk-mb (a normal user's root folder is read-only too)."""
    code = """
        import os
        total = 0
        for place in ["/tmp", "/dev/shm", os.getcwd(), os.environ["HOME"], "/", "/var/tmp"]:
            for number in range(1000):
                try:
                    with open(os.path.join(place, f"fill{number}"), "wb") as f:
                        for _ in range(64):
                            total += f.write(b"x" * 2**20)
                            f.flush()
                except OSError:
                    break
        print(total // 2**20)
    """
    written = int(said(code, Limits(timeout=60, disk_mb=32)).strip().splitlines()[-1])
    assert 16 <= written <= 32


def test_cant_write_a_file_larger_than_the_disk_limit():
    code = "open('big', 'wb').write(b'x' * 40 * 2**20)"
    finished = jailed(code, Limits(timeout=30, disk_mb=32))
    assert finished.returncode != 0


def test_cant_rewrite_the_grading_package():
    package = Path(mpcourse.__file__).parent
    code = f"open({str(package / 'grading' / 'runner.py')!r}, 'a').write('# changed')"
    log = jailed(code).log
    assert b"Read-only file system" in log or b"Permission denied" in log


def test_cant_see_the_teachers_files(tmp_path):
    """Only the system and the Python installation show; of the home folders, nothing else."""
    secret = tmp_path / "teacher-secret.txt"
    secret.write_text("secret")
    code = f"""
        import os, sys
        python = [os.path.realpath(p) for p in {{sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)}}]
        seen = [p for p in [{str(secret)!r}, {str(Path(__file__).parent)!r}] if os.path.exists(p)]
        for home in ["/root", "/home", "/var", "/srv", "/mnt", "/media"]:
            for folder, _, files in os.walk(home):
                seen += [os.path.join(folder, f) for f in files if not any(folder.startswith(p) for p in python)]
        print(seen)
    """
    assert said(code).strip() == "[]"


def test_cant_read_the_course_masters_or_solutions():
    package = Path(mpcourse.__file__).parent
    hidden = [str(path) for path in [package / "_course", *package.rglob("solution*")] if path.suffix != ".py"]
    hidden = [path for path in hidden if os.path.exists(path)]
    code = f"import os\nprint([p for p in {hidden!r} if os.path.getsize(p) or os.path.isdir(p) and os.listdir(p)])"
    assert said(code).strip() == "[]"


def test_cant_read_the_teachers_environment(monkeypatch):
    secret = f"secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("MPCOURSE_TEST_SECRET", secret)
    code = """
        import os
        found = [e for e in os.listdir("/proc") if e.isdigit()]
        texts = [open(f"/proc/{e}/environ", "rb").read() for e in found if os.access(f"/proc/{e}/environ", os.R_OK)]
        print(os.environ.get("MPCOURSE_TEST_SECRET"), any(b"MPCOURSE_TEST_SECRET" in t for t in texts))
    """
    assert said(code).split() == ["None", "False"]


# Other runs


def test_cant_leave_anything_for_the_next_student():
    code = """
        import os, pathlib
        for place in ["/tmp", "/dev/shm", os.getcwd(), os.environ["HOME"]]:
            pathlib.Path(place, "left-for-later").write_text("hello")
    """
    jailed(code)
    found = """
        import os
        print([p for p in ["/tmp", "/dev/shm", os.getcwd(), os.environ["HOME"]] if "left-for-later" in os.listdir(p)])
    """
    assert said(found).strip() == "[]"


def test_cant_leave_a_process_for_the_next_student():
    token = f"mpcourse-lingering-{uuid.uuid4().hex}"
    code = f"""
        import os, subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{token}"], start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", "{token}"])
    """
    jailed(code)
    assert _command_lines_with(token) == []
    code = "import os\nfound = [open(f'/proc/{e}/cmdline', 'rb').read() for e in os.listdir('/proc') if e.isdigit()]"
    code += "\nprint(sum(b'mpcourse-' + b'lingering' in command for command in found))"
    assert said(code).strip() == "0"


def test_cant_see_other_sandboxes():
    with holding("open('/tmp/other-run', 'w').write('mine')"):
        code = """
            import os
            commands = [open(f"/proc/{e}/cmdline", "rb").read() for e in os.listdir("/proc") if e.isdigit()]
            print(sum(b"mpcourse-" + b"ready" in c for c in commands), os.path.exists("/tmp/other-run"))
        """
        assert said(code).split() == ["0", "False"]


def test_cant_share_sysv_ipc_with_another_run():
    key = 0x6D70_6300 + os.getpid() % 256
    make = f"{_LIBC}assert libc.shmget({key}, 4096, 0o1666) >= 0 and libc.msgget({key}, 0o1666) >= 0"
    with holding(make):
        code = f"{_LIBC}print(libc.shmget({key}, 0, 0o666), libc.msgget({key}, 0o666))"
        assert said(code).split() == ["-1", "-1"]


def test_cant_share_an_abstract_socket_with_another_run():
    name = f"mpcourse-{uuid.uuid4().hex}"
    listen = (
        f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind('\\0{name}')\ns.listen()\ns.set_inheritable(True)"
    )
    with holding(listen):
        code = f"""
            import socket
            try:
                socket.socket(socket.AF_UNIX).connect("\\0{name}")
                print("connected")
            except OSError as exc:
                print("refused")
        """
        assert said(code).strip() == "refused"


def test_cant_share_posix_shared_memory_with_another_run():
    name = f"mpcourse-{uuid.uuid4().hex[:16]}"
    make = f"open('/dev/shm/{name}', 'wb').write(bytes(4096))"
    with holding(make):
        code = f"""
            from multiprocessing import shared_memory
            try:
                shared_memory.SharedMemory("{name}")
                print("found")
            except FileNotFoundError:
                print("missing")
            print(__import__("os").listdir("/dev/shm"))
        """
        assert said(code).split("\n")[:2] == ["missing", "[]"]


def test_cant_use_keyring():
    assert errno_of("add_key") == "EPERM"
    assert errno_of("keyctl", 0, -3) == "EPERM"  # KEYCTL_GET_KEYRING_ID of the user keyring
    assert errno_of("request_key") == "EPERM"


# The machine and the grader


def test_cant_use_network():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    code = f"""
        import socket
        for address in [("127.0.0.1", {port}), ("1.1.1.1", 53)]:
            try:
                socket.create_connection(address, timeout=2)
                print("connected", address)
            except OSError:
                pass
        try:
            socket.getaddrinfo("example.com", 80)
            print("resolved")
        except OSError:
            pass
        print(sorted(name for _, name in socket.if_nameindex()))
    """
    try:
        assert said(code).strip() == "['lo']"
    finally:
        server.close()


def test_cant_reach_the_graders_abstract_sockets():
    name = f"mpcourse-grader-{uuid.uuid4().hex}"
    server = socket.socket(socket.AF_UNIX)
    server.bind("\0" + name)
    server.listen()
    try:
        code = f"import socket\ntry:\n    socket.socket(socket.AF_UNIX).connect('\\0{name}')\n    print('connected')\n"
        code += "except OSError:\n    print('refused')"
        assert said(code).strip() == "refused"
    finally:
        server.close()


def test_cant_use_vsock():
    code = "import socket\ntry:\n    socket.socket(40, socket.SOCK_STREAM)\n    print('made')\n"
    code += "except OSError as e:\n    print(e.errno)"
    assert said(code).strip() == "1"


def test_cant_use_io_uring():
    assert errno_of("io_uring_setup", 8, 0) == "ENOSYS"


def test_cant_type_into_a_terminal():
    for request in (seccomp.TIOCSTI, seccomp.TIOCLINUX):
        code = f"{_LIBC}c = ctypes.c_char(b'x')\nr = libc.ioctl(0, {request}, ctypes.byref(c))\n"
        code += "print(errno.errorcode[ctypes.get_errno()] if r else 'ok')"
        assert said(code).strip() == "EPERM"


def test_cant_mount_or_enter_namespaces():
    assert errno_of("mount") == "EPERM"
    assert errno_of("umount2") == "EPERM"
    assert errno_of("pivot_root") == "EPERM"
    assert errno_of("unshare", 0x10000000) == "EPERM"  # CLONE_NEWUSER
    assert errno_of("setns", 0, 0) == "EPERM"


def test_cant_fork_into_new_namespaces():
    code = f"{_LIBC}r = libc.syscall({seccomp.NUMBERS[os.uname().machine]['clone']}, 0x10000000 | 17, 0, 0, 0, 0)\n"
    code += "print(errno.errorcode[ctypes.get_errno()] if r == -1 else 'cloned')\nif r == 0: os._exit(0)"
    assert said(code).strip() == "EPERM"


def test_cant_ptrace_anything():
    code = _LIBC + textwrap.dedent("""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        for target in (child.pid, os.getppid(), 1):
            print(libc.ptrace(0x4206, target, 0, 0), errno.errorcode[ctypes.get_errno()])  # PTRACE_SEIZE
        print(libc.ptrace(0, 0, 0, 0), errno.errorcode[ctypes.get_errno()])  # PTRACE_TRACEME
        child.kill()
    """)
    assert set(said(code).splitlines()) == {"-1 EPERM"}


def _judge_job(cell: str, kill_after: float = 20) -> dict:
    """A judge job that runs ``cell`` (which sets ``predicted_child_results``) and probes what it set."""
    return {
        "cells": [{"source": cell, "tags": [], "id": "cell"}],
        "names": ["predicted_child_results"],
        "probe": "mpcourse.grading.judge.probes:counter_prediction",
        "kill_after": kill_after,
    }


def test_cant_ptrace_the_tracer():
    """A judge job: the tracer may trace, the learner's code may not (it cannot trace the tracer, its parent)."""
    attach = "[libc.ptrace(0x4206, os.getppid(), 0, 0), errno.errorcode[ctypes.get_errno()]]"  # PTRACE_SEIZE
    cell = f"{_LIBC}predicted_child_results = {attach}"
    observed = run_job(_judge_job(cell), RunSettings(LIMITS, sandbox="bwrap"))
    assert observed.result["children"] == [-1, "EPERM"], observed
    assert not observed.untraced


def test_cant_read_or_write_other_processes_memory():
    assert errno_of("process_vm_readv", 1, 0, 0, 0, 0) == "EPERM"
    assert errno_of("process_vm_writev", 1, 0, 0, 0, 0) == "EPERM"
    assert errno_of("pidfd_getfd", 0, 0, 0) == "EPERM"


def test_cant_load_code_into_the_kernel():
    for call in ("bpf", "init_module", "finit_module", "kexec_load", "perf_event_open", "userfaultfd"):
        assert errno_of(call) == "EPERM", call


def test_cant_open_files_by_handle():
    assert errno_of("open_by_handle_at") == "EPERM"


def test_cant_run_as_root_or_gain_privileges():
    code = """
        import os
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(os.getuid() != 0, int(status["CapEff"], 16), status["NoNewPrivs"].strip(), status["Seccomp"].strip())
    """
    assert said(code).split() == ["True", "0", "1", "2"]


def test_cant_signal_the_grader():
    canary = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        code = f"""
            import os, signal
            for pid in ({os.getpid()}, {canary.pid}):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            os.kill(-1, signal.SIGKILL)
        """
        jailed(code)
        assert canary.poll() is None
    finally:
        canary.kill()
        canary.wait()


def test_cant_outlive_its_run():
    token = f"mpcourse-outlive-{uuid.uuid4().hex}"
    code = f"""
        import os, signal, subprocess, sys
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for _ in range(3):
            stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
            subprocess.Popen([sys.executable, "-c", stubborn, "{token}"], start_new_session=True)
    """
    finished = jailed(code)
    assert _command_lines_with(token) == []
    assert finished.killed >= 0


def test_cant_run_past_its_timeout():
    finished = jailed("while True: pass", Limits(timeout=3))
    assert finished.ending == "timeout"
    assert finished.seconds < 3 + 10


def test_cant_fork_bomb():
    code = """
        import os, time
        made = 0
        try:
            for _ in range(500):
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
                made += 1
        except OSError:
            pass
        print(made)
    """
    made = int(said(code, Limits(timeout=30, processes=16)).strip())
    assert made <= 16


def test_cant_exceed_memory_limit():
    code = "try:\n    block = bytearray(600 * 2**20)\n    print('allocated')\nexcept MemoryError:\n    print('refused')"
    finished = jailed(code, Limits(timeout=30, memory_mb=256))
    assert b"allocated" not in finished.log


def test_cant_flood_the_grader_with_output():
    finished = jailed("import sys\nfor _ in range(10000): sys.stdout.write('x' * 10000)")
    assert len(finished.log) <= 20000 and finished.ending == "exited"


def test_cant_forge_the_judges_report():
    counts = {"processes": 99, "threads": 99, "helpers": 0, "left": 0, "exit": 0}
    forged = json.dumps({"trace": counts, "output": json.dumps({"result": 99})})
    cell = f"""import os, glob
line = ({forged!r} + "\\n").encode()
for fd in range(3, 256):
    try:
        os.write(fd, line)
    except OSError:
        pass
for path in glob.glob("/proc/*/fd/*"):
    try:
        with open(path, "wb") as stream:
            stream.write(line)
    except OSError:
        pass
"""
    observed = run_job(_judge_job(cell + "\npredicted_child_results = 1"), RunSettings(LIMITS, sandbox="bwrap"))
    assert observed.result == {"children": 1, "parent": None} and observed.processes != 99, observed


# The grader's side


def test_cant_outlast_ctrl_c_even_as_a_judge_job():
    """stop_all_runs (what Ctrl-C calls) stops judge jobs in flight, not only nbval runs."""
    job = _judge_job("import time\ntime.sleep(60)\npredicted_child_results = 1", kill_after=60)
    results = []
    before = live_runs()
    worker = threading.Thread(target=lambda: results.append(run_job(job, RunSettings(Limits(timeout=90), "bwrap"))))
    started = time.monotonic()
    worker.start()
    while live_runs() == before and worker.is_alive():
        time.sleep(0.05)
    time.sleep(1)
    stop_all_runs()
    worker.join(20)
    assert not worker.is_alive()
    assert time.monotonic() - started < 30
    assert results[0].problem == "interrupted"


def test_cant_leave_stale_runs_when_the_grader_is_killed(tmp_path):
    """A grader killed mid-run (with another TMPDIR than the next one) leaves folders and groups the next removes."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = textwrap.dedent("""
        import os, signal, sys, time
        from mpcourse.grading.sandbox import Sandbox, PYTHON
        from mpcourse.grading.limits import Limits
        boxes = [Sandbox("none", Limits(timeout=60)), Sandbox("bwrap", Limits(timeout=60))]
        for box in boxes:
            box.popen([PYTHON, "-c", "import time; time.sleep(60)"])
        print(boxes[0].root, *(boxes[1]._group.directories.values() if boxes[1]._group else ()), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, "TMPDIR": str(elsewhere)}, capture_output=True, text=True
    )
    left = [Path(path) for path in done.stdout.split()]
    assert left and all(path.exists() for path in left), done.stderr
    assert Path(tempfile.gettempdir()) != elsewhere
    time.sleep(0.5)
    runfolders.clean_stale_runs()
    assert [path for path in left if path.exists()] == []
    assert is_root() or len(left) == 1  # as root the bwrap run had control groups
