"""The tracer's pipes: feeding the command its input, collecting its output, and a run nothing could trace.

Standard library only; imported by :mod:`._trace` (run by path inside the sandbox).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

__all__ = ["Collector", "feed", "untraced"]


class Collector(threading.Thread):
    """Reads the command's output (``cap`` bytes kept); calls ``on_marker`` once, when ``marker`` first shows."""

    def __init__(
        self, descriptor: int, cap: int, marker: bytes = b"", on_marker: Callable[[], None] | None = None
    ) -> None:
        super().__init__(daemon=True)
        self.descriptor, self.cap, self.data = descriptor, cap, bytearray()
        self.marker, self.on_marker = marker, on_marker
        self.marked = threading.Event()

    def run(self) -> None:
        while chunk := os.read(self.descriptor, 65536):
            if len(self.data) < self.cap:
                self.data += chunk[: self.cap - len(self.data)]
            if self.marker and not self.marked.is_set() and self.marker in self.data:
                if self.on_marker is not None:
                    self.on_marker()
                self.marked.set()
        os.close(self.descriptor)


def feed(descriptor: int, data: bytes, answer: tuple[threading.Event, bytes] | None = None) -> None:
    """Write ``data``; with ``answer`` (event, bytes), keep the pipe open until the event is set, then write those."""
    try:
        while data:
            data = data[os.write(descriptor, data) :]
        if answer is not None:
            event, data = answer
            event.wait()
            while data:
                data = data[os.write(descriptor, data) :]
    except OSError:
        pass
    finally:
        os.close(descriptor)


def untraced(main: int, go_write: int, in_write: int, data: bytes, collector: Collector, why: str) -> dict:
    """Run the command without tracing (ptrace refused or missing): its output, and why nothing was counted."""
    os.write(go_write, b"x")
    os.close(go_write)
    threading.Thread(target=feed, args=(in_write, data), daemon=True).start()
    os.waitpid(main, 0)
    collector.join(5)
    return {"untraced": why, "output": bytes(collector.data).decode("utf-8", errors="replace")}
