"""Hostile submissions: one student per thing a graded cell once could do to the teacher's machine.

Each answer attacks, then sets ``answer`` to a short report of what it
managed; the check's hint (``you gave '...'``) carries the report into the
student's feedback, where the tests read it.  Everything an attack aims at
(paths, the listener's port, a secret) comes from :class:`Targets`, so each
test session attacks only what it made.  Names come from issue 10.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy

from . import SOLUTIONS, solved

__all__ = ["HOSTILE", "Targets", "make_hostile_class"]


@dataclass(frozen=True)
class Targets:
    """What the attacks aim at: the teacher's folders and files, a listener, a secret, a unique token."""

    masters: Path
    submissions: Path
    gradebook: Path
    feedback: Path
    outside: Path
    port: int
    abstract_socket: str
    secret: str
    token: str


_TAMPER = """\
import mpcourse, pathlib
package = pathlib.Path(mpcourse.__file__).parent
done = []
for target in [package / "checks" / "__init__.py", package / "__init__.py",
               pathlib.Path({masters!r}) / "01_basics.ipynb", package.parent / "notebooks" / "01_planted.ipynb"]:
    try:
        target.write_text("def report(*args, **kwargs):\\n    print('PASS: everything')\\n    return True\\n")
        done.append(target.name)
    except OSError:
        pass
answer = "wrote:" + ",".join(done)
"""

_SNOOP = """\
import os, pathlib, mpcourse
seen = [p for p in ({submissions!r}, {masters!r}, {gradebook!r}, {feedback!r}, {outside!r},
                    str(pathlib.Path(mpcourse.__file__).parent.parent / "notebooks")) if os.path.exists(p)]
package = pathlib.Path(mpcourse.__file__).parent
seen += [name for name in ("_course", "solutions") if (package / name).is_dir() and os.listdir(package / name)]
seen += ["env:" + key for key, value in os.environ.items() if {secret!r} in value]
for entry in os.listdir("/proc"):
    try:
        if entry.isdigit() and {secret!r}.encode() in open(f"/proc/{{entry}}/environ", "rb").read():
            seen.append("proc-environ")
    except OSError:
        pass
try:
    pathlib.Path({feedback!r}, "alice.md").write_text("you cheated")
    seen.append("wrote-feedback")
except OSError:
    pass
answer = "seen:" + ",".join(seen)
"""

_LINGER = """\
import subprocess, sys
later = '''
import os, time
time.sleep(4)
for path in ({gradebook!r}, {outside!r} + "/lingered.txt"):
    try:
        open(path, "w").write("student,status\\\\nlinda,ok\\\\n")
    except OSError:
        pass
'''
if __import__("os").fork() == 0:  # a grandchild in a session of its own, with an empty environment
    subprocess.Popen([sys.executable, "-c", later, {token!r}], start_new_session=True, env={{}})
    __import__("os")._exit(0)
answer = "started"
"""

_KILL = """\
import os, signal
sent = 0
for entry in os.listdir("/proc"):
    try:
        cmdline = open(f"/proc/{{entry}}/cmdline", "rb").read().replace(b"\\0", b" ")
    except OSError:
        continue
    if b"mpcourse grade" in cmdline:
        try:
            os.kill(int(entry), signal.SIGTERM)
            sent += 1
        except OSError:
            pass
answer = f"signalled:{{sent}}"
"""

_DISK = """\
import os
written, chunk = 0, b"x" * 2**20
for path in ({outside!r} + "/filled.bin", "filled.bin"):
    try:
        with open(path, "wb") as stream:
            while written < 5 * 2**30:
                stream.write(chunk)
                written += len(chunk)
    except OSError:
        pass
answer = f"MB:{{written // 2**20}}"
"""

_MEMORY = """\
import subprocess, sys
hold = "import sys, time; block = b'x' * int(sys.argv[1]); print('held', flush=True); time.sleep(4)"
children = [subprocess.Popen([sys.executable, "-c", hold, str(size)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            for size in [256 * 2**20] * 8 + [2**30]]
held = [child.stdout.readline() == b"held\\n" for child in children]
for child in children:
    child.kill()
    child.wait()
answer = f"held:{{sum(held[:8])}} big:{{int(held[8])}}"
"""

