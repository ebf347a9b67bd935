"""mpcourse.tools.refresh: a notebook re-executed in place stores what nbval compares, and nothing that varies."""

from __future__ import annotations

import json

import nbbuild
import nbformat
import pytest

from mpcourse import START_METHOD_ENV, valid_start_methods
from mpcourse.tools.refresh import main, refresh_notebook

_CELLS = [
    "import sys\nprint('one', flush=True)\nprint('two', file=sys.stdout, flush=True)\nprint('three')",
    "from pathlib import Path\nprint(Path.cwd().name)",
    "import mpcourse\nprint(mpcourse.start_method())",
    "6 * 7",
]


@pytest.mark.slow
def test_refresh_stores_merged_outputs_runs_in_the_notebooks_folder_under_the_default_method(tmp_path, monkeypatch):
    """Streams merged per cell, no timing metadata, the folder's name, the platform's start method."""
    other = next((m for m in ("fork", "spawn", "forkserver") if m != valid_start_methods()[0]), "spawn")
    monkeypatch.setenv(START_METHOD_ENV, other)  # ignored: the stored outputs are the platform default's
    folder = tmp_path / "chapter"
    folder.mkdir()
    stale = [nbbuild.code_cell(source, count=99, stdout="stale\n") for source in _CELLS]
    path = nbbuild.write(folder / "n.ipynb", stale)
    refresh_notebook(path)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    first, where, method, result = notebook.cells
    assert [(o.output_type, o.name, o.text) for o in first.outputs] == [("stream", "stdout", "one\ntwo\nthree\n")]
    assert where.outputs[0].text == "chapter\n"
    assert method.outputs[0].text == f"{valid_start_methods()[0]}\n"
    assert result.outputs[0].data["text/plain"] == "42"
    assert [cell.execution_count for cell in notebook.cells] == [1, 2, 3, 4]
    assert all("execution" not in cell.metadata for cell in notebook.cells)
    assert "stale" not in json.dumps(notebook)


def test_main_reports_each_notebook_that_failed_and_exits_1(tmp_path, capsys):
    missing, broken = tmp_path / "missing.ipynb", tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    assert main([str(missing), str(broken)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == [f"FAILED {missing}", f"FAILED {broken}"]
    assert not missing.exists() and broken.read_text(encoding="utf-8") == "{not json"


def test_main_needs_a_notebook(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main([])
    assert excinfo.value.code == 2
    assert "NOTEBOOK" in capsys.readouterr().err
