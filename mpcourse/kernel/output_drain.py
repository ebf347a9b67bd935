"""Keep a child's output in the cell that ran it, before the parent's next line.

ipykernel captures what child processes write to file descriptors 1 and 2
through a pipe that a background thread reads.  ``join()`` returns as soon as
the child exits, possibly before that thread has forwarded the child's lines,
so the parent's next ``print`` can come first, tear a line in two (with
``PYTHONUNBUFFERED`` a child writes a line and its newline separately), or the
lines show up under the next cell.  Measured in 40-cell runs of
start/join/print: 8-15 cells of 40 wrong under forkserver without this module, 0 with it.

Waiting must not happen inside ``join()``: a learner timing start and join
would measure mpcourse, not multiprocessing (it did: 31.5 ms against 8.5 ms).
In a kernel's own process only, ``Process.join`` therefore just notes that a
child has ended (its output is all in the pipe by then), and the wait happens
lazily: right before the kernel next sends something into the cell (a write to
its stdout or stderr, a result, a display, a traceback), and at the end of the
cell.  A timing loop of start and join is not slowed.

The wait itself is exact, not a guess: a NUL byte is written into each pipe
after the children's output, and the wait ends when the pipe's reader thread
hands it to the stream (which drops it), so everything before it has arrived.
Output of forked children, which travels over a zmq socket instead, is taken
in by the IOPub thread before the parent's next output.

All of this reads ipykernel's ``OutStream`` internals (its pipe, its reader
thread, its IOPub thread) and IPython's shell hooks.  :func:`missing_features`
names those this kernel lacks; :func:`install` then warns once and falls back
to what still works (a drain at the end of each cell, or nothing), so a newer
ipykernel degrades the ordering of child output, never a cell.  The supported
range is bounded in ``pyproject.toml`` and tested in ``tests/kernel``.
"""

from __future__ import annotations

import multiprocessing.process
import os
import select
import sys
import threading
import time
import warnings
from typing import Any

__all__ = ["drain_captured_output", "drain_if_pending", "install", "missing_features", "output_pending"]

#: What the drain uses of an fd-capturing ``OutStream`` (ipykernel 6.25 to 7.x have them all).
STREAM_FEATURES = ("_fid", "_original_stdstream_fd", "watch_fd_thread", "pub_thread")
#: What it uses of the IPython shell: the end of a cell, and what else writes into a cell.
SHELL_FEATURES = ("events", "displayhook", "display_pub", "_showtraceback")

_SETTLE = 0.01  # fallback: one more look after the pipe seems empty, the reader may be mid-write
_LIMIT = 2.0  # never hold a cell longer than this

_MARK = "\x00"  # sent through a pipe after the children's output; invisible if echoed to a terminal
_drain_lock = threading.Lock()
_pending = threading.Event()  # a child ended since the last drain: its output may still be in a pipe


def _captured_streams() -> list[Any]:
    """ipykernel's OutStreams that capture file descriptors (none outside such a kernel)."""
    return [s for s in (sys.stdout, sys.stderr) if isinstance(getattr(s, "_fid", None), int)]


def _pipe_has_data(fd: int) -> bool:
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


def _on_watcher_thread(streams: list[Any]) -> bool:
    """True on a thread that forwards a pipe: it must never wait for that pipe."""
    current = threading.current_thread()
    return any(getattr(s, "watch_fd_thread", None) is current for s in streams)


def _wait_for_mark(stream: Any, timeout: float) -> bool:
    """Send a NUL through the stream's pipe and wait until its reader has forwarded it.

    The pipe is first in, first out, so everything written before the NUL has
    then reached the stream.  Returns False when this cannot be done here.
    """
    seen = getattr(stream, "_mpcourse_mark_seen", None)
    watcher = getattr(stream, "watch_fd_thread", None)
    fd = getattr(stream, "_original_stdstream_fd", None)  # the writing end of the pipe ipykernel reads
    if seen is None or watcher is None or not watcher.is_alive() or not isinstance(fd, int):
        return False
    seen.clear()
    os.write(fd, _MARK.encode())
    return seen.wait(timeout)


