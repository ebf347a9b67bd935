"""The course in a real browser: JupyterLab driven by Chromium through Playwright.

A learner opens a notebook in JupyterLab and runs every cell.  These tests do the
same on a copy of ``notebooks/`` with the stored outputs removed, so everything
they see was produced by this run, and check what the learner must see:

* notebook 01: the line a child process prints ("Hello from a child process", from
  ``mpcourse.workers.say_hello``) under the cell that starts it, and a plot (a PNG image);
* notebook 02: an ipywidgets explorer that renders and, when used (its Run button
  pressed, or else its first control changed), changes an output: a kernel round trip;
* notebook 04: the lines a Pool's tasks print ("number 3", from
  ``mpcourse.workers.print_number``) under the cell that calls ``mpcourse.run_map``;
* notebook 06: the same for four processes, under the cell that calls ``mpcourse.run_processes``.

Cells are found by what they contain (a name in the code, a line in the output), never
by position, so the notebooks can change freely as long as those markers stay.
Screenshots go to ``test-artifacts/browser/``.
The server, its kernels and the browser are shut down after the tests, and the
tests fail if any of their processes is left behind.

Needs Debian's Chromium (``sudo apt-get install chromium``) and Playwright for
Python (``pip install -e ".[test]"``); never ``playwright install``.  Where
either is missing the tests are skipped, except under CI (``CI=true``): there they fail.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from mpcourse.grading import proctree

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
# The notebooks to copy; another folder can be given for experiments.
NOTEBOOKS = Path(os.environ.get("MPCOURSE_BROWSER_NOTEBOOKS", REPO_ROOT / "notebooks"))

# What each test relies on in the notebooks (tell the notebook authors if you change these).
FIRST_NOTEBOOK = "01_what_is_multiprocessing.ipynb"
CHILD_CELL = ("say_hello",)  # a cell starting a Process with mpcourse.workers.say_hello ...
CHILD_LINE = "Hello from a child process"  # ... shows the line the child printed
WIDGET_NOTEBOOK = "02_processes_vs_threads.ipynb"  # has an ipywidgets control that changes an output
# notebook, a cell whose code has all these names ..., ... shows this line, printed in a child
PRINTING_CELLS = {
    "pool": ("04_what_is_a_pool.ipynb", ("run_map", "print_number"), "number 3"),
    "processes": ("06_processes_printing_numbers.ipynb", ("run_processes", "print_number"), "number 3"),
}

INSTALL_HINT = (
    'to run the browser tests: `sudo apt-get install chromium` and `pip install -e ".[test]"` '
    "(do not run `playwright install`; set MPCOURSE_CHROMIUM to use another Chromium binary)"
)
# A closed network: no background requests, no updates, no sync; headless as root needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 90  # seconds
KERNEL_READY_TIMEOUT = 90_000  # milliseconds, Playwright's unit
RUN_ALL_TIMEOUT = 240_000
WIDGET_UPDATE_TIMEOUT = 60_000
PROCESS_EXIT_TIMEOUT = 20  # seconds


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _missing(what: str) -> None:
    """Skip on a developer's machine, fail under CI: the browser tests must run there."""
    message = f"{what}: {INSTALL_HINT}"
    if _in_ci():
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def _chromium_path() -> str | None:
    chosen = os.environ.get("MPCOURSE_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


# --- processes ------------------------------------------------------------------------------


#: Every process a test's JupyterLab starts inherits this variable, with a value unique to the test.
_MARKER_ENV = "MPCOURSE_TEST_RUN"


def _end_all(processes: list[psutil.Process], timeout: float) -> list[str]:
    """Wait for ``processes`` to exit; kill the ones that do not; return what had to be killed."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    left = [proctree.describe(p, width=200) for p in alive]
    proctree.kill(alive, wait=5)
    return left


# --- the JupyterLab server ------------------------------------------------------------------


@dataclass
class LabServer:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    root: Path

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebook_url(self, name: str) -> str:
        # the same path a Binder link opens: urlpath=lab/tree/notebooks/...
        return f"{self.url}/lab/tree/notebooks/{name}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_notebooks_without_outputs(source: Path, target: Path) -> None:
    """Copy the course's notebooks, clearing outputs: what the browser shows comes from this run."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for path in target.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(notebook, path)


@pytest.fixture
def lab_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LabServer]:
    """A fresh ``jupyter lab`` on a free localhost port, serving a throwaway copy of the course.

    Fresh for each test, like a Binder launch: no tabs restored, no kernel left from before.
    """
    base = tmp_path
    root = base / "course"
    _copy_notebooks_without_outputs(NOTEBOOKS, root / "notebooks")
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    # no "get Jupyter news?" pop-up over the notebook (the network is closed anyway)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(os.environ)
    env.update(  # the developer's own Jupyter settings and workspaces stay out of it, and untouched
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
    )
    env.pop("JUPYTER_TOKEN", None)
    # ipykernel turns off its capture of child processes' output when it sees pytest's marker
    env.pop("PYTEST_CURRENT_TEST", None)
    marker = env[_MARKER_ENV] = f"{request.node.name}-{os.getpid()}-{secrets.token_hex(8)}"
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, process, root)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                server.api("GET", "status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in {SERVER_START_TIMEOUT} s:\n{log_path.read_text()}")
                time.sleep(0.25)
        yield server
    finally:
        everything = proctree.descendants(process.pid)
        try:
            server.api("POST", "shutdown")  # shuts the kernels down, then the server
        except (urllib.error.URLError, ConnectionError):
            pass
        try:
            process.wait(timeout=PROCESS_EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            proctree.kill_tree(process.pid)  # and its process group (start_new_session)
            process.wait()
        # the tree misses what was reparented (an orphaned child); the marker finds it, and nothing else
        seen = {p.pid for p in everything}
        left = _end_all(
            everything + [p for p in proctree.marked(_MARKER_ENV, marker) if p.pid not in seen], PROCESS_EXIT_TIMEOUT
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_path, ARTIFACTS / f"{request.node.name}-jupyterlab.log")
        assert not left, f"processes left behind by JupyterLab or its kernels (killed): {left}"


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium, to be driven by Playwright (never a browser build Playwright downloads)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python is not installed")
    executable = _chromium_path()
    if executable is None:
        _missing("Chromium is not installed")
    return executable


@pytest.fixture
def page(chromium: str, lab_server: LabServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A tab in a new headless Chromium; the browser is gone before the server shuts down.

    One browser per test: its processes start and end inside the test, so the suite's
    leak guard (which checks every test for child processes left alive) sees none.
    """
    from playwright.sync_api import sync_playwright

    before = {p.pid for p in proctree.descendants(os.getpid())}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        try:
            yield tab
        finally:
            _screenshot(tab, f"{request.node.name}-last")  # the page as the test left it
            server = {p.pid for p in proctree.descendants(lab_server.process.pid)}  # checked by lab_server
            started = [p for p in proctree.descendants(os.getpid()) if p.pid not in before | server]
            browser.close()
    left = _end_all(started, PROCESS_EXIT_TIMEOUT)
    assert not left, f"browser processes left behind (killed): {left}"


# --- driving JupyterLab ---------------------------------------------------------------------

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook tab in front


def _screenshot(tab: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        tab.screenshot(path=str(path))
    except Exception:  # a closed or crashed page: the test reports the real error
        pass
    return path


# The kernel is started and connected: the status bar reads "Python 3 (ipykernel) | Idle"
# (the toolbar's execution indicator says "idle" already while there is "No Kernel").
KERNEL_READY = r"""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .map(e => e.textContent.trim())
  .some(t => /\| Idle$/.test(t) && !t.startsWith('No Kernel'))"""

PROMPTS = f"""() => [...document.querySelectorAll("{PANEL} .jp-CodeCell .jp-InputPrompt")]
  .map(p => p.textContent.trim())"""

ANY_CELL_STARTED = f"() => ({PROMPTS})().some(p => /^\\[(\\*|\\d+)\\]:$/.test(p))"

ALL_CELLS_RUN = f"""() => {{
  const prompts = ({PROMPTS})();
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) && ({KERNEL_READY})();
}}"""


def _accept_kernel_dialog(tab: Any) -> None:
    """If JupyterLab asks which kernel to use, take the one it proposes (the notebook's python3)."""
    dialog = tab.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count() and dialog.first.is_visible():
        dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()


def open_notebook(tab: Any, server: LabServer, name: str) -> None:
    """Open a notebook the way a Binder link does and wait until its kernel is ready."""
    if not (server.root / "notebooks" / name).exists():
        pytest.fail(f"no {name} in {NOTEBOOKS}", pytrace=False)
    tab.goto(server.notebook_url(name))
    tab.wait_for_selector(f"{PANEL} .jp-Cell", timeout=KERNEL_READY_TIMEOUT)
    deadline = time.monotonic() + KERNEL_READY_TIMEOUT / 1000
    while not tab.evaluate(KERNEL_READY):
        _accept_kernel_dialog(tab)
        if time.monotonic() > deadline:
            _screenshot(tab, f"{Path(name).stem}-no-kernel")
            pytest.fail(f"the kernel of {name} did not start in {KERNEL_READY_TIMEOUT // 1000} s")
        tab.wait_for_timeout(200)


def run_all_cells(tab: Any) -> None:
    """Run → Run All Cells, as a learner would, then wait until every code cell has run."""
    tab.locator(f"{PANEL} .jp-Cell .jp-InputPrompt").first.click()  # focus the notebook
    for _ in range(3):  # a click while JupyterLab is still settling can be lost: try again
        _accept_kernel_dialog(tab)
        tab.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
        tab.locator(".lm-Menu .lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            tab.wait_for_function(ANY_CELL_STARTED, timeout=10_000)
            break
        except Exception:
            continue
    try:
        tab.wait_for_function(ALL_CELLS_RUN, timeout=RUN_ALL_TIMEOUT)
    except Exception:
        pytest.fail(f"not every cell ran (a cell failed, or it timed out); prompts: {tab.evaluate(PROMPTS)}")


def code_cell(tab: Any, markers: tuple[str, ...]) -> Any:
    """The code cells whose code contains every one of ``markers``."""
    cells = tab.locator(f"{PANEL} .jp-CodeCell")
    for marker in markers:
        cells = cells.filter(has=tab.locator(".jp-InputArea", has_text=marker))
    return cells


def expect_printed(tab: Any, markers: tuple[str, ...], text: str, screenshot: str) -> None:
    """Assert that a cell whose code has ``markers`` shows ``text`` in what it printed; screenshot it."""
    from playwright.sync_api import expect

    cells = code_cell(tab, markers)
    if cells.count() == 0:
        pytest.fail(f"no code cell contains {' and '.join(markers)}", pytrace=False)
    stdout = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']"
    output = cells.locator(stdout, has_text=text).first
    if output.count() == 0:
        shown = cells.locator(".jp-OutputArea-output").all_inner_texts()
        cells.first.scroll_into_view_if_needed()
        _screenshot(tab, screenshot)
        pytest.fail(
            f"{text!r} is not shown under the cell with {' and '.join(markers)}; it shows: {shown}", pytrace=False
        )
    output.scroll_into_view_if_needed()
    expect(output).to_be_visible()
    expect(output).to_contain_text(text)
    _screenshot(tab, screenshot)


# What a learner can change, in page order.
CONTROLS = ", ".join(
    f"{PANEL} .jp-OutputArea-output .jupyter-widgets {selector}"
    for selector in (
        ".noUi-handle",  # IntSlider, FloatSlider, ...
        "select",  # Dropdown
        ".widget-text input",  # IntText, BoundedIntText, Text
        "button.jupyter-button",  # Button, ToggleButtons
    )
)
RUN_BUTTON = re.compile(r"^\s*Run\s*$")

# The text and images of every output, leaving out the control itself (its own look changes anyway).
OUTPUT_SIGNATURE = f"""(control) => {{
  const own = control.closest('.widget-inline-hbox, .widget-text, .widget-dropdown, button') || control;
  own.setAttribute('data-mpcourse-control', '');
  const parts = [];
  for (const area of document.querySelectorAll("{PANEL} .jp-OutputArea")) {{
    const copy = area.cloneNode(true);
    copy.querySelectorAll('[data-mpcourse-control]').forEach(e => e.remove());
    parts.push(copy.textContent);
    copy.querySelectorAll('img').forEach(img => parts.push(img.src.length + ':' + img.src.slice(-80)));
  }}
  own.removeAttribute('data-mpcourse-control');
  return parts.join('\\n');
}}"""


def pick_control(tab: Any) -> Any:
    """The widget a learner would use: a Run button if there is one, else the first control."""
    run = tab.locator(f"{PANEL} .jp-OutputArea-output .jupyter-widgets button.jupyter-button", has_text=RUN_BUTTON)
    return run.first if run.count() else tab.locator(CONTROLS).first


def use_control(control: Any) -> None:
    """Use a widget as a learner would: arrow keys on a slider, another option, a new number, a click."""
    kind = control.evaluate("e => e.classList.contains('noUi-handle') ? 'slider' : e.tagName.toLowerCase()")
    if kind == "slider":
        value = control.get_attribute("aria-valuenow")
        control.focus()
        control.press("ArrowRight")
        if control.get_attribute("aria-valuenow") == value:  # it was at its maximum
            control.press("ArrowLeft")
            control.press("ArrowLeft")
    elif kind == "select":
        current = control.input_value()
        values = control.evaluate("e => [...e.options].map(o => o.value)")
        control.select_option(next(v for v in values if v != current))
    elif kind == "input":
        current = control.input_value()
        try:
            new = str(int(float(current)) + 1)
        except ValueError:
            new = current + "x"
        control.fill(new)
        control.press("Enter")
    else:
        control.click()


def expect_output_change(tab: Any, control: Any, before: str) -> None:
    deadline = time.monotonic() + WIDGET_UPDATE_TIMEOUT / 1000
    while control.evaluate(OUTPUT_SIGNATURE) == before:
        if time.monotonic() > deadline:
            pytest.fail(f"using the widget changed no output in {WIDGET_UPDATE_TIMEOUT // 1000} s", pytrace=False)
        tab.wait_for_timeout(200)


# --- the tests ------------------------------------------------------------------------------


def test_child_output_and_plot_in_jupyterlab(page: Any, lab_server: LabServer) -> None:
    """Notebook 01 in JupyterLab: what a child process printed, and a plot, are shown."""
    from playwright.sync_api import expect

    open_notebook(page, lab_server, FIRST_NOTEBOOK)
    run_all_cells(page)
    _screenshot(page, "01-after-run-all")

    expect_printed(page, CHILD_CELL, CHILD_LINE, "01-child-output")

    image = page.locator(f"{PANEL} .jp-OutputArea-output img[src^='data:image/png']").first
    assert image.count() == 1, "no plot (PNG image) in any output"
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the plot image did not load"
    _screenshot(page, "01-plot")


def test_widget_updates_its_output_in_jupyterlab(page: Any, lab_server: LabServer) -> None:
    """Notebook 02 in JupyterLab: a widget renders, using it changes an output, and a Run button draws a chart."""
    from playwright.sync_api import expect

    open_notebook(page, lab_server, WIDGET_NOTEBOOK)
    run_all_cells(page)
    control = pick_control(page)
    assert control.count() == 1, "no ipywidgets control (slider, dropdown, text box, button) in any output"
    control.scroll_into_view_if_needed()
    expect(control).to_be_visible()
    _screenshot(page, "02-widget-before")
    before = control.evaluate(OUTPUT_SIGNATURE)
    use_control(control)
    try:
        expect_output_change(page, control, before)
    finally:
        _screenshot(page, "02-widget-after")
    if RUN_BUTTON.match(control.inner_text()):  # an explorer: the run also draws its chart in the widget
        chart = page.locator(f"{PANEL} .jp-OutputArea-output .widget-output img[src^='data:image/png']").first
        expect(chart).to_be_visible(timeout=WIDGET_UPDATE_TIMEOUT)
        chart.scroll_into_view_if_needed()
        _screenshot(page, "02-widget-chart")


@pytest.mark.parametrize("kind", sorted(PRINTING_CELLS))
def test_child_prints_in_jupyterlab(page: Any, lab_server: LabServer, kind: str) -> None:
    """Notebooks 04 and 06 in JupyterLab: what a Pool's tasks / several processes printed is shown."""
    notebook, markers, line = PRINTING_CELLS[kind]
    stem = Path(notebook).stem[:2]
    open_notebook(page, lab_server, notebook)
    run_all_cells(page)
    _screenshot(page, f"{stem}-after-run-all")
    expect_printed(page, markers, line, f"{stem}-{kind}-output")
