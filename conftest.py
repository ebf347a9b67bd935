"""Suite-wide guards: no test and no notebook may leave a child process alive.

Lives at the repository root so it covers both ``tests/`` and the nbval items
collected from ``notebooks/``.
"""

from __future__ import annotations

import psutil
import pytest

from mpcourse.grading import proctree

pytest_plugins = ["mpcourse.pytest_plugins.nbval_kernel"]  # nbval kernels capture child output as in Jupyter

_GRACE_SECONDS = 5.0


def leftover_children(root: psutil.Process, ignore: set[int] = frozenset(), grace: float = _GRACE_SECONDS):
    """Descendants of ``root`` (not multiprocessing's services, not in ``ignore``) alive after ``grace`` seconds."""
    return proctree.leftover_children(root, ignore, grace, keep=proctree.is_multiprocessing_service)


def _describe_and_kill(procs: list[psutil.Process]) -> str:
    lines = [proctree.describe(proc) for proc in procs]
    proctree.kill(procs, wait=5)
    return "\n".join(lines)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a bogus $MPCOURSE_START_METHOD at once, with the valid choices."""
    from mpcourse.backend.context import start_method

    try:
        start_method()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(autouse=True)
def no_leaked_processes():
    """Fail a test that leaves a child process (other than multiprocessing's services) alive."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    leftovers = leftover_children(me, ignore=before)
    if leftovers:
        pytest.fail("test left child processes alive:\n" + _describe_and_kill(leftovers), pytrace=False)


def _is_last_cell_of_notebook(item: pytest.Item, nextitem: pytest.Item | None) -> bool:
    return item.__class__.__name__ == "IPyNbCell" and (nextitem is None or nextitem.parent is not item.parent)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a notebook's last cell, before its kernel stops: the kernel must have no children left.

    ipykernel kills leftover children when it shuts down, so checking after
    shutdown would hide a leak; this looks while the kernel is still running.
    """
    if not _is_last_cell_of_notebook(item, nextitem):
        return (yield)
    leaks = []
    for kernel in proctree.command_contains(psutil.Process().children(), "ipykernel"):
        leaks += leftover_children(kernel)
    report = _describe_and_kill(leaks) if leaks else ""
    result = yield
    if report:
        raise AssertionError(f"{item.fspath.basename} left child processes alive in its kernel:\n{report}")
    return result
