"""Keep the pools a learner's function creates from the garbage collector, to see which it left open.

Standard library only.
"""

from __future__ import annotations

import multiprocessing.pool
from collections.abc import Callable
from typing import Any

__all__ = ["KEPT", "PoolKeeper"]

#: Pools kept for the life of this process (``run_all_data(..., close=False)``).
KEPT: list[Any] = []


class PoolKeeper:
    """Keeps every pool created while it is active referenced, so the garbage collector cannot close them.

    A pool left open is finalised (its workers terminated) once nothing refers to it; kept
    here, it is still running when the check looks, which is what a learner's kernel would
    see whenever anything else held on to it.  :meth:`close_left` then says how many
    workers were left and stops them.
    """

    def __init__(self) -> None:
        self.pools: list[Any] = []
        self._saved: list[tuple[type, Callable[..., Any]]] = []

    def __enter__(self) -> PoolKeeper:
        import concurrent.futures

        for cls in (multiprocessing.pool.Pool, concurrent.futures.ProcessPoolExecutor):
            original = cls.__init__
            self._saved.append((cls, original))

            def kept(pool: Any, *args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> None:
                _original(pool, *args, **kwargs)
                self.pools.append(pool)

            cls.__init__ = kept  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, original in self._saved:
            cls.__init__ = original  # type: ignore[method-assign]
        self._saved.clear()

    def close_left(self) -> int:
        """How many worker processes of the kept pools are still running; stop them all."""
        left = 0
        for pool in self.pools:
            workers = getattr(pool, "_pool", None)
            if workers is None:
                workers = list((getattr(pool, "_processes", None) or {}).values())
            left += sum(1 for worker in workers or () if worker.is_alive())
            if isinstance(pool, multiprocessing.pool.Pool):
                pool.terminate()
                pool.join()
            else:
                pool.shutdown(wait=True, cancel_futures=True)
        self.pools.clear()
        return left
