"""A checked ``Pool`` and ``run_map``: pools that fail fast and print in task order."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from .child_output import CapturedCall, replay
from .context import get_context
from .picklable import ensure_importable

__all__ = ["Pool", "WorkerCrashedError", "handed_to_a_pool", "run_map", "validate_processes"]

#: Every function handed to a ``Pool`` in this process (a set add per call, not per task).
_HANDED: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()


def handed_to_a_pool(func: Any) -> bool:
    """Was this very function object handed to an mpcourse ``Pool`` in this process?"""
    try:
        return func in _HANDED
    except TypeError:  # an object that cannot be weakly referenced was never recorded
        return False


def _cpu_hint() -> str:
    """How to ask for one worker per core this process may really use."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+: what processes=None uses
        default = "os.process_cpu_count(), which counts the CPU affinity but not a container's CPU quota"
    else:
        default = "os.cpu_count(), every core of the machine, whatever the container allows"
    return (
        "processes=mpcourse.available_cpus() for one worker per core this process may really use "
        f"(affinity and container quota); processes=None takes {default}"
    )


def validate_processes(processes: Any) -> None:
    """Raise a clear error unless ``processes`` is ``None`` or a whole number ≥ 1."""
    if processes is None:
        return
    if isinstance(processes, bool) or not isinstance(processes, int):
        raise TypeError(
            f"processes must be a whole number such as 2; got {processes!r} "
            f"({type(processes).__name__}). Use {_cpu_hint()}."
        )
    if processes < 1:
        raise ValueError(
            f"processes must be at least 1, got {processes}: a pool needs a worker to run anything. Use {_cpu_hint()}."
        )


class WorkerCrashedError(RuntimeError):
    """A pool worker died while tasks were pending, so its task was lost."""


class Pool(multiprocessing.pool.Pool):
    """``multiprocessing.Pool`` for a start method, which checks each function first.

    Use it like the standard pool, preferably in a ``with`` block::

        with Pool(2) as pool:
            print(pool.map(double, range(10)))

    ``method`` picks the start method (default: :func:`mpcourse.get_context`).
    Handing it a lambda or a notebook-defined function under spawn/forkserver
    raises :class:`~mpcourse.backend.picklable.NotImportableError` at once instead of hanging.
    """

    _state = multiprocessing.pool.INIT  # so __del__ works when __init__ refused its arguments

    def __init__(
        self,
        processes: int | None = None,
        initializer: Callable[..., Any] | None = None,
        initargs: Iterable[Any] = (),
        maxtasksperchild: int | None = None,
        *,
        method: str | None = None,
    ) -> None:
        validate_processes(processes)
        context = get_context(method)
        self.start_method = context.get_start_method()
        if initializer is not None:
            ensure_importable(initializer, self.start_method)
        super().__init__(processes, initializer, initargs, maxtasksperchild, context=context)
        self._mpcourse_seen = {worker.pid: worker for worker in self._pool}

    def _refuse_unpicklable(self, func: Callable[..., Any]) -> None:
        ensure_importable(func, self.start_method)
        try:
            _HANDED.add(func)
        except TypeError:  # not weakly referenceable (a builtin): nothing to record
            pass

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):  # noqa: B006
        self._refuse_unpicklable(func)
        return super().apply_async(func, args, kwds, callback, error_callback)

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        self._refuse_unpicklable(func)
        return super()._map_async(func, iterable, mapper, chunksize, callback, error_callback)

    def imap(self, func, iterable, chunksize=1):
        self._refuse_unpicklable(func)
        return super().imap(func, iterable, chunksize)

    def imap_unordered(self, func, iterable, chunksize=1):
        self._refuse_unpicklable(func)
        return super().imap_unordered(func, iterable, chunksize)

    def crashed_workers(self) -> list[multiprocessing.process.BaseProcess]:
        """Return the workers seen so far that died abnormally (signal or non-zero exit)."""
        for worker in list(self._pool):
            self._mpcourse_seen.setdefault(worker.pid, worker)
        return [w for w in self._mpcourse_seen.values() if w.exitcode not in (None, 0)]


def run_map(
    func: Callable[..., Any],
    iterable: Iterable[Any],
    processes: int | None = None,
    *,
    method: str | None = None,
    chunksize: int = 1,
    star: bool = False,
    progress: bool = False,
) -> list[Any]:
    """Run ``func`` on every item in a pool; print each task's output in task order.

    Like ``Pool.map``, but what a task prints appears here, whole and in task
    order, under every start method; a task's exception is re-raised after the
    output of the tasks before it.  With ``star=True`` each item is unpacked
    into arguments (like ``starmap``).  ``progress=True`` shows a ``tqdm`` bar.
    A worker that dies (segfault, ``os._exit``, out of memory) raises
    :class:`WorkerCrashedError` instead of hanging.
    """
    items = list(iterable)
    results: list[Any] = []
    with Pool(processes, method=method) as pool:
        pending = pool.imap(CapturedCall(func, star=star), items, chunksize)
        bar = _progress_bar(len(items)) if progress else None
        try:
            for _ in items:
                results.append(replay(_next_or_crash(pool, pending)))
                if bar is not None:
                    bar.update()
        finally:
            if bar is not None:
                bar.close()
        pool.close()
        pool.join()
    return results


def _next_or_crash(pool: Pool, pending: multiprocessing.pool.IMapIterator) -> Any:
    while True:
        try:
            return pending.next(timeout=0.1)
        except multiprocessing.TimeoutError:
            crashed = pool.crashed_workers()
            if crashed:
                worker = crashed[0]
                raise WorkerCrashedError(
                    f"a worker process died (exit code {worker.exitcode}) while tasks were "
                    f"running, so its task was lost; a plain Pool would wait for it forever."
                ) from None


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="task")
