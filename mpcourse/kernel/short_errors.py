"""A worker the course refuses (:class:`~mpcourse.backend.picklable.NotImportableError`) as a short error.

The refusal's message says how to fix it; in a kernel it would come last, under
a traceback through the package's pool.  After ``%load_ext mpcourse`` the cell
shows the error line (the fix) first and then the learner's own line that
raised it, nothing of the package's internals.
"""

from __future__ import annotations

import linecache
from types import TracebackType
from typing import Any

from ..backend.picklable import NotImportableError

__all__ = ["install", "short_traceback"]


def _own_line(tb: TracebackType | None) -> str:
    """``line N: source`` of the last frame of the learner's own code (the notebook's ``__main__``)."""
    found = ""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "__main__":
            source = linecache.getline(frame.f_code.co_filename, tb.tb_lineno).strip()
            found = f"line {tb.tb_lineno}: {source}" if source else f"line {tb.tb_lineno}"
        tb = tb.tb_next
    return found


def short_traceback(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> list[str]:
    """The lines a refused worker shows: the error with its fix, then where in the cell it was raised."""
    lines = [f"{etype.__name__}: {value}"]
    where = _own_line(tb)
    if where:
        lines.append(f"(raised in this cell, {where})")
    return lines


def _handler(shell: Any, etype: Any, value: Any, tb: Any, tb_offset: int | None = None) -> list[str]:
    """IPython's custom-error hook: it shows nothing itself, so show the short error as the cell's error."""
    lines = short_traceback(etype, value, tb)
    show = getattr(shell, "_showtraceback", None)  # what ipykernel sends as the cell's error (IPython 8 and 9)
    if show is None:
        shell.showtraceback((etype, value, tb))  # an IPython without it: IPython's whole traceback
    else:
        show(etype, value, lines)
    return lines


def install(shell: Any) -> None:
    """Show a refused worker in ``shell`` (IPython) as :func:`short_traceback`; other errors as IPython shows them.

    IPython keeps one handler for custom errors: a shell that has one already keeps it.
    """
    if not getattr(shell, "custom_exceptions", ()):
        shell.set_custom_exc((NotImportableError,), _handler)