_FORK = """\
import os, time
started = 0
try:
    while started < 2000:
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
        started += 1
except OSError:
    pass
answer = f"forked:{{started}}"
"""

_NETWORK = """\
import socket
reached = []
for family, address in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_UNIX, "\\0" + {abstract_socket!r})):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as connection:
            connection.settimeout(3)
            connection.connect(address)
            connection.sendall(b"hello")
            reached.append(str(family))
    except OSError:
        pass
answer = "reached:" + ",".join(reached)
"""

_FORGE = """\
import glob, json, os, subprocess, sys
forge = '''
import glob, json, os, time
line = json.dumps({{"cell": 2, "passed": True, "output": "PASS: the answer is 42", "reason": ""}}) + "\\\\n"
mine = {{str(os.getpid()), str(os.getppid())}}
for _ in range(30):
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        if fd.split("/")[2] in mine:
            continue
        try:
            if os.readlink(fd).startswith("pipe:"):
                with open(fd, "w") as stream:
                    stream.write(line)
                print("forged", flush=True)
        except OSError:
            pass
    time.sleep(0.1)
'''
forger = subprocess.Popen([sys.executable, "-c", forge], stdout=subprocess.PIPE)
answer = "forger started"
"""

#: Student name -> (attack, what the feedback's hint must show).
HOSTILE = {
    "tamper-tess": (_TAMPER, "you gave 'wrote:'"),
    "snoop-sam": (_SNOOP, "you gave 'seen:'"),
    "linger-linda": (_LINGER, "you gave 'started'"),
    "kill-kim": (_KILL, "you gave 'signalled:0'"),
    "disk-dora": (_DISK, "you gave 'MB:"),
    "memory-max": (_MEMORY, "you gave 'held:"),
    "fork-fred": (_FORK, "you gave 'forked:"),
    "net-nina": (_NETWORK, "you gave 'reached:'"),
    "forge-felix": (_FORGE, "you gave 'forger started'"),
}


def make_hostile_class(targets: Targets) -> list[str]:
    """Write the hostile students, a wrong-answer victim, and entries the grader must not read; return the names.

    Only ``01_basics`` is submitted (``02_processes`` is missing), so each attack costs one run.
    """
    basics = student_copy(load_master(targets.masters / "01_basics.ipynb"))
    folder = targets.submissions
    folder.mkdir(parents=True, exist_ok=True)
    fields = {name: getattr(targets, name) for name in Targets.__dataclass_fields__}
    fields.update(masters=str(targets.masters), submissions=str(targets.submissions), gradebook=str(targets.gradebook),
                  feedback=str(targets.feedback), outside=str(targets.outside))  # fmt: skip

    def write(name: str, notebook: nbformat.NotebookNode) -> None:
        (folder / name).mkdir()
        nbformat.write(notebook, folder / name / "01_basics.ipynb")

    for name, (attack, _) in HOSTILE.items():
        write(name, solved(basics, {"answer-one": attack.format(**fields)}))
    write("victor", solved(basics, {"answer-one": "answer = 41"}))  # graded after the tampering: must still fail
    write("alice", solved(basics, SOLUTIONS))
    write("=2+5", basics)  # a name a spreadsheet would run as a formula
    write(".hidden-harry", solved(basics, SOLUTIONS))  # hidden: listed as not graded
    (folder / "fifo-fiona").mkdir()
    os.mkfifo(folder / "fifo-fiona" / "01_basics.ipynb")  # reading it would hang
    (folder / "zero-zed").mkdir()
    (folder / "zero-zed" / "01_basics.ipynb").symlink_to("/dev/zero")  # reading it would never end
    names = []
    if os.geteuid() == 0:  # a real device node named like a notebook (only root may make one)
        (folder / "dev-devon").mkdir()
        os.mknod(folder / "dev-devon" / "01_basics.ipynb", 0o644 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
        names.append("dev-devon")
    os.mkfifo(folder / "pipe.zip")
    (folder / "notes.txt").write_text("not a submission")
    return sorted([*HOSTILE, *names, "victor", "alice", "=2+5", "fifo-fiona", "zero-zed"])
