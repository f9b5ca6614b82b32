"""Fixtures for the real-browser tests.

The site is built from the committed docs/ (never regenerated here) into a
temporary directory with a real ``mkdocs build --strict`` subprocess, served by
the standard library's HTTP server on 127.0.0.1 and driven with Debian's
chromium through Playwright.  Playwright never downloads a browser: it is
launched with ``executable_path=/usr/bin/chromium``.
"""
from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SOURCE_DATE_EPOCH = "1577836800"  # 2020-01-01, keeps the sitemap dates fixed

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser/ is a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def mkdocs_build(dest: Path) -> subprocess.CompletedProcess:
    from kbtest import build_site_into
    return build_site_into(dest)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("browser-site") / "site"
    proc = mkdocs_build(dest)
    assert proc.returncode == 0, (
        f"mkdocs build --strict failed with exit code {proc.returncode}:\n"
        f"{proc.stdout}\n{proc.stderr}")
    assert (dest / "index.html").is_file(), f"no index.html in {dest}"
    return dest


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser cancelling a request it no longer needs is not an error
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True,
                              name="site-server")
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium; ./dev.sh test installs it). Playwright "
            "must not download its own browser.", pytrace=False)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh desktop-sized page; JS errors are collected in ``page.js_errors``.

    Tests call ``assert_no_js_errors(page)`` at the end; the teardown checks
    again so no visited page can raise unnoticed.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True,
        locale="vi-VN")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"{pg.url}: {exc}"))
    pg.js_errors = errors
    try:
        yield pg
    finally:
        context.close()
    assert not errors, "JavaScript errors on visited pages:\n" + "\n".join(errors)
