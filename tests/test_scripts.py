"""Does each chapter's standalone script run from a terminal under every start method, the same way?

Each chapter notebook ``notebooks/NN_<slug>.ipynb`` ends with a script
``notebooks/scripts/NN_<slug>.py`` a learner can take away: standard library
only, its work under ``if __name__ == "__main__":``, the same stdout every run.
The script is not edited to pick a start method: the runner below sets one
before running it as ``__main__`` (spawn and forkserver children then import
the script's functions from its file, as they would for ``python script.py``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from mpcourse import valid_start_methods
from mpcourse.grading import proctree

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SCRIPTS = NOTEBOOKS / "scripts"
CHAPTER = re.compile(r"^(\d\d)_\w+$")
TIMEOUT = 60  # a hang guard; a script should take seconds (the budget is 10 s on 2 cores)
# Scripts whose chapter is about a package beyond the standard library, and the packages they may import.
# Chapter 08's takes its pool to a dask cluster, whose workers start with dask's default, spawn, under every method.
NOT_ONLY_STDLIB = {"08_mandelbrot_on_a_cluster.py": {"dask"}}

RUNNER = """\
import multiprocessing, runpy, sys
method, path = sys.argv[1], sys.argv[2]
multiprocessing.set_start_method(method)
sys.argv = sys.argv[2:]
runpy.run_path(path, run_name="__main__")
if multiprocessing.get_start_method() != method:
    sys.exit(f"the script changed the start method to {multiprocessing.get_start_method()!r}")
"""


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if CHAPTER.match(p.stem))


def chapter_scripts() -> list[Path]:
    return sorted(p for p in SCRIPTS.glob("*.py") if CHAPTER.match(p.stem))


def run_script(script: Path, method: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` as ``__main__`` under ``method`` in its own session; fail if it leaves a process."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "MPCOURSE_START_METHOD")}
    out_file, err_file = tmp_path / f"{method}.out", tmp_path / f"{method}.err"
    start = time.monotonic()
    with out_file.open("w") as out, err_file.open("w") as err:  # files, not pipes: a leftover child
        proc = subprocess.Popen(  # holding a pipe open would make us wait for it instead of catching it
            [sys.executable, "-c", RUNNER, method, str(script)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # its own session: whatever it starts can be found and killed
        )
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proctree.kill_tree(proc.pid)
            proc.wait()
            pytest.fail(f"{script.name} under {method} did not finish in {TIMEOUT} s:\n{err_file.read_text()}")
    seconds = time.monotonic() - start
    deadline = time.monotonic() + 5  # multiprocessing's helpers exit once they see the parent gone
    while (left := proctree.in_session(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    proctree.kill(left)
    assert not left, f"{script.name} under {method} left processes behind: {[p.pid for p in left]}"
    out, err = out_file.read_text(), err_file.read_text()
    assert proc.returncode == 0, f"{script.name} under {method} exited {proc.returncode} after {seconds:.1f} s:\n{err}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("script", chapter_scripts(), ids=lambda p: p.name)
def test_script_gives_the_same_output_under_every_start_method(script, tmp_path):
    """Exit 0 and identical stdout under fork, spawn and forkserver (where this platform has them)."""
    outputs = {method: run_script(script, method, tmp_path).stdout for method in valid_start_methods()}
    first_method, first = next(iter(outputs.items()))
    assert first.strip(), f"{script.name} printed nothing"
    for method, out in outputs.items():
        assert out == first, f"{script.name}: stdout under {method} differs from under {first_method}"


@pytest.mark.parametrize("script", chapter_scripts(), ids=lambda p: p.name)
def test_script_is_standard_library_only_and_guards_its_main(script):
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"__future__"} | NOT_ONLY_STDLIB.get(script.name, set())
    not_stdlib = sorted(imported - allowed)
    assert not not_stdlib, f"{script.name} imports {not_stdlib}: a take-away script uses the standard library only"
    guards = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test).replace("'", '"') == '__name__ == "__main__"'
    ]
    assert guards, f'{script.name} has no top-level `if __name__ == "__main__":` block'


def _fenced_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[\w+-]*[ \t]*\n(.*?)^```[ \t]*$", markdown, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.name)
def test_every_chapter_has_its_script_and_shows_it_as_it_is(notebook):
    """notebooks/NN_x.ipynb has notebooks/scripts/NN_*.py; a listing of it in the notebook equals the file."""
    number = notebook.name[:2]
    scripts = [p for p in chapter_scripts() if p.name[:2] == number]
    assert len(scripts) == 1, f"{notebook.name} needs exactly one script notebooks/scripts/{number}_<slug>.py"
    script = scripts[0]
    text = script.read_text(encoding="utf-8")
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "markdown" or f"scripts/{script.name}" not in cell.source:
            continue
        blocks = _fenced_blocks(cell.source)
        if blocks:  # the cell names the script and shows it: the listing must be the file
            assert blocks[0].rstrip("\n") == text.rstrip("\n"), (
                f"{notebook.name} shows a listing of scripts/{script.name} that differs from the file"
            )
