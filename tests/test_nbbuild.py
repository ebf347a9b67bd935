"""nbbuild: notebooks built in code are valid, and a cell "as if run" holds what nbval compares."""

from __future__ import annotations

import nbbuild
import nbformat


def test_a_built_notebook_is_valid_and_names_the_python3_kernel(tmp_path):
    path = nbbuild.write(tmp_path / "n.ipynb", ["x = 1", nbbuild.markdown_cell("# Title", id="title")])
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    assert [cell.cell_type for cell in notebook.cells] == ["code", "markdown"]
    assert notebook.cells[1].id == "title"
    assert notebook.cells[0].outputs == [] and notebook.cells[0].execution_count is None


def test_a_cell_as_if_run_keeps_its_stdout_result_tags_and_points():
    cell = nbbuild.code_cell(
        "check()", id="check", count=3, stdout="PASS: x\n", result="True", tags=["check"], points=2
    )
    nbformat.validate(nbbuild.notebook([cell]))
    assert cell.id == "check" and cell.execution_count == 3
    assert [(o.output_type, o.get("name")) for o in cell.outputs] == [("stream", "stdout"), ("execute_result", None)]
    assert cell.outputs[0].text == "PASS: x\n"
    assert cell.outputs[1].data == {"text/plain": "True"} and cell.outputs[1].execution_count == 3
    assert cell.metadata == {"tags": ["check"], "mpcourse": {"points": 2}}


def test_a_plain_cell_has_no_outputs_and_no_metadata():
    cell = nbbuild.code_cell("pass")
    assert cell.outputs == [] and cell.metadata == {}