def _wait_until_quiet(fd: int, deadline: float) -> None:
    """Fallback: wait until the pipe has stayed empty for a moment."""
    while time.monotonic() < deadline:
        if _pipe_has_data(fd):
            time.sleep(_SETTLE)
            continue
        time.sleep(_SETTLE)
        if not _pipe_has_data(fd):
            return


def _forward_forked_output(stream: Any) -> None:
    """Have the IOPub thread take in what forked children sent it, before the parent's next output.

    A forked child's ``print`` goes through its copy of the kernel's stream and
    a zmq socket, not through the pipe.
    """
    pub_thread = getattr(stream, "pub_thread", None)
    pipe_in = getattr(pub_thread, "_pipe_in", None)
    if pipe_in is not None:
        pub_thread.schedule(pipe_in.flush)  # runs before the flush that ``stream.flush()`` schedules


def drain_captured_output(limit: float = _LIMIT) -> None:
    """Wait (at most ``limit`` s) until ipykernel has forwarded what children wrote, then flush."""
    streams = _captured_streams()
    if not streams or _on_watcher_thread(streams):
        return  # not ipykernel, or no fd capture (Windows, or a kernel started by pytest)
    deadline = time.monotonic() + limit
    with _drain_lock:
        for stream in streams:
            if not _wait_for_mark(stream, max(0.0, deadline - time.monotonic())):
                _wait_until_quiet(stream._fid, deadline)
        _forward_forked_output(streams[0])
        for stream in streams:
            stream.flush()


def output_pending() -> bool:
    """True when a child has ended since the last drain, so its output may not have arrived yet."""
    return _pending.is_set()


def drain_if_pending() -> None:
    """Drain the pipes once if a child has ended since the last drain (otherwise free)."""
    if not _pending.is_set() or _on_watcher_thread(_captured_streams()):
        return
    _pending.clear()  # before draining: the watcher's own writes during the drain must not recurse
    drain_captured_output()


def _noting_join(original: Any, kernel_pid: int) -> Any:
    def join(self: multiprocessing.process.BaseProcess, timeout: float | None = None) -> None:
        original(self, timeout)
        if self.exitcode is not None and os.getpid() == kernel_pid:
            _pending.set()

    join.__doc__ = original.__doc__
    join._mpcourse_original = original  # type: ignore[attr-defined]
    return join


def _drain_first(owner: Any, name: str, kernel_pid: int) -> None:
    """Make ``owner.name(...)`` drain pending child output first (on this instance only)."""
    original = getattr(owner, name, None)  # a bound method
    if original is None or hasattr(original, "_mpcourse_original"):
        return

    def call(*args: Any, **kwargs: Any) -> Any:
        if _pending.is_set() and os.getpid() == kernel_pid:
            drain_if_pending()
        return original(*args, **kwargs)

    call._mpcourse_original = original  # type: ignore[attr-defined]
    setattr(owner, name, call)


