"""The learner's own copy (mpcourse/learner/workspace.py and ``mpcourse start``): no solution in view, work kept."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from grading_fixtures import write_masters

from mpcourse.cli import main
from mpcourse.course_format import ANSWER, cell_tags
from mpcourse.grading.notebook import load_master
from mpcourse.learner.course import course_dir, course_files, course_notebooks
from mpcourse.learner.notebook_state import KERNELSPEC, kernel_language_info
from mpcourse.learner.workspace import ADDED, KEPT, NEWER, RESTORED, UNCHANGED, UPDATED, default_workspace, prepare

REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _cell_texts(cell: dict) -> list[str]:
    """Everything a learner can see of a cell: its source, its outputs, its attachments."""
    texts = [_text(cell.get("source"))]
    for output in cell.get("outputs") or []:
        texts.append(_text(output.get("text")))
        texts += [_text(value) for value in (output.get("data") or {}).values()]
        texts += [_text(line) for line in output.get("traceback") or []]
    texts.append(json.dumps(cell.get("attachments") or {}))
    return texts


def _shows_code(cell: dict) -> bool:
    """A markdown cell with a fenced code block, such as the one that shows a chapter's script."""
    return cell["cell_type"] == "markdown" and "```" in "".join(cell["source"])


def _solution_lines(master_path: Path) -> set[str]:
    """Lines of the master's answers that appear nowhere else in it (not in a stub, not in another cell)."""
    master = load_master(master_path, executed=False)
    notebook = json.loads(master_path.read_text(encoding="utf-8"))
    elsewhere = set()
    answers = set()
    for cell in notebook["cells"]:
        lines = {line.strip() for text in _cell_texts(cell) for line in text.splitlines()}
        if ANSWER in cell_tags(cell):
            answers.update(lines)
        elif not _shows_code(cell):  # code shown in prose (a chapter's script) is no excuse
            elsewhere.update(lines)
    stubs = {line.strip() for answer in master.answers for line in answer.stub.splitlines()}
    return {line for line in answers - elsewhere - stubs if line and not line.startswith("#")}


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mpcourse start --no-lab`` into a fresh folder, from the course as it is in the repository."""
    workspace = tmp_path_factory.mktemp("learner") / "my-mpcourse"
    before = _digests(REPO_NOTEBOOKS)
    assert main(["start", str(workspace), "--no-lab"]) == 0
    assert _digests(REPO_NOTEBOOKS) == before, "mpcourse start changed the repository's notebooks/"
    return workspace


def test_the_copy_has_every_notebook_and_file_of_the_course(course_copy: Path) -> None:
    names = {p.name for p in course_notebooks()}
    assert names and names <= {p.name for p in course_copy.glob("*.ipynb")}
    for relative in course_files():
        assert (course_copy / relative).read_bytes() == (course_dir() / relative).read_bytes()


def test_no_solution_is_visible_anywhere_in_the_copy(course_copy: Path) -> None:
    """Does any line of any exercise's solution appear in any cell (source, output, attachment) of the copy?"""
    for master_path in course_notebooks():
        secret = _solution_lines(master_path)
        assert secret, f"{master_path.name}: found no solution lines to look for"
        copy = json.loads((course_copy / master_path.name).read_text(encoding="utf-8"))
        master = load_master(master_path, executed=False)
        cells = {cell["id"]: cell for cell in copy["cells"]}
        for cell in copy["cells"]:
            seen = {line.strip() for text in _cell_texts(cell) for line in text.splitlines()}
            leaked = seen & secret
            assert not leaked, f"{master_path.name}, cell {cell['id']} shows solution lines: {sorted(leaked)}"
        for answer in master.answers:
            assert _text(cells[answer.cell_id]["source"]) == answer.stub
        for check in master.checks:
            if check.hidden:
                assert check.cell_id not in cells
            else:
                assert cells[check.cell_id]["outputs"] == [], "a check cell shows the master's PASS"
                assert cells[check.cell_id]["metadata"]["editable"] is False


def test_no_file_copied_with_the_notebooks_gives_an_exercise_away(course_copy: Path) -> None:
    """The course's other files (``scripts/*.py``) go into the copy too: none may hold an exercise's solution."""
    secret = {(path.name, line) for path in course_notebooks() for line in _solution_lines(path)}
    for relative in course_files():
        lines = {line.strip() for line in (course_copy / relative).read_text(errors="replace").splitlines()}
        leaked = sorted(f"{notebook}: {line}" for notebook, line in secret if line in lines)
        assert not leaked, f"{relative} shows lines of the solutions of exercises: {leaked}"


