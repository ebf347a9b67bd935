"""pytest plugin: start nbval's kernels with the environment Jupyter would give them.

pytest sets ``PYTEST_CURRENT_TEST``, a kernel started from a test inherits it,
and ipykernel then turns off its file-descriptor capture, so what a spawn or
forkserver child prints never reaches the cell, although it does in JupyterLab.
This plugin drops that one variable from the kernel's environment, so nbval
compares what a learner would see.  Use it with ``-p mpcourse.nbval_kernel``
(the repository's ``conftest.py`` and the grader load it).
"""

from __future__ import annotations

import os
from typing import Any

_PYTEST_MARKER = "PYTEST_CURRENT_TEST"


def kernel_environment() -> dict[str, str]:
    """This process's environment, less the variable that disables ipykernel's fd capture."""
    return {key: value for key, value in os.environ.items() if key != _PYTEST_MARKER}


def _install() -> None:
    import nbval.kernel

    original = nbval.kernel.start_new_kernel
    if getattr(original, "_mpcourse", False):
        return

    def start_new_kernel(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("env", kernel_environment())
        return original(*args, **kwargs)

    start_new_kernel._mpcourse = True  # type: ignore[attr-defined]
    nbval.kernel.start_new_kernel = start_new_kernel  # RunningKernel looks it up here


def pytest_configure(config: Any) -> None:
    """Patch nbval's kernel start once pytest is configured."""
    _install()
