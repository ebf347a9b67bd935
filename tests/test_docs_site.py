"""The docs site in a real browser: built from ``docs/``, served on 127.0.0.1, opened in Chromium.

The site is built as CI builds it (``sphinx-build -W -n --keep-going``: a warning fails the
build) into a temporary folder, served by a local HTTP server in this process, and opened
with Playwright in Debian's Chromium (the launch rules of ``test_browser.py``: never a
browser Playwright downloads; skipped where Chromium or Playwright is missing, failing
under ``CI=true``). What a reader of the site must get:

* every internal link, from every page reachable from the index, leads somewhere: no 404,
  and a link to ``page#anchor`` finds that anchor on the page;
* every chapter shows its plots: the ``<img>`` elements of a chapter page have loaded, with
  a natural size, at least one per ``image/png`` output stored in the learner's copy of its
  notebook (the site shows that copy: see ``docs/_chapters.py``).
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import (
    CHROMIUM_ARGS,
    VIEWPORT,
    _end_all,
    _in_ci,
    chromium,  # noqa: F401 - the fixture
)

from mpcourse.grading import proctree
from mpcourse.grading.notebook import load_master
from mpcourse.grading.release import student_copy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
NOTEBOOKS = REPO_ROOT / "notebooks"
BUILD_TIMEOUT = 240  # seconds
PAGE_TIMEOUT = 30_000  # milliseconds, Playwright's unit
PROCESS_EXIT_TIMEOUT = 20  # seconds


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site's HTML, built from ``docs/`` with warnings as errors (the command CI runs)."""
    try:
        import myst_nb  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        message = 'the docs site needs Sphinx and MyST-NB: pip install -e ".[docs]"'
        if _in_ci():
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("docs-site")
    html, doctrees = base / "html", base / "doctrees"
    command = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-b", "html", "-d", str(doctrees)]
    built = subprocess.run(
        [*command, str(DOCS), str(html)], capture_output=True, text=True, timeout=BUILD_TIMEOUT, cwd=REPO_ROOT
    )
    assert built.returncode == 0, f"sphinx-build failed:\n{built.stdout[-3000:]}\n{built.stderr[-5000:]}"
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Serve without a line per request on the test's stderr."""


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The built site over HTTP on a free 127.0.0.1 port, served by a thread of this process."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="docs-site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser(chromium: str) -> Iterator[Any]:  # noqa: F811
    """A new headless Chromium for one test; its processes start and end inside the test."""
    from playwright.sync_api import sync_playwright

    before = {p.pid for p in proctree.descendants(os.getpid())}
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched.new_context(viewport=VIEWPORT)
        finally:
            started = [p for p in proctree.descendants(os.getpid()) if p.pid not in before]
            launched.close()
    left = _end_all(started, PROCESS_EXIT_TIMEOUT)
    assert not left, f"browser processes left behind (killed): {left}"


def _links(tab: Any) -> list[str]:
    """The absolute targets of the page's links, as the browser resolved them."""
    return tab.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")


def _has_anchor(tab: Any, fragment: str) -> bool:
    anchor = urllib.parse.unquote(fragment)
    return tab.evaluate("a => !!(document.getElementById(a) || document.getElementsByName(a).length)", anchor)


def _is_page(url: str) -> bool:
    path = urllib.parse.urlsplit(url).path
    return path.endswith((".html", "/"))


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A new tab, closed after the test."""
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


def test_every_internal_link_of_the_site_resolves(server: str, browser: Any, tab: Any) -> None:
    failed: list[str] = []  # every request of a page's own loading (stylesheets, scripts, images) too
    tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    linked_from = {server: "(start)"}  # every internal target found, and the page that first linked to it
    fragments: dict[str, set[tuple[str, str]]] = {}  # a page -> (anchor, linking page)
    queue, broken, unreachable = [server], [], set()
    while queue:
        url = queue.pop()
        if not _is_page(url):  # a file to download (a page's source): fetched, not opened
            status = browser.request.get(url).status
            if status != 200:
                broken.append(f"{url} (linked from {linked_from[url]}): {status}")
                unreachable.add(url)
            continue
        response = tab.goto(url, wait_until="load", timeout=PAGE_TIMEOUT)
        if response is None or response.status != 200:
            broken.append(f"{url} (linked from {linked_from[url]}): {response.status if response else 'no response'}")
            unreachable.add(url)
            continue
        for link in _links(tab):
            target, _, fragment = link.partition("#")
            if not target.startswith(server):
                continue  # another site: the tests have no network
            if fragment:
                fragments.setdefault(target, set()).add((fragment, url))
            if target not in linked_from:
                linked_from[target] = url
                queue.append(target)
    for url, wanted in fragments.items():
        if _is_page(url) and url not in unreachable:
            tab.goto(url, wait_until="load", timeout=PAGE_TIMEOUT)
            broken += [f"{url}#{f} (linked from {s}): no such anchor" for f, s in wanted if not _has_anchor(tab, f)]
    chapters = [url for url in linked_from if "/chapters/" in url]
    assert len(chapters) >= len(list(NOTEBOOKS.glob("*.ipynb"))), f"not every chapter is linked: {chapters}"
    assert not broken, "broken links:\n" + "\n".join(sorted(broken))
    assert not failed, "requests that failed while the pages loaded:\n" + "\n".join(failed)


def _stored_plots(notebook: Path) -> int:
    cells = student_copy(load_master(notebook, executed=False)).cells
    return sum("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))


def test_every_chapter_page_shows_its_stored_plots(server: str, tab: Any) -> None:
    problems = []
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        response = tab.goto(f"{server}chapters/{notebook.stem}.html", wait_until="load", timeout=PAGE_TIMEOUT)
        if response is None or response.status != 200:
            problems.append(f"{notebook.stem}: no page")
            continue
        images = tab.eval_on_selector_all(
            "article img",
            "imgs => imgs.map(i => ({src: i.getAttribute('src'), loaded: i.complete,"
            " w: i.naturalWidth, h: i.naturalHeight}))",
        )
        empty = [image["src"] for image in images if not (image["loaded"] and image["w"] > 0 and image["h"] > 0)]
        if empty:
            problems.append(f"{notebook.stem}: images that did not load: {empty}")
        if len(images) < _stored_plots(notebook):
            problems.append(f"{notebook.stem}: {len(images)} images, {_stored_plots(notebook)} plots in the notebook")
    assert not problems, "\n".join(problems)