def test_running_start_again_keeps_an_edited_notebook(course_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = course_copy / course_notebooks()[0].name
    notebook = nbformat.read(target, as_version=4)
    answer = next(cell for cell in notebook.cells if ANSWER in cell_tags(cell))
    answer.source = "# my own attempt\nx = 1"
    nbformat.write(notebook, target)
    edited = target.read_bytes()
    capsys.readouterr()
    assert main(["start", str(course_copy), "--no-lab"]) == 0
    assert target.read_bytes() == edited
    out = capsys.readouterr().out
    assert f"yours, kept as you left them: {target.name}" in out and "up to date" in out


def test_default_folder_is_in_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_workspace() == tmp_path / "my-mpcourse"


@pytest.fixture
def small_course(tmp_path: Path) -> Path:
    return write_masters(tmp_path / "course")


def _state(states, name: str) -> str:
    return next(s.state for s in states if s.path == Path(name))


def test_an_update_replaces_untouched_notebooks_and_names_the_changed_ones(small_course: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine"
    assert {s.state for s in prepare(workspace, small_course)} == {ADDED}
    mine = workspace / "01_basics.ipynb"
    mine.write_text(mine.read_text(encoding="utf-8").replace("Two small exercises.", "my notes"), encoding="utf-8")
    assert _state(prepare(workspace, small_course), "01_basics.ipynb") == KEPT
    for name in ("01_basics.ipynb", "02_processes.ipynb"):  # the course changes both
        path = small_course / name
        path.write_text(path.read_text(encoding="utf-8").replace("# ", "# New: ", 1), encoding="utf-8")
    states = prepare(workspace, small_course)
    assert _state(states, "01_basics.ipynb") == NEWER
    assert "my notes" in mine.read_text(encoding="utf-8")
    assert _state(states, "02_processes.ipynb") == UPDATED
    assert "# New: Processes" in (workspace / "02_processes.ipynb").read_text(encoding="utf-8")
    assert _state(prepare(workspace, small_course), "01_basics.ipynb") == NEWER  # said again, never overwritten


def test_new_notebooks_and_files_are_added_and_deleted_ones_restored(small_course: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine"
    prepare(workspace, small_course)
    (workspace / "02_processes.ipynb").unlink()
    (small_course / "03_more.ipynb").write_bytes((small_course / "02_processes.ipynb").read_bytes())
    (small_course / "scripts").mkdir()
    (small_course / "scripts" / "demo.py").write_text("print('demo')\n", encoding="utf-8")
    states = prepare(workspace, small_course)
    assert _state(states, "02_processes.ipynb") == RESTORED
    assert _state(states, "03_more.ipynb") == ADDED
    assert _state(states, "scripts/demo.py") == ADDED
    assert _state(states, "01_basics.ipynb") == UNCHANGED
    assert (workspace / "scripts" / "demo.py").read_text(encoding="utf-8") == "print('demo')\n"


def test_a_file_of_the_learners_own_with_a_course_name_is_never_replaced(small_course: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine"
    workspace.mkdir()
    (workspace / "01_basics.ipynb").write_text("{}", encoding="utf-8")
    assert _state(prepare(workspace, small_course), "01_basics.ipynb") == NEWER
    assert (workspace / "01_basics.ipynb").read_text(encoding="utf-8") == "{}"


def test_the_course_folder_itself_is_refused(small_course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="master notebooks"):
        prepare(small_course, small_course)
    assert main(["start", str(course_dir()), "--no-lab"]) == 2
    assert "master notebooks" in capsys.readouterr().err


def test_start_says_which_notebooks_have_a_newer_course_version(
    small_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("mpcourse.learner.workspace.course_dir", lambda: small_course)
    workspace = tmp_path / "mine"
    assert main(["start", str(workspace), "--no-lab"]) == 0
    assert "(new: 2 notebooks" in capsys.readouterr().out
    (workspace / "01_basics.ipynb").write_text("{}", encoding="utf-8")
    (workspace / "02_processes.ipynb").unlink()
    assert main(["start", str(workspace), "--no-lab"]) == 0
    out = capsys.readouterr().out
    assert "yours, kept as you left them: 01_basics.ipynb" in out and "restored 02_processes.ipynb" in out
    master = small_course / "01_basics.ipynb"
    master.write_text(master.read_text(encoding="utf-8").replace("# Basics", "# Basics, again"), encoding="utf-8")
    assert main(["start", str(workspace), "--no-lab"]) == 0
    out = capsys.readouterr().out
    assert (workspace / "01_basics.ipynb").read_text(encoding="utf-8") == "{}"
    assert "newer version" in out and "  01_basics.ipynb" in out and "yours are kept" in out


def test_the_readmes_course_command_opens_the_learners_copy() -> None:
    """The README's course command runs ``mpcourse start``, never JupyterLab on the masters in notebooks/."""
    readme = (REPO_NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    command = readme.split("<!-- course-command -->", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0].strip()
    assert command.endswith("mpcourse start") and "notebooks" not in command, command


def test_the_copy_holds_no_results_from_another_machine(course_copy: Path) -> None:
    """No outputs, execution counts or widget states: the learner sees their own numbers when they run a cell."""
    for path in course_copy.glob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}, cell {cell['id']}"
        assert "widgets" not in notebook["metadata"], path.name


def test_the_copy_already_holds_what_the_kernel_writes_on_opening(course_copy: Path) -> None:
    """JupyterLab writes the kernel's language_info and kernelspec into a notebook it opens: they are there."""
    for path in course_copy.glob("*.ipynb"):
        metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        assert metadata["language_info"] == kernel_language_info(), path.name
        assert metadata["kernelspec"] == KERNELSPEC, path.name


def test_kernel_language_info_is_what_ipykernel_reports() -> None:
    from notebook_runner import execute, stream_text

    notebook = execute(["import json\nprint(json.dumps(get_ipython().kernel.language_info, sort_keys=True))"])
    assert json.loads(stream_text(notebook.cells[0])) == kernel_language_info()


def _run_and_save(path: Path) -> None:
    """What opening, running every cell and saving does to a notebook: outputs, counts, the kernel's metadata."""
    notebook = nbformat.read(path, as_version=4)
    for count, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"my run {count}\n")]
    notebook.metadata["language_info"] = {"name": "python", "version": "3.99.0"}
    nbformat.write(notebook, path)


def test_a_notebook_only_run_and_saved_still_gets_course_updates(small_course: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine"
    prepare(workspace, small_course)
    _run_and_save(workspace / "02_processes.ipynb")
    assert _state(prepare(workspace, small_course), "02_processes.ipynb") == UNCHANGED
    master = small_course / "02_processes.ipynb"
    master.write_text(master.read_text(encoding="utf-8").replace("# ", "# New: ", 1), encoding="utf-8")
    assert _state(prepare(workspace, small_course), "02_processes.ipynb") == UPDATED
    assert "# New: Processes" in (workspace / "02_processes.ipynb").read_text(encoding="utf-8")


def test_an_added_or_removed_cell_is_an_edit_that_is_kept(small_course: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "mine"
    prepare(workspace, small_course)
    for name, change in (("01_basics.ipynb", "add"), ("02_processes.ipynb", "remove")):
        path = workspace / name
        notebook = nbformat.read(path, as_version=4)
        if change == "add":
            notebook.cells.append(nbformat.v4.new_code_cell("print('mine')"))
        else:
            notebook.cells.pop()
        nbformat.write(notebook, path)
        edited = path.read_bytes()
        master = small_course / name
        master.write_text(master.read_text(encoding="utf-8").replace("# ", "# New: ", 1), encoding="utf-8")
        assert _state(prepare(workspace, small_course), name) == NEWER
        assert path.read_bytes() == edited


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _links(path: Path) -> list[str]:
    """The link targets of a Markdown file, or of a notebook's Markdown cells."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(_text(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return _LINK.findall(text)


def test_every_link_in_the_copy_opens_something_inside_the_copy(course_copy: Path) -> None:
    """A learner's copy is all they have: a relative link may not lead out of it (``../README.md``) or nowhere."""
    documents = sorted(course_copy.glob("*.ipynb")) + sorted(course_copy.glob("*.md"))
    assert any(path.suffix == ".md" for path in documents), "the copy has no course overview"
    root = course_copy.resolve()
    for document in documents:
        for target in _links(document):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (document.parent / target.split("#")[0]).resolve()
            assert resolved.is_relative_to(root), f"{document.name} links out of the copy: {target}"
            assert resolved.exists(), f"{document.name} links to {target}, which the copy lacks"
