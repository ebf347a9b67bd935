"""Resources the judge's tracer owns and reads back itself: a shared-memory block, and a server that counts overlap.

Created by :mod:`._trace` (outside the learner's processes) before the learner's
code runs, and read back after every learner process is dead, so what they show is
evidence, not testimony:

- :class:`Block`: a POSIX shared-memory block (``/dev/shm/NAME``) the learner's
  workers attach to by name; its bytes, and whether the learner unlinked it, are
  read by the tracer through its own descriptor.
- :class:`CountingServer`: a local server; each request (``ask(seconds)``) waits that
  long and answers a token drawn at grading time that only the tracer holds.  It
  records how many requests were in flight at once, and which processes sent them.
  A named request (``ask_for(key)``) is answered at once with the key's token (a row
  of data drawn at grading time, say), and who asked for which key is recorded: the
  tracer says afterwards whether each asker was the learner's main process, one of the
  judge's cluster, or another.

Standard library only.
"""

from __future__ import annotations

import os
import secrets
import socket
import socketserver
import struct
import threading
import time

__all__ = ["ADDRESS_ENV", "Block", "CountingServer", "ask", "ask_for", "take"]

#: The environment variable that tells :func:`ask` (in the learner's processes) the server's address.
ADDRESS_ENV = "MPCOURSE_JUDGE_SERVER"
_SHM = "/dev/shm"
_MAX_KEY = 64
_MAX_ASKED = 10_000
_UCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", 2)


class Block:
    """A shared-memory block of ``size`` zero bytes, created here; the learner's code attaches by :attr:`name`."""

    def __init__(self, size: int) -> None:
        self.name = "mpcourse-judge-" + secrets.token_hex(8)
        self.path = os.path.join(_SHM, self.name)
        self.descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.ftruncate(self.descriptor, size)
        self.size = size
        self.there: bool | None = None

    def note(self) -> None:
        """Note whether the block still has its name (as the learner's main process ends, before helpers tidy up)."""
        self.there = os.path.exists(self.path)

    def read_back(self, main: int | None = None, cluster: frozenset[int] = frozenset()) -> dict:
        """What the block holds now (hex) and whether it had its name at :meth:`note` (or now); then remove it."""
        there = os.path.exists(self.path) if self.there is None else self.there
        data = os.pread(self.descriptor, self.size, 0)
        os.close(self.descriptor)
        if os.path.exists(self.path):
            os.unlink(self.path)
        return {"there": there, "hex": data.hex()}


def _read_request(connection: socket.socket) -> tuple[str, int | None]:
    """One request line (at most ``_MAX_KEY`` bytes) and the process that wrote it (``None``: several did).

    The kernel names the writer of every piece of data (``SCM_CREDENTIALS``, with
    ``SO_PASSCRED`` on the listening socket), not the process that connected
    (``SO_PEERCRED``): a socket connected by one process and handed to another
    (``SCM_RIGHTS``) names the process that really sent the request.
    """
    data, writers = b"", set()
    while len(data) < _MAX_KEY and b"\n" not in data:
        chunk, ancillary, _, _ = connection.recvmsg(_MAX_KEY - len(data), socket.CMSG_SPACE(_UCRED.size))
        if not chunk:
            break
        data += chunk
        sent_by = [_UCRED.unpack(item[: _UCRED.size])[0] for level, kind, item in ancillary if kind == _CREDENTIALS]
        writers.update(sent_by or [None])
    line = data.split(b"\n", 1)[0].decode(errors="replace").strip()
    return line, writers.pop() if len(writers) == 1 else None


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: CountingServer = self.server  # type: ignore[assignment]
        request, pid = _read_request(self.request)
        if pid is None:  # written by several processes, or by none the kernel could name: not counted, not answered
            return
        if request.startswith("?"):
            with server.lock:
                if len(server.asked) < _MAX_ASKED:
                    server.asked.append((pid, request[1:]))
            self.wfile.write((server.tokens.get(request, "unknown") + "\n").encode())
            return
        try:
            seconds = float(request)
        except ValueError:
            return
        with server.lock:
            server.active += 1
            server.most = max(server.most, server.active)
            server.pids.append(pid)
        try:
            time.sleep(min(max(seconds, 0.0), 5.0))
            self.wfile.write((server.tokens.get(f"{seconds:.3f}", "unknown") + "\n").encode())
        finally:
            with server.lock:
                server.active -= 1


class CountingServer(socketserver.ThreadingUnixStreamServer):
    """Answers each delay with its token after waiting it; counts the requests in flight at once, and who asked.

    ``tokens`` maps a delay (``"0.300"``) or a key (``"?row:3"``) to its answer.

    It listens on an abstract Unix socket (of the run's own network namespace), so the
    kernel tells it the process id of the process that wrote every request
    (``SCM_CREDENTIALS``), which no learner code can forge: not by handing a connected
    socket to another process, nor by writing one request from two.
    """

    daemon_threads = True

    def __init__(self, tokens: dict[str, str]) -> None:
        self.address = "\0mpcourse-judge-" + secrets.token_hex(8)
        super().__init__(self.address, _Handler)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # inherited by every accepted connection
        self.tokens = tokens
        self.lock = threading.Lock()
        self.active = self.most = 0
        self.pids: list[int] = []
        self.asked: list[tuple[int, str]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def read_back(self, main: int | None = None, cluster: frozenset[int] = frozenset()) -> dict:
        """How many requests came, the most in flight at once, and from how many processes other than ``main``;
        with named requests, ``asked``: for each key, how many came from ``main``, the ``cluster``'s processes
        and others."""
        self.shutdown()
        self.server_close()
        others = {pid for pid in self.pids if pid != main}
        report: dict = {
            "requests": len(self.pids),
            "overlap": self.most,
            "from_main": sum(1 for pid in self.pids if pid == main),
            "processes": len(others),
        }
        if self.asked:
            asked: dict[str, dict[str, int]] = {}
            for pid, key in self.asked:
                where = "main" if pid == main else "cluster" if pid in cluster else "other"
                counts = asked.setdefault(key, {"main": 0, "cluster": 0, "other": 0})
                counts[where] += 1
            report["asked"] = dict(list(asked.items())[:1000])
        return report


def _request(line: str) -> str:
    """Send ``line`` to the judge's server; return its answer (runs in the learner's processes)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(30)
        connection.connect(os.environ[ADDRESS_ENV].replace("@", "\0", 1))
        connection.sendall(f"{line}\n".encode())
        return connection.makefile().readline().strip()


def ask(seconds: float) -> str:
    """Ask the judge's server to wait ``seconds``; return the token it answers."""
    return _request(f"{seconds:.3f}")


def ask_for(key: str) -> str:
    """Ask the judge's server for ``key``'s token, answered at once; the server notes which process asked."""
    return _request(f"?{key}")


def take(job: dict) -> dict:
    """Create the resources ``job`` asks the tracer to own, and take them out of it: the run learns only their names."""
    owned: dict = {}
    if "block" in job:
        owned["block"] = Block(int(job.pop("block")))
        job.setdefault("args", {})["block"] = owned["block"].name
    if "server" in job:
        owned["server"] = CountingServer(dict(job.pop("server")))  # the tokens stay here
        os.environ[ADDRESS_ENV] = owned["server"].address.replace("\0", "@", 1)
    return owned
