"""Make what a child prints show up in the notebook, in task order.

Bare prints from pool workers arrive in any order, tear mid-line and can be lost
when a pool is terminated.  Instead the worker runs the task with its
``stdout``/``stderr`` redirected to strings and sends them back with the result;
the parent prints them in task order.  This works under every start method and
on Windows, where ipykernel cannot capture a child's file descriptors.
"""

from __future__ import annotations

import contextlib
import io
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

__all__ = ["Captured", "CapturedCall", "RemoteTraceback", "child_main", "replay", "show"]


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a child process, as text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


class Captured(NamedTuple):
    """What one call in a child returned and printed."""

    result: Any
    stdout: str
    stderr: str
    error: BaseException | None = None
    remote_traceback: str = ""


class CapturedCall:
    """A picklable wrapper: calling it runs ``func`` and returns a :class:`Captured`."""

    def __init__(self, func: Callable[..., Any], star: bool = False) -> None:
        self.func = func
        self.star = star

    @property
    def __mpcourse_wrapped__(self) -> Callable[..., Any]:
        return self.func

    def __call__(self, *args: Any) -> Captured:
        call_args = args[0] if self.star else args
        out, err = io.StringIO(), io.StringIO()
        result: Any = None
        error: BaseException | None = None
        remote = ""
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                result = self.func(*call_args)
            except Exception as exc:  # a KeyboardInterrupt/SystemExit is not a task's result
                error = _picklable(exc)
                # skip this frame: the learner's code starts one level down
                remote = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next))
        return Captured(result, out.getvalue(), err.getvalue(), error, remote)

    def __repr__(self) -> str:
        name = getattr(self.func, "__qualname__", repr(self.func))
        return f"CapturedCall({name})"


def _picklable(exc: Exception) -> Exception:
    """Return ``exc``, or a RuntimeError that describes it when it cannot be pickled."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def show(captured: Captured, *, with_traceback: bool = False) -> None:
    """Print a child's captured stdout and stderr here, and its traceback when asked and it failed."""
    if captured.stdout:
        sys.stdout.write(captured.stdout)
        sys.stdout.flush()
    errors = captured.stderr
    if with_traceback and captured.error is not None:
        errors += captured.remote_traceback
    if errors:
        sys.stderr.write(errors)
        sys.stderr.flush()


def replay(captured: Captured) -> Any:
    """Print a child's captured output here, then return its result or raise its error."""
    show(captured)
    if captured.error is not None:
        raise captured.error from RemoteTraceback(captured.remote_traceback)
    return captured.result


def child_main(call: CapturedCall, args: tuple[Any, ...], conn: Connection) -> None:
    """Entry point of each child of ``run_processes``: run the call, send back what it returned and printed."""
    captured = call(*args)
    conn.send(captured)
    conn.close()
    if captured.error is not None:
        sys.exit(1)
