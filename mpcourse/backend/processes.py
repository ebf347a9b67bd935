"""Run a few ``Process`` objects at once and show what each printed, in order."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple

from .child_output import Captured, CapturedCall, child_main, show
from .context import get_context
from .picklable import ensure_importable

__all__ = ["ProcessOutcome", "run_processes"]


class ProcessOutcome(NamedTuple):
    """How one child process ended: its exit code, return value and error, if any."""

    args: tuple[Any, ...]
    exitcode: int | None
    result: Any
    error: BaseException | None


def run_processes(
    target: Callable[..., Any],
    args_list: Iterable[Sequence[Any]],
    *,
    method: str | None = None,
    timeout: float | None = None,
) -> list[ProcessOutcome]:
    """Start one process per argument tuple, all at once; wait for all of them.

    Each child's output is printed here in the order of ``args_list`` (not the
    order they happened to finish), under every start method and on Windows.
    A child that raises prints its traceback to stderr and gets exit code 1, as
    with a plain ``Process``.  After ``timeout`` seconds the remaining children
    are terminated and :class:`TimeoutError` is raised; none is ever left running.
    """
    context = get_context(method)
    ensure_importable(target, context.get_start_method())
    arg_tuples = [tuple(args) for args in args_list]
    call = CapturedCall(target)
    children, readers = [], []
    try:
        for args in arg_tuples:
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(target=child_main, args=(call, args, writer))
            child.start()
            writer.close()
            children.append(child)
            readers.append(reader)
        captured = _collect(readers, children, timeout)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
        for reader in readers:
            reader.close()
    return [_show(args, child.exitcode, got) for args, child, got in zip(arg_tuples, children, captured, strict=True)]


def _collect(readers: list[Connection], children: list[Any], timeout: float | None) -> list[Captured | None]:
    """Receive each child's :class:`Captured`, or ``None`` for a child that died first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    got: list[Captured | None] = [None] * len(readers)
    open_readers = {id(r): i for i, r in enumerate(readers)}
    while open_readers:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if remaining == 0.0:
            raise TimeoutError(f"{len(open_readers)} child process(es) still running after {timeout} s")
        for reader in wait([readers[i] for i in open_readers.values()], timeout=remaining):
            index = open_readers.pop(id(reader))
            try:
                got[index] = reader.recv()
            except EOFError:  # the child died before sending anything
                got[index] = None
    for child in children:
        child.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return got


def _show(args: tuple[Any, ...], exitcode: int | None, captured: Captured | None) -> ProcessOutcome:
    if captured is None:
        print(f"(process for args {args} ended with exit code {exitcode} before reporting back)", file=sys.stderr)
        return ProcessOutcome(args, exitcode, None, None)
    show(captured, with_traceback=True)
    return ProcessOutcome(args, exitcode, captured.result, captured.error)
