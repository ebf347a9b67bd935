"""Re-execute master notebooks in place, storing the outputs nbval compares.

For maintainers, after changing a notebook::

    python -m mpcourse.tools.refresh notebooks/05_creating_a_pool.ipynb
    python -m mpcourse.tools.refresh notebooks/*.ipynb

Each notebook runs top to bottom in a fresh kernel, from its own folder, under the
platform's default start method (``MPCOURSE_START_METHOD`` is ignored here, so the
stored outputs are the ones a learner gets).  Stream outputs are merged per cell and
no timing metadata is stored, so re-running gives small diffs.  Then check the
notebook with ``python -m pytest notebooks/NAME.ipynb`` under every start method.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..kernel.environment import kernel_environment

__all__ = ["main", "refresh_notebook"]


def refresh_notebook(path: Path, *, timeout: int = 300) -> None:
    """Execute the notebook at ``path`` in a fresh kernel and write it back with its new outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = kernel_environment()
    env.pop("MPCOURSE_START_METHOD", None)  # the stored outputs are the platform default's
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
        coalesce_streams=True,
    )
    client.execute(env=env, stdout=subprocess.DEVNULL)  # not the lines ipykernel echoes to its terminal
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: refresh each notebook given; exit 1 if any failed to run."""
    parser = argparse.ArgumentParser(
        prog="python -m mpcourse.tools.refresh",
        description="Re-execute master notebooks in place and store their outputs (for maintainers).",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK", help=".ipynb files to re-execute")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default: 300)")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        try:
            refresh_notebook(path, timeout=args.timeout)
        except Exception as error:  # report every notebook, keep going
            failed += 1
            print(f"FAILED {path}: {type(error).__name__}: {str(error).strip().splitlines()[-1:]}", file=sys.stderr)
        else:
            print(f"refreshed {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
