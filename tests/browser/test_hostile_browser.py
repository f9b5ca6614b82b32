"""Hostile document text built into a real site and opened in Chromium: no
script runs, markup is shown as text, also in search results."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_hostile import HOSTILE_TEXT

ROOT = Path(__file__).resolve().parents[2]


class Tags(HTMLParser):
    """Collects what would run: on* attributes, javascript: URLs, scripts with the payload."""

    def __init__(self):
        super().__init__()
        self.bad = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append((tag, name, value))
        if tag in ("iframe", "img") and any((v or "") == "x" or "javascript" in (v or "") for _, v in attrs):
            self.bad.append((tag, attrs))
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and "pwned" in data:
            self.bad.append(("script", data[:60]))

    def handle_endtag(self, tag):
        self.in_script = False


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from vnkb.build import build
    from vnkb.site import build_site
    tmp = tmp_path_factory.mktemp("hostile-site")
    src = tmp / "src"
    src.mkdir()
    shutil.copy2(next((ROOT / "source_docs").glob("002_*")), src)
    (src / "chèn mã độc.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    project = tmp / "project"
    (project / "docs").mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for path in (ROOT / "docs").iterdir():
        if path.is_file() and path.suffix == ".md":
            shutil.copy2(path, project / "docs" / path.name)
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
    result = build(src, project / "docs")
    assert not result.failed, [r.reason for r in result.failed]
    build_site(project, project / "site")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(project / "site")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield project / "site", f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_no_executable_markup_in_the_html(hostile_site):
    site, _ = hostile_site
    pages = [p for p in site.rglob("*.html") if "Dòng rất dài" in p.read_text(encoding="utf-8")]
    assert pages, "the hostile document has no page"
    for page in pages:
        parser = Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.bad, (page, parser.bad)


def test_injected_markup_never_runs_in_the_browser(browser, hostile_site):
    site, base = hostile_site
    # the document's pages (its very long lines make it a text of several pages: trang-2/ ...)
    found = next(p for p in (site / "van-ban").rglob("index.html") if "Dòng rất dài" in p.read_text(encoding="utf-8"))
    home = found.parent.parent if found.parent.name.startswith("trang-") else found.parent
    pages_html = [home / "index.html"] + sorted(home.glob("trang-*/index.html"))
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    text = ""
    for page_html in pages_html:
        page.goto(f"{base}/{page_html.relative_to(site).parent.as_posix()}/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None
        text += page.inner_text("article")
    assert '<script>window.__pwned = 1; alert("x")</script>' in text     # shown as text, not run
    assert "{{ config.site_name }}" in text
    assert page.locator("article .admonition").count() == 0
    page.goto(f"{base}/tim-kiem/?q=pwned")
    page.wait_for_function("() => { const s = document.getElementById('kb-search-status').textContent;"
                           " return s.length > 0 && !s.startsWith('Đang'); }", timeout=60000)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#kb-search-results script, #kb-search-results img, #kb-search-results iframe").count() == 0
    context.close()
    assert not dialogs
