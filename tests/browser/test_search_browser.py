"""The search page, driven in Chromium like a person: type a query, read the
first results. Two ways to one page: a static copy of the site (Pagefind in
the browser) and the site as `kb.py serve` serves it (the page asks
api/search, the Whoosh index)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TABLE = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
ROWS = [r for r in TABLE["queries"] if r.get("browser")]


@pytest.fixture(scope="module")
def sample_records():
    """The records the Whoosh index is built from, for the sample sources."""
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from vnkb.cite import link_archive
    from vnkb.build import process_file
    from vnkb.discover import discover
    from vnkb.render import place_documents
    from vnkb.search import records
    docs = [process_file(ROOT / "source_docs", s)[0] for s in discover(ROOT / "source_docs")]
    placed = place_documents(docs)
    return records(placed, link_archive(placed))


@pytest.fixture(scope="module")
def urls_by_id(sample_records):
    """id -> site URL."""
    return {r["id"]: r["url"] for r in sample_records}


@pytest.fixture(scope="module")
def api_server(built_site, sample_records, tmp_path_factory):
    """The built site served by kb.py's own server, with a real index of the samples."""
    import threading
    from vnkb.search import build_index
    from vnkb.serve import make_server
    index = tmp_path_factory.mktemp("search-index")
    build_index(index, sample_records)
    httpd = make_server(built_site, "127.0.0.1", 0, index)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(params=["pagefind", "api"])
def any_server(request, server):
    """The same page on a static server (Pagefind) and on kb.py serve (api/search)."""
    return server if request.param == "pagefind" else request.getfixturevalue("api_server")


def resolve(ident: str) -> str:
    base, _, frag = ident.partition("#")
    return TABLE["aliases"].get(base, base) + (f"#{frag}" if frag else "")


def run_query(page, server, q):
    page.goto(f"{server.rstrip('/')}/tim-kiem/")
    page.fill("#kb-search-input", q)
    page.press("#kb-search-input", "Enter")
    page.wait_for_function("() => { const s = document.getElementById('kb-search-status').textContent;"
                           " return s.length > 0 && !s.startsWith('Đang'); }", timeout=15000)
    return [a.get_attribute("href") for a in page.locator(".kb-search__title").all()[:3]]


@pytest.mark.parametrize("row", ROWS, ids=[r["q"] for r in ROWS])
def test_search_page_finds_expected_first(page, any_server, urls_by_id, row):
    hrefs = run_query(page, any_server, row["q"])
    expected = {urls_by_id[resolve(e)] for e in row["expect"]}
    got = {h.split("#")[0] if h.startswith("/") else "/" + h.split("://", 1)[-1].split("/", 1)[-1] for h in hrefs}
    assert expected & got, f"{row['q']!r}: top 3 {hrefs}, expected one of {sorted(expected)}"


def test_header_box_leads_to_results(page, server, artifacts):
    page.goto(server)
    page.fill("#kb-header-search input", "mau bao cao so ket")
    page.press("#kb-header-search input", "Enter")
    page.wait_for_url("**/tim-kiem/?q=*")
    page.wait_for_selector(".kb-search__result")
    assert "Mẫu báo cáo" in page.locator(".kb-search__title").first.inner_text()
    page.screenshot(path=str(artifacts / "search-results.png"), full_page=True)


def test_filters_narrow_the_results(page, any_server):
    run_query(page, any_server, "binh dang gioi")
    before = page.locator(".kb-search__result").count()
    page.select_option("select[name=nam]", "2018")
    page.wait_for_function("() => !document.getElementById('kb-search-status').textContent.startsWith('Đang')")
    page.wait_for_timeout(300)
    facts = page.locator(".kb-search__facts").all_inner_texts()
    assert 0 < len(facts) < before
    assert all("2018" in f for f in facts)


def test_injected_markup_in_results_stays_text(page, any_server):
    """Snippets and titles are put on the page as text: no element comes from the index."""
    run_query(page, any_server, "binh dang gioi")
    tags = page.evaluate("() => Array.from(document.querySelectorAll('#kb-search-results *'))"
                         ".map(e => e.tagName.toLowerCase())")
    assert set(tags) <= {"li", "a", "div", "span", "mark"}


def test_one_query_downloads_under_500_kb(browser, server):
    context = browser.new_context()
    page = context.new_page()
    sizes = []
    page.on("response", lambda r: sizes.append(len(r.body())) if "/pagefind/" in r.url and r.ok else None)
    page.goto(f"{server.rstrip('/')}/tim-kiem/?q=binh+dang+gioi")
    page.wait_for_selector(".kb-search__result")
    page.wait_for_load_state("networkidle")
    context.close()
    assert 0 < sum(sizes) < 500 * 1024, sum(sizes)


def test_served_search_asks_the_api_only(browser, api_server):
    """Under kb.py serve, a search is one small JSON answer: Pagefind's index is never loaded."""
    context = browser.new_context()
    page = context.new_page()
    seen = []
    page.on("response", lambda r: seen.append((r.url, len(r.body()))) if r.ok else None)
    page.goto(f"{api_server.rstrip('/')}/tim-kiem/?q=binh+dang+gioi")
    page.wait_for_selector(".kb-search__result")
    page.wait_for_load_state("networkidle")
    titles = page.locator(".kb-search__title").all_inner_texts()
    context.close()
    api = [size for url, size in seen if "/api/search?" in url]
    assert len(api) == 1 and 0 < api[0] < 100 * 1024, seen
    assert not [url for url, _ in seen if "/pagefind/" in url]
    assert titles and any("bình đẳng giới" in t.lower() for t in titles)


def test_served_search_says_when_nothing_matches(page, api_server):
    status = page.locator("#kb-search-status")
    run_query(page, api_server, "xyzzyq")
    assert status.inner_text().startswith("Không tìm thấy")


def test_static_excerpt_marks_the_query_words_typed_without_tones(page, server):
    """Pagefind indexes each word once, so a static copy shows the page's
    opening as the excerpt, with the query's words marked where they are
    written with tones ("bình đẳng giới" for "binh dang gioi")."""
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from vnkb.vntext import fold
    run_query(page, server, "binh dang gioi")
    marks = page.locator("#kb-search-results .kb-search__excerpt mark").all_inner_texts()
    assert marks and {fold(m).lower() for m in marks} <= {"binh", "dang", "gioi"}
    assert any(m != fold(m) for m in marks)                 # marked as written: with its tones
    excerpts = page.locator("#kb-search-results .kb-search__excerpt").all_inner_texts()
    assert all(len(e) <= 260 for e in excerpts)
