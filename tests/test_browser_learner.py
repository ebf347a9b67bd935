"""The learner's edition in a real browser: the course command's JupyterLab, a stub, a solution, work kept.

What a learner does, in Debian's Chromium driven by Playwright (helpers from
``test_browser.py``), with a CPU hog running beside it (a busy machine): run the
README's course command (``mpcourse start``, with a fresh home folder, so its
default folder is used); JupyterLab opens on the first notebook of *their copy*,
which holds no results yet and is not changed by opening it; Run All: the
measured self-check passes on the busy machine, and the numbers shown beside its
line are the ones the measurement printed above it; an exercise's check says NOT
YET with its hint, which names ``%solution NAME``; that magic in a new cell
brings in the reference answer and runs it; the check passes; the notebook is
saved.  A second notebook, given as an older course version, is opened, run and
saved untouched.  Then the repository's ``notebooks/`` must be byte-for-byte as
before, and running the course command again must keep the edited notebook and
update the untouched one.

The exercise is the first one of the first notebook (from its tags and check cell,
see ``mpcourse.learner.solutions``), so the notebooks can change freely.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import (
    CHROMIUM_ARGS,
    KERNEL_READY,
    KERNEL_READY_TIMEOUT,
    PANEL,
    PROCESS_EXIT_TIMEOUT,
    SERVER_START_TIMEOUT,
    VIEWPORT,
    LabServer,
    _accept_kernel_dialog,
    _end_all,
    _free_port,
    _screenshot,
    chromium,  # noqa: F401 - the fixture
    code_cell,
    run_all_cells,
)

from mpcourse.grading import proctree
from mpcourse.learner.course import course_notebooks
from mpcourse.learner.notebook_state import learner_digest
from mpcourse.learner.solutions import exercises, solution_parts
from mpcourse.learner.workspace import DEFAULT_NAME, MANIFEST

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CELL_TIMEOUT = 120_000  # milliseconds


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@contextlib.contextmanager
def course_command(base: Path, home: Path, name: str) -> Iterator[LabServer]:
    """``python -m mpcourse start`` (the README's course command) as a learner with ``home`` runs it.

    JupyterLab's own options follow ``--``: a free port, a known token, no browser of
    its own; ``--allow-root`` only where the tests run as root (a container).
    """
    config = base / "config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(base / "runtime"))
    env.pop("JUPYTER_TOKEN", None)
    env.pop("PYTEST_CURRENT_TEST", None)  # ipykernel turns off its capture of child output when it sees it
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "mpcourse", "start", "--",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=50",  # a port found free may be taken before the server binds it
        f"--IdentityProvider.token={token}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = None
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while server is None:
            if process.poll() is not None:
                pytest.fail(f"the course command exited with {process.returncode}:\n{log_path.read_text()}")
            info = base / "runtime" / f"jpserver-{process.pid}.json"  # the course command execs JupyterLab
            try:
                bound = json.loads(info.read_text(encoding="utf-8"))["port"]
                candidate = LabServer(f"http://127.0.0.1:{bound}", token, process, home / DEFAULT_NAME)
                candidate.api("GET", "status")
                server = candidate
            except (OSError, ValueError, KeyError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    pytest.fail(f"no JupyterLab in {SERVER_START_TIMEOUT} s:\n{log_path.read_text()}")
                time.sleep(0.25)
        yield server
    finally:
        everything = proctree.descendants(process.pid)
        try:
            if server is not None:
                server.api("POST", "shutdown")
        except (OSError, http.client.HTTPException):
            pass
        try:
            process.wait(timeout=PROCESS_EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            proctree.kill_tree(process.pid)
            process.wait()
        left = _end_all(everything, PROCESS_EXIT_TIMEOUT)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"learner-{name}.log").write_bytes(log_path.read_bytes())
        assert not left, f"processes left behind by the course command's JupyterLab (killed): {left}"


@contextlib.contextmanager
def browser_tab(chromium_path: str, server: LabServer) -> Iterator[Any]:
    """A tab in a new headless Chromium, closed (with all its processes) at the end."""
    from playwright.sync_api import sync_playwright

    before = {p.pid for p in proctree.descendants(os.getpid())}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        try:
            yield tab
        finally:
            _screenshot(tab, "learner-last")
            lab = {p.pid for p in proctree.descendants(server.process.pid)}  # checked by course_command
            started = [p for p in proctree.descendants(os.getpid()) if p.pid not in before | lab]
            browser.close()
    left = _end_all(started, PROCESS_EXIT_TIMEOUT)
    assert not left, f"browser processes left behind (killed): {left}"


def _wait_for_kernel(tab: Any, what: str) -> None:
    tab.wait_for_selector(f"{PANEL} .jp-Cell", timeout=KERNEL_READY_TIMEOUT)
    deadline = time.monotonic() + KERNEL_READY_TIMEOUT / 1000
    while not tab.evaluate(KERNEL_READY):
        _accept_kernel_dialog(tab)
        if time.monotonic() > deadline:
            _screenshot(tab, f"learner-{what}-no-kernel")
            pytest.fail(f"the kernel of {what} did not start in {KERNEL_READY_TIMEOUT // 1000} s")
        tab.wait_for_timeout(200)


def _output_of(cell: Any) -> str:
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


def _wait_for_output(tab: Any, cell: Any, pattern: str, screenshot: str) -> str:
    """Wait until ``cell`` shows ``pattern``; it is kept in view, since JupyterLab renders only visible cells."""
    deadline = time.monotonic() + CELL_TIMEOUT / 1000
    while True:
        cell.scroll_into_view_if_needed()
        shown = _output_of(cell)
        if re.search(pattern, shown):
            break
        if time.monotonic() > deadline:
            _screenshot(tab, screenshot)
            pytest.fail(f"no {pattern!r} under the cell; it shows: {shown!r}", pytrace=False)
        tab.wait_for_timeout(250)
    _screenshot(tab, screenshot)
    return shown


def _run(tab: Any, cell: Any) -> None:
    """Select a cell (its prompt, so the editor is not entered) and run it with Shift+Enter."""
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").first.click()
    tab.keyboard.press("Shift+Enter")


def _saved_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


DIRTY = "() => document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current.jp-mod-dirty') !== null"


def _assert_not_changed_by_opening(tab: Any, name: str) -> None:
    """JupyterLab marks a notebook it changed (the kernel's metadata written in) with unsaved changes."""
    tab.wait_for_timeout(2000)  # the kernel's info arrives after it is ready
    assert not tab.evaluate(DIRTY), f"opening {name} changed it (unsaved changes before anything was done)"


@contextlib.contextmanager
def cpu_hog() -> Iterator[None]:
    """A process that keeps one core busy: the machine the learner shares with other work."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


def _save_and_wait(tab: Any, path: Path, saved: Any) -> list[dict]:
    """Ctrl+S, then wait until the file on disk holds what ``saved(cells)`` wants."""
    deadline = time.monotonic() + 60
    while True:
        tab.keyboard.press("Control+s")
        for _ in range(20):
            if saved(_saved_cells(path)):
                return _saved_cells(path)
            time.sleep(0.5)
        assert time.monotonic() < deadline, f"{path.name} was not saved"


def _measured_and_shown(cells: list[dict]) -> tuple[str, str, str]:
    """Notebook 01's speedup table, its self-check's line, and the numbers the check showed beside it."""
    by_id = {cell["id"]: cell for cell in cells}
    table = "".join(_text(o.get("text")) for o in by_id["speedup-measure"]["outputs"])
    outputs = by_id["speedup-check"]["outputs"]
    line = "".join(_text(o.get("text")) for o in outputs if o.get("output_type") == "stream")
    notes = [o["metadata"]["mpcourse"]["note"] for o in outputs if "mpcourse" in (o.get("metadata") or {})]
    return table, line, " ".join(notes)


def _older_course_version(workspace: Path, name: str) -> None:
    """Make ``name`` in the copy look as an older course gave it: a changed cell, and the manifest says so."""
    path = workspace / name
    notebook = json.loads(path.read_text(encoding="utf-8"))
    first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    first["source"] = _text(first["source"]) + "\n\n(an older version of this text)"
    data = (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    path.write_bytes(data)
    manifest = json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"][name] = learner_digest(data)
    (workspace / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_the_learners_copy_from_stub_to_solution_in_jupyterlab(chromium: str, tmp_path: Path) -> None:  # noqa: F811
    """The course command's JupyterLab: the learner's copy, NOT YET with a hint, %solution, PASS, work kept."""
    repo_notebooks = _digests(REPO_ROOT / "notebooks")
    first = course_notebooks()[0].name
    exercise = next(e for e in exercises().values() if e.notebook == first and len(e.answer_ids) == 1)
    solution = solution_parts(exercise)[0]
    marker = max(solution.splitlines(), key=len).strip()  # a line of the solution to find its cell by
    home = tmp_path / "home"
    home.mkdir()
    mine = home / DEFAULT_NAME / first

    untouched = course_notebooks()[1].name
    with cpu_hog(), course_command(tmp_path, home, "first-run") as server, browser_tab(chromium, server) as tab:
        log = (tmp_path / "first-run.log").read_text()
        assert f"{home / DEFAULT_NAME} (new" in log, log
        listed = {item["name"] for item in server.api("GET", "contents")["content"]}
        assert first in listed and "notebooks" not in listed, f"JupyterLab does not serve the learner's copy: {listed}"
        tab.goto(f"{server.url}/?token={server.token}")  # the default url: the path of the link the command prints
        _wait_for_kernel(tab, first)
        assert first in tab.url, f"the course command opened {tab.url}, not {first}"
        _screenshot(tab, "learner-01-opened")
        assert code_cell(tab, (marker,)).count() == 0, "the copy shows the solution before it was asked for"
        assert tab.locator(f"{PANEL} .jp-OutputArea-output").count() == 0, "the copy shows results before any run"
        _assert_not_changed_by_opening(tab, first)

        run_all_cells(tab)
        check = code_cell(tab, (f"check_{exercise.name}(",)).first
        said = _wait_for_output(tab, check, r"NOT YET: .*Hint: ", "learner-02-not-yet")
        asked = re.search(r"%solution (\S+)", said)
        assert asked, f"the NOT YET line does not say how to get the solution: {said!r}"
        assert not re.search(r"Out\[\d+\]", said), f"a check shows a value under its line: {said!r}"

        _run(tab, check)  # select the check cell, then a new cell below it, as a learner would
        _wait_for_output(tab, check, r"NOT YET", "learner-02-not-yet-again")
        check.locator(".jp-InputPrompt").first.click()
        tab.keyboard.press("b")
        tab.keyboard.press("Enter")
        tab.keyboard.type(f"%solution {asked.group(1)}")
        tab.keyboard.press("Shift+Enter")
        brought = code_cell(tab, (marker,))
        brought.first.wait_for(timeout=CELL_TIMEOUT)
        _wait_for_output(tab, brought.first, r"has run", "learner-03-solution-in")
        assert brought.count() == 1, "the solution came in more than once"
        _run(tab, check)
        _wait_for_output(tab, check, r"PASS: ", "learner-04-pass")
        cells = _save_and_wait(
            tab,
            mine,
            lambda cells: any("PASS: " in json.dumps(c.get("outputs")) for c in cells if c["id"] == exercise.check_id),
        )
        table, line, shown = _measured_and_shown(cells)
        two = re.search(r"^\s*2\s+\S+\s+(\d+\.\d+)x", table, re.MULTILINE)
        assert two and line.startswith("PASS: "), f"on a busy machine the right measurement got: {line!r}\n{table}"
        assert f"ran {two.group(1)}x as fast" in shown, f"the check showed {shown!r} beside a table of\n{table}"
        if float(two.group(1)) <= 1.3:
            assert "why the speedup is low" in shown, shown

        _older_course_version(home / DEFAULT_NAME, untouched)
        tab.goto(f"{server.url}/lab/tree/{untouched}?token={server.token}")
        _wait_for_kernel(tab, untouched)
        _assert_not_changed_by_opening(tab, untouched)
        setup = tab.locator(f"{PANEL} .jp-CodeCell").first
        _run(tab, setup)
        setup.locator(".jp-InputPrompt", has_text=re.compile(r"\[\d+\]")).wait_for(timeout=CELL_TIMEOUT)
        _save_and_wait(tab, home / DEFAULT_NAME / untouched, lambda cells: any(c.get("execution_count") for c in cells))

    assert _digests(REPO_ROOT / "notebooks") == repo_notebooks, "the repository's notebooks/ changed"
    edited = mine.read_bytes()
    assert any(marker in _text(c["source"]) for c in _saved_cells(mine)), "the solution cell was not saved"

    with course_command(tmp_path, home, "second-run") as server:
        log = (tmp_path / "second-run.log").read_text()
        assert f"yours, kept as you left them: {first}" in log, log
        assert f"updated  {untouched}" in log, f"opening, running and saving {untouched} counted as an edit:\n{log}"
        assert f"Starting JupyterLab on {untouched}" in log, log
        assert mine.read_bytes() == edited, "running the course command again changed the edited notebook"
        served = server.api("GET", f"contents/{first}")["content"]["cells"]
        assert any(marker in _text(c["source"]) for c in served), "JupyterLab does not show the learner's edit"

    progress = subprocess.run(
        [sys.executable, "-m", "mpcourse", "progress"], env=dict(os.environ, HOME=str(home)),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert re.search(rf"PASS +{re.escape(exercise.name)}:", progress.stdout), progress.stdout
