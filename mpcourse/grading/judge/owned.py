"""Resources the judge's tracer owns and reads back itself: a shared-memory block, and a server that counts overlap.

Created by :mod:`._trace` (outside the learner's processes) before the learner's
code runs, and read back after every learner process is dead, so what they show is
evidence, not testimony:

- :class:`Block`: a POSIX shared-memory block (``/dev/shm/NAME``) the learner's
  workers attach to by name; its bytes, and whether the learner unlinked it, are
  read by the tracer through its own descriptor.
- :class:`CountingServer`: a local TCP server; each request (``ask(seconds)``) waits
  that long and answers a token drawn at grading time that only the tracer holds.
  It records how many requests were in flight at once.

Standard library only.
"""

from __future__ import annotations

import os
import secrets
import socket
import socketserver
import threading
import time

__all__ = ["PORT_ENV", "Block", "CountingServer", "ask"]

#: The environment variable that tells :func:`ask` (in the learner's processes) the server's port.
PORT_ENV = "MPCOURSE_JUDGE_PORT"
_SHM = "/dev/shm"


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

    def read_back(self) -> dict:
        """What the block holds now (hex) and whether it had its name at :meth:`note` (or now); then remove it."""
        there = os.path.exists(self.path) if self.there is None else self.there
        data = os.pread(self.descriptor, self.size, 0)
        os.close(self.descriptor)
        if os.path.exists(self.path):
            os.unlink(self.path)
        return {"there": there, "hex": data.hex()}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: CountingServer = self.server  # type: ignore[assignment]
        try:
            seconds = float(self.rfile.readline(64).decode().strip())
        except ValueError:
            return
        with server.lock:
            server.active += 1
            server.most = max(server.most, server.active)
            server.requests += 1
        try:
            time.sleep(min(max(seconds, 0.0), 5.0))
            self.wfile.write((server.tokens.get(f"{seconds:.3f}", "unknown") + "\n").encode())
        finally:
            with server.lock:
                server.active -= 1


class CountingServer(socketserver.ThreadingTCPServer):
    """Answers each delay with its token after waiting it; counts the requests in flight at once."""

    daemon_threads = True

    def __init__(self, tokens: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tokens = tokens
        self.lock = threading.Lock()
        self.active = self.most = self.requests = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def read_back(self) -> dict:
        """How many requests came, and the most that were in flight at once; then stop."""
        self.shutdown()
        self.server_close()
        return {"requests": self.requests, "overlap": self.most}


def ask(seconds: float) -> str:
    """Ask the judge's server to wait ``seconds``; return the token it answers (runs in the learner's process)."""
    with socket.create_connection(("127.0.0.1", int(os.environ[PORT_ENV])), timeout=30) as connection:
        connection.sendall(f"{seconds:.3f}\n".encode())
        return connection.makefile().readline().strip()
