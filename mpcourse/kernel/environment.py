"""The environment Jupyter gives a kernel, and a known shutdown race in jupyter_client.

pytest sets ``PYTEST_CURRENT_TEST``, a kernel started from a test inherits it,
and ipykernel then turns off its file-descriptor capture, so what a spawn or
forkserver child prints never reaches the cell, although it does in JupyterLab.
:func:`kernel_environment` drops that one variable, so nbval (through
:mod:`mpcourse.pytest_plugins.nbval_kernel`), the refresh tool and the benchmarks
compare what a learner would see.

:func:`is_shutdown_race` recognises one known race in jupyter_client, so that it
does not fail a notebook that ran well: after a kernel has shut down, ``in_pending_state`` can set the manager's
``ready`` future a second time and raise ``InvalidStateError``
(https://github.com/jupyter/jupyter_client/pull/967, open).  Only that exact
error is let through, and only once the kernel process is gone
(:func:`is_shutdown_race`); any other error in a shutdown still fails.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import traceback

_PYTEST_MARKER = "PYTEST_CURRENT_TEST"


def kernel_environment() -> dict[str, str]:
    """This process's environment, less the variable that disables ipykernel's fd capture."""
    return {key: value for key, value in os.environ.items() if key != _PYTEST_MARKER}


def is_shutdown_race(exc: BaseException) -> bool:
    """Is ``exc`` jupyter_client's ``ready`` future set twice after the wrapped call succeeded (PR 967)?

    The race shows as an ``InvalidStateError`` from ``in_pending_state``'s wrapper in
    ``jupyter_client/manager.py`` whose every cause is another ``InvalidStateError``
    (``set_result``, then ``set_exception``, on a future already done).  One raised
    while handling any other error means the call itself failed: not the race.
    """
    invalid = (asyncio.InvalidStateError, concurrent.futures.InvalidStateError)
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__context__
    if not all(isinstance(link, invalid) for link in chain):
        return False
    return any(
        frame.name == "wrapper" and frame.filename.replace("\\", "/").endswith("jupyter_client/manager.py")
        for link in chain
        for frame in traceback.extract_tb(link.__traceback__)
    )
