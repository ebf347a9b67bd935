"""pytest plugin: nbval's kernels get the environment Jupyter would give them.

Use it with ``-p mpcourse.pytest_plugins.nbval_kernel`` (the repository's
``conftest.py`` and the grader load it).  It starts every nbval kernel with
:func:`~mpcourse.kernel.environment.kernel_environment`, so what a spawn or
forkserver child prints reaches the cell as in JupyterLab, and lets through only
the exact shutdown race of jupyter_client PR 967
(:func:`~mpcourse.kernel.environment.is_shutdown_race`), once the kernel is gone.

When a cell fails with a stream nbval did not expect ("Unexpected output fields
from running code: {'stderr'}"), nbval names the stream but not its text; the
failure report here adds the text, so a stray warning or traceback names its cause.
"""

from __future__ import annotations

from typing import Any

from ..kernel.environment import is_shutdown_race, kernel_environment


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

    original_stop = nbval.kernel.RunningKernel.stop

    def stop(self: Any) -> None:
        km = self.km
        try:
            original_stop(self)
        except Exception as exc:
            if not is_shutdown_race(exc) or km.is_alive():
                raise
            if hasattr(self, "km"):
                del self.km

    nbval.kernel.RunningKernel.stop = stop

    import nbval.plugin

    original_compare = nbval.plugin.IPyNbCell.compare_outputs

    def compare_outputs(self: Any, test: Any, ref: Any, skip_compare: Any = None) -> bool:
        same = original_compare(self, test, ref, skip_compare)
        if not same:
            self.comparison_traceback.extend(unexpected_streams(test, ref))
        return same

    nbval.plugin.IPyNbCell.compare_outputs = compare_outputs


def unexpected_streams(test: list[Any], ref: list[Any]) -> list[str]:
    """The text of each stream in the run's outputs ``test`` whose name the stored outputs ``ref`` lack."""

    def streams(outputs: list[Any]) -> list[tuple[str, str]]:
        return [
            (output["name"], output.get("text", ""))
            for output in outputs
            if output.get("output_type") == "stream" and "name" in output
        ]

    stored = {name for name, _ in streams(ref)}
    return [f"the unexpected {name} was:\n{text}" for name, text in streams(test) if name not in stored]


def pytest_configure(config: Any) -> None:
    """Patch nbval's kernel start once pytest is configured."""
    _install()