class _MarkingWrite:
    """``OutStream.write`` that drains pending child output first, and reports our NUL mark.

    On the pipe reader's thread a write holding the mark is passed on without it,
    and then the stream's mark counts as seen.  Anywhere else in the kernel, a
    write drains first if a child has ended since the last drain.

    A data descriptor on the class, because IPython replaces an instance's ``write``
    during each cell (to keep output in its history) and puts the one it found
    back afterwards: those assignments land here, and the latest one is what a
    write calls after this wrapper's work.
    """

    def __init__(self, original: Any, kernel_pid: int) -> None:
        self.original = original
        self.kernel_pid = kernel_pid
        self.__doc__ = original.__doc__

    def __get__(self, stream: Any, owner: type | None = None) -> Any:
        if stream is None:
            return self.original  # OutStream.write(stream, text) still works
        inner = stream.__dict__.get("_mpcourse_write") or self.original.__get__(stream, owner)

        def write(string: str, *args: Any, **kwargs: Any) -> int | None:
            seen = stream.__dict__.get("_mpcourse_mark_seen")
            if seen is not None and _MARK in string and threading.current_thread() is stream.watch_fd_thread:
                text = string.replace(_MARK, "")
                written = inner(text, *args, **kwargs) if text else 0
                seen.set()  # after the text before the mark has reached the stream
                return written
            if _pending.is_set() and os.getpid() == self.kernel_pid:
                drain_if_pending()
            return inner(string, *args, **kwargs)

        write._mpcourse_inner = inner  # type: ignore[attr-defined]
        return write

    def __set__(self, stream: Any, value: Any) -> None:
        stream.__dict__["_mpcourse_write"] = getattr(value, "_mpcourse_inner", value)

    def __delete__(self, stream: Any) -> None:
        stream.__dict__.pop("_mpcourse_write", None)


def _end_of_cell() -> None:
    _pending.clear()
    drain_captured_output()


def missing_features(shell: Any, streams: list[Any]) -> list[str]:
    """The ipykernel and IPython features the drain needs that this kernel lacks (``[]``: all there)."""
    missing = [f"shell.{name}" for name in SHELL_FEATURES if not hasattr(shell, name)]
    for stream in streams:
        missing += [f"OutStream.{name}" for name in STREAM_FEATURES if not hasattr(stream, name)]
        if not callable(getattr(type(stream), "write", None)):
            missing.append("OutStream.write")
    return sorted(set(missing))


def _warn_once(shell: Any, missing: list[str]) -> None:
    """One warning per kernel: which features are missing, and what the learner will see."""
    if getattr(shell, "_mpcourse_drain_warned", False):
        return
    try:
        shell._mpcourse_drain_warned = True
    except AttributeError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = f"ipykernel {version('ipykernel')}"
    except PackageNotFoundError:
        found = "this kernel"
    warnings.warn(
        f"mpcourse: {found} lacks {', '.join(missing)}, so a child process's output may show up after the "
        "parent's next line or under the next cell. The course is tested with ipykernel 6.25 to 7.x: "
        "pip install 'ipykernel>=6.25,<8' keeps it in order.",
        RuntimeWarning,
        stacklevel=3,
    )


def install() -> None:
    """In a Jupyter kernel: drain before the kernel's next write after a ``join``, and after each cell.

    Does nothing outside a kernel, and only once per kernel.  A kernel without the
    features the drain needs (:func:`missing_features`) gets one warning and, if it
    still has cell events, a drain at the end of each cell only.
    """
    shell: Any = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None or getattr(shell, "_mpcourse_drain", False):
        return
    streams = _captured_streams()
    missing = missing_features(shell, streams)
    if missing:
        _warn_once(shell, missing)
        if "shell.events" not in missing:  # the end-of-cell drain reads no private attribute it lacks
            shell.events.register("post_execute", _end_of_cell)
            shell._mpcourse_drain = True
        return
    kernel_pid = os.getpid()
    shell.events.register("post_execute", _end_of_cell)
    shell._mpcourse_drain = True
    for stream in streams:
        stream_class = type(stream)
        if not isinstance(stream_class.__dict__.get("write"), _MarkingWrite):
            stream_class.write = _MarkingWrite(stream_class.write, kernel_pid)
        replaced = stream.__dict__.pop("write", None)  # IPython's, for the cell running now
        if replaced is not None:
            stream._mpcourse_write = replaced
        stream._mpcourse_mark_seen = threading.Event()
    # what else the kernel sends into the cell: a result (Out[n]), display(), a traceback
    _drain_first(shell.displayhook, "start_displayhook", kernel_pid)
    _drain_first(shell.display_pub, "publish", kernel_pid)
    _drain_first(shell, "_showtraceback", kernel_pid)
    process_class = multiprocessing.process.BaseProcess
    process_class.join = _noting_join(process_class.join, kernel_pid)
