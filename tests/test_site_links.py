"""The built HTML site, checked file by file (no browser).

Builds the committed docs/ with a real ``mkdocs build --strict`` into a
temporary directory (never the repo's site/), then crawls every .html file.
"""
from __future__ import annotations

import gzip
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DATE_EPOCH = "1577836800"
MAX_DOCUMENT_PAGE_BYTES = 60 * 1024


def _configured_nav_entries() -> int:
    """Entries of mkdocs.yml's nav (pages and sections): a document page's
    navigation may hold those, never the list of documents."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)   # !ENV, !!python/name ...
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"]

    def count(items) -> int:
        total = 0
        for item in items:
            total += 1
            for value in (item.values() if isinstance(item, dict) else []):
                if isinstance(value, list):
                    total += count(value)
        return total
    return count(nav)


# the configured nav plus the site-title and section-back links Material adds
MAX_PRIMARY_NAV_LINKS = _configured_nav_entries() + 5
URL_ATTRS = {"href", "src"}
EXTERNAL_PREFIXES = ("http://", "https://", "mailto:", "tel:", "data:")


def mkdocs_build(dest: Path) -> subprocess.CompletedProcess:
    from kbtest import build_site_into
    return build_site_into(dest)


def _check_build(proc: subprocess.CompletedProcess, dest: Path) -> None:
    assert proc.returncode == 0, (
        f"mkdocs build --strict exited with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    assert (dest / "index.html").is_file(), f"no index.html in {dest}"


@pytest.fixture(scope="module")
def site_build(tmp_path_factory):
    dest = tmp_path_factory.mktemp("links-site") / "site"
    proc = mkdocs_build(dest)
    return dest, proc


@pytest.fixture(scope="module")
def site(site_build) -> Path:
    dest, proc = site_build
    _check_build(proc, dest)
    return dest


class PageParser(HTMLParser):
    """Collects URL attributes, <html lang> and the links inside .md-nav--primary."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attr, value)
        self.html_lang: str | None = None
        self.primary_nav_links = 0
        self.primary_navs = 0
        self._nav_depth = 0  # <nav> nesting depth inside a primary nav (0 = outside)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html" and self.html_lang is None:
            self.html_lang = attrs.get("lang")
        for name in URL_ATTRS & attrs.keys():
            if attrs[name] is not None:
                self.urls.append((tag, name, attrs[name]))
        if tag == "nav":
            if self._nav_depth:
                self._nav_depth += 1
            elif "md-nav--primary" in (attrs.get("class") or "").split():
                self._nav_depth = 1
                self.primary_navs += 1
        elif tag == "a" and self._nav_depth:
            self.primary_nav_links += 1

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def resolve(site: Path, page: Path, url: str) -> Path | None:
    """The file an internal URL points to, or None when it points to nothing."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith("/"):
        target = PurePosixPath(path.lstrip("/"))
        base = site
    else:
        target = PurePosixPath(path)
        base = page.parent
    candidate = Path(os.path.normpath(base / target))
    try:
        candidate.relative_to(site)
    except ValueError:
        return None  # escapes the site
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


# --------------------------------------------------------------------------


def test_mkdocs_build_strict_exits_zero(site_build):
    dest, proc = site_build
    assert proc.returncode == 0, (
        f"mkdocs build --strict exited with {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    pages = html_files(dest)
    assert len(pages) >= 14, [p.relative_to(dest).as_posix() for p in pages]


def test_internal_links_resolve_and_no_javascript_urls(site: Path):
    broken: list[str] = []
    javascript: list[str] = []
    checked = 0
    for page in html_files(site):
        rel = page.relative_to(site).as_posix()
        for tag, attr, value in parse(page).urls:
            url = value.strip()
            if url.lower().replace(" ", "").startswith("javascript:"):
                javascript.append(f"{rel}: <{tag} {attr}={value!r}>")
                continue
            if not url or url.startswith("#") or url.lower().startswith(EXTERNAL_PREFIXES):
                continue
            if url.startswith("//"):
                broken.append(f"{rel}: protocol-relative URL <{tag} {attr}={value!r}>")
                continue
            checked += 1
            if resolve(site, page, url) is None:
                broken.append(f"{rel}: <{tag} {attr}={value!r}> points to no file")
    assert not javascript, "javascript: URLs in the site:\n" + "\n".join(javascript)
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken)
    assert checked > 100, f"only {checked} internal URLs checked; is the crawl working?"


def test_every_page_is_vietnamese(site: Path):
    wrong = {}
    for page in html_files(site):
        lang = parse(page).html_lang
        raw = page.read_text(encoding="utf-8")
        if lang != "vi" or '<html lang="vi"' not in raw:
            wrong[page.relative_to(site).as_posix()] = lang
    assert not wrong, f"pages without <html lang=\"vi\">: {wrong}"


def document_pages(site: Path) -> list[Path]:
    pages = sorted((site / "van-ban").rglob("index.html"))
    assert pages, "no pages under site/van-ban/"
    return pages


def test_document_pages_are_small(site: Path):
    big = {p.relative_to(site).as_posix(): p.stat().st_size
           for p in document_pages(site) if p.stat().st_size >= MAX_DOCUMENT_PAGE_BYTES}
    assert not big, f"document pages of {MAX_DOCUMENT_PAGE_BYTES} bytes or more: {big}"


def test_document_pages_do_not_carry_the_full_navigation(site: Path):
    counts = {}
    for page in document_pages(site):
        parsed = parse(page)
        assert parsed.primary_navs >= 1, f"{page.relative_to(site)}: no .md-nav--primary"
        counts[page.relative_to(site).as_posix()] = parsed.primary_nav_links
    too_many = {k: v for k, v in counts.items() if v >= MAX_PRIMARY_NAV_LINKS}
    assert not too_many, (
        f"document pages whose primary navigation has {MAX_PRIMARY_NAV_LINKS}+ links "
        f"(the whole document list leaked into the nav?): {too_many}")


def _file_map(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path):
    other = tmp_path / "site-again"
    _check_build(mkdocs_build(other), other)
    first, second = _file_map(site), _file_map(other)
    only_first = sorted(first.keys() - second.keys())
    only_second = sorted(second.keys() - first.keys())
    assert not only_first and not only_second, (
        f"file lists differ: only in build 1: {only_first}; only in build 2: {only_second}")
    differing = []
    for rel in sorted(first):
        a, b = first[rel].read_bytes(), second[rel].read_bytes()
        if a == b:
            continue
        if rel.endswith(".gz") and gzip.decompress(a) == gzip.decompress(b):
            continue  # only the gzip header (mtime) differs
        differing.append(rel)
    assert not differing, f"two builds of the same docs/ differ in: {differing}"


def test_sitemap_lists_every_document_attachment_and_registry_page(site: Path):
    import xml.etree.ElementTree as ET
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {urlsplit(e.text).path.lstrip("/") for e in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    pages = {p.parent.relative_to(site).as_posix() + "/" for p in site.glob("van-ban/**/index.html")}
    pages |= {p.parent.relative_to(site).as_posix() + "/" for p in site.glob("dan-chieu/**/index.html")}
    assert len(pages) >= 35
    missing = sorted(pages - locs)
    assert not missing, f"pages missing from sitemap.xml: {missing}"


def test_atom_feed_is_valid_and_ordered_by_issued_date(site: Path):
    import xml.etree.ElementTree as ET
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(site / "api" / "van-ban-moi.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 4
    updated = [e.find("a:updated", ns).text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.find("a:updated", ns).text == updated[0]
    for e in entries:
        href = e.find("a:link", ns).get("href")
        assert e.find("a:id", ns).text == href
        path = urlsplit(href).path.lstrip("/")
        assert (site / path / "index.html").is_file(), href
