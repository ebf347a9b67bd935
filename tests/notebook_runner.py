"""Execute small notebooks built in code (:mod:`nbbuild`) in a real kernel (nbclient)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import nbbuild
import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async

from mpcourse.kernel.environment import is_shutdown_race, kernel_environment


class _Client(NotebookClient):
    """nbclient's client, except that jupyter_client's known shutdown race (PR 967) does not fail a test.

    Only the exact race is let through (:func:`~mpcourse.kernel.environment.is_shutdown_race`),
    and only when the kernel process is gone; nothing is retried.
    """

    async def _async_cleanup_kernel(self) -> None:
        km = self.km
        try:
            await super()._async_cleanup_kernel()
        except Exception as exc:
            if not is_shutdown_race(exc) or km is None or await ensure_async(km.is_alive()):
                raise


def execute(sources: Iterable[str], env: Mapping[str, str | None] = {}, timeout: int = 60) -> nbformat.NotebookNode:
    """Execute cells in a fresh ``python3`` kernel; return the notebook with outputs (errors kept).

    ``env`` adds variables to the kernel's environment (``None`` removes one).

    The kernel gets Jupyter's environment, not pytest's (see :mod:`mpcourse.kernel.environment`).
    """
    notebook = nbbuild.notebook(sources)
    kernel_env = {key: value for key, value in {**kernel_environment(), **env}.items() if value is not None}
    _Client(notebook, timeout=timeout, kernel_name="python3", allow_errors=True).execute(env=kernel_env)
    return notebook


def stream_text(cell: nbformat.NotebookNode, name: str = "stdout") -> str:
    """All text a cell wrote to one stream."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == name)


def error_names(cell: nbformat.NotebookNode) -> list[str]:
    """Exception class names a cell ended with."""
    return [o.ename for o in cell.outputs if o.output_type == "error"]
