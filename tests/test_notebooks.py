"""The notebooks as files: complete, well-tagged, executed, linked, and free of the original homework's mistakes."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_what_is_multiprocessing.ipynb",
    "02_processes_vs_threads.ipynb",
    "03_creating_a_process.ipynb",
    "04_what_is_a_pool.ipynb",
    "05_creating_a_pool.ipynb",
    "06_processes_printing_numbers.ipynb",
    "07_sharing_data_between_processes.ipynb",
    "08_beyond_one_machine.ipynb",
    "09_multiprocessing_in_real_programs.ipynb",
]
LINK = re.compile(r"\]\(([^)\s]+)\)")
LOCAL_PATH = re.compile(r"/(home|root|Users|tmp)/[^\s'\"]+")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_the_six_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_valid_with_unique_cell_ids(name):
    notebook = _read(name)
    nbformat.validate(notebook)
    ids = [cell.id for cell in notebook.cells]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", EXPECTED)
def test_every_code_cell_was_executed_without_unexpected_errors(name):
    for index, cell in enumerate(_read(name).cells):
        if cell.cell_type != "code" or "nbval-skip" in _tags(cell):
            continue
        assert cell.execution_count is not None, f"cell {index} was never executed"
        if "raises-exception" not in _tags(cell):
            assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {index} stored an error"


@pytest.mark.parametrize("name", EXPECTED)
def test_has_an_exercise_with_a_one_line_check(name):
    cells = _read(name).cells
    answers = [c for c in cells if "answer" in _tags(c)]
    checks = [c for c in cells if "check" in _tags(c)]
    assert answers and checks
    for check in checks:
        assert len(check.source.strip().splitlines()) == 1, check.source
        points = check.metadata.get("mpcourse", {}).get("points", 1)
        assert isinstance(points, int) and points >= 1


@pytest.mark.parametrize("name", EXPECTED)
def test_never_sets_the_global_start_method(name):
    assert "set_start_method" not in "".join(c.source for c in _read(name).cells if c.cell_type == "code")


@pytest.mark.parametrize("name", EXPECTED)
def test_outputs_show_no_local_paths(name):
    for index, cell in enumerate(_read(name).cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert not LOCAL_PATH.search(text), f"cell {index} shows a local path"


@pytest.mark.parametrize("document", [*EXPECTED, "../README.md"])
def test_relative_links_resolve(document):
    path = NOTEBOOKS / document
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in _read(document).cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        assert (path.parent / target.split("#")[0]).resolve().exists(), f"{document} links to missing {target}"


@pytest.mark.parametrize(("first", "second"), list(itertools.pairwise(EXPECTED)))
def test_each_notebook_links_to_the_next(first, second):
    assert second in "".join(c.source for c in _read(first).cells if c.cell_type == "markdown")
