"""What a person sees: the built site in a real chromium, driven by clicks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DOCS = ROOT / "source_docs"

HD01 = "van-ban/2019/ban-vi-su-tien-bo-cua-phu-nu-tinh-ha-tinh/01-hd-bvstbcpn/"
QD415 = "van-ban/2018/uy-ban-nhan-dan-tinh-bac-kan/415-qd-ubnd/"
BINH_DINH = "van-ban/2021/ban-vi-su-tien-bo-cua-phu-nu-tinh-binh-dinh/khong-so/"
BXD = "van-ban/2017/bo-xay-dung/khong-so-2017-04-11/"

# document page -> (original in source_docs/, its attachment pages by link label)
DOCUMENTS = {
    HD01: ("000_0ac4f819f4ce37fc.docx",
           {"Phụ lục I": "phu-luc-i/", "Mẫu báo cáo": "mau-bao-cao/"}),
    QD415: ("001_89f15b59531895c9.pdf", {"Kế hoạch": "ke-hoach/"}),
    BINH_DINH: ("002_33a9c2a794accc47.txt", {"Mẫu báo cáo": "mau-bao-cao/"}),
    BXD: ("003_a1ba57f347578f65.pdf", {"Mẫu báo cáo": "mau-bao-cao/"}),
}

# Returns, for each <h2> of the article, its text and the links (text, absolute
# href) between it and the next <h2>.
SECTIONS_JS = """
() => {
  const article = document.querySelector('article.md-content__inner');
  const out = [];
  let cur = null;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    if (el.tagName === 'H2') {
      cur = {heading: el.textContent.trim(), links: [], text: ''};
      out.push(cur);
    } else if (cur && el.tagName === 'A') {
      cur.links.push([el.textContent.trim(), el.href]);
    } else if (cur && el.tagName === 'TR') {
      cur.text += el.innerText + '\\n';
    }
  }
  return out;
}
"""


def assert_no_js_errors(page: Page) -> None:
    errors = getattr(page, "js_errors", [])
    assert not errors, "JavaScript errors on visited pages:\n" + "\n".join(errors)


def assert_lang_vi(page: Page) -> None:
    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    assert lang == "vi", f"{page.url}: <html lang={lang!r}>, expected 'vi'"


def sections(page: Page) -> list[dict]:
    return page.evaluate(SECTIONS_JS)


def primary_nav_link(page: Page, name: str):
    return page.locator("nav.md-nav--primary").get_by_role("link", name=name, exact=True)


def open_document_01(page: Page, server: str) -> None:
    """Home -> nav "Văn bản theo loại" -> link 01/HD-BVSTBCPN, all by clicking."""
    page.goto(server)
    primary_nav_link(page, "Văn bản theo loại").click()
    expect(page).to_have_url(re.compile(r"/danh-muc/theo-loai/$"))
    page.locator("article").get_by_role("link", name="01/HD-BVSTBCPN", exact=True).click()
    expect(page).to_have_url(server + HD01)


def info_value(page: Page, label: str) -> str:
    """The 'Giá trị' cell of the metadata table row whose first cell is ``label``."""
    row = page.locator("article table tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    expect(row).to_have_count(1)
    return row.locator("td").nth(1).inner_text().strip()


# --------------------------------------------------------------------------


def test_home_page_title_nav_and_lang(page: Page, server: str):
    page.goto(server)
    assert "Kho văn bản" in page.title()
    expect(page.locator("h1")).to_contain_text("Kho văn bản")
    expect(primary_nav_link(page, "Văn bản theo loại")).to_be_visible()
    assert_lang_vi(page)
    assert_no_js_errors(page)


def test_listing_by_type_shows_sections_and_documents(page: Page, server: str, artifacts: Path):
    page.goto(server)
    primary_nav_link(page, "Văn bản theo loại").click()
    expect(page).to_have_url(server + "danh-muc/theo-loai/")
    expect(page.locator("h1")).to_have_text("Văn bản theo loại")
    assert_lang_vi(page)

    found = {re.sub(r"\s*\(\d+\)$", "", s["heading"]): s for s in sections(page)}
    for kind in ("Hướng dẫn", "Quyết định", "Công văn"):
        assert kind in found, f"no section {kind!r} on the listing; sections: {list(found)}"
        expect(page.get_by_role("heading", level=2, name=re.compile(rf"^{kind}\b"))).to_be_visible()

    def link_texts(kind):
        return [text for text, _ in found[kind]["links"]]

    assert "01/HD-BVSTBCPN" in link_texts("Hướng dẫn"), found["Hướng dẫn"]
    assert "415/QĐ-UBND" in link_texts("Quyết định"), found["Quyết định"]
    assert len(found["Công văn"]["links"]) == 2, found["Công văn"]
    for name in ("01/HD-BVSTBCPN", "415/QĐ-UBND"):
        expect(page.locator("article").get_by_role("link", name=name, exact=True)).to_be_visible()

    page.screenshot(path=str(artifacts / "listing-theo-loai.png"), full_page=True)
    assert_no_js_errors(page)


def test_document_page_shows_metadata(page: Page, server: str, artifacts: Path):
    open_document_01(page, server)
    assert_lang_vi(page)
    expect(page.locator("h1")).to_contain_text("01/HD-BVSTBCPN")
    table = page.locator("article table").first
    expect(table).to_contain_text("Ban vì sự tiến bộ của phụ nữ tỉnh Hà Tĩnh")
    expect(table).to_contain_text("25/03/2019")
    expect(table).to_contain_text("Nguyễn Trí Lạc")
    assert info_value(page, "Cơ quan ban hành") == "Ban vì sự tiến bộ của phụ nữ tỉnh Hà Tĩnh"
    assert info_value(page, "Ngày ban hành") == "25/03/2019"
    assert info_value(page, "Số, ký hiệu") == "01/HD-BVSTBCPN"
    assert info_value(page, "Loại văn bản") == "Hướng dẫn"
    assert "Nguyễn Trí Lạc" in info_value(page, "Người ký")
    page.screenshot(path=str(artifacts / "document-01-hd-bvstbcpn.png"), full_page=True)
    assert_no_js_errors(page)


def test_document_attachments_link_both_ways(page: Page, server: str, artifacts: Path):
    open_document_01(page, server)
    doc_url = page.url
    attached = next((s for s in sections(page) if s["heading"] == "Văn bản kèm theo"), None)
    assert attached is not None, "the document page has no 'Văn bản kèm theo' section"
    hrefs = {href for _, href in attached["links"] if not href.endswith(".docx")}
    assert hrefs == {doc_url + "phu-luc-i/", doc_url + "mau-bao-cao/"}, attached["links"]
    assert doc_url + "mau-bao-cao.docx" in {href for _, href in attached["links"]}

    for label, slug in (("Phụ lục I", "phu-luc-i"), ("Mẫu báo cáo", "mau-bao-cao")):
        page.goto(doc_url)
        page.locator("article li a", has_text=re.compile(rf"^{re.escape(label)}:")).click()
        expect(page).to_have_url(doc_url + slug + "/")
        expect(page.locator("h1")).to_contain_text(label)
        assert_lang_vi(page)
        page.screenshot(path=str(artifacts / f"attachment-01-{slug}.png"), full_page=True)
        back = page.locator("article").get_by_role(
            "link", name="Hướng dẫn số 01/HD-BVSTBCPN")  # substring match
        expect(back).to_have_count(1)
        back.click()
        expect(page).to_have_url(doc_url)
        expect(page.locator("h1")).to_contain_text("01/HD-BVSTBCPN")
    assert_no_js_errors(page)


@pytest.mark.parametrize("doc", [QD415, BINH_DINH, BXD], ids=["415", "binh-dinh", "bxd"])
def test_other_attachments_link_both_ways(page: Page, server: str, doc: str):
    _, attachments = DOCUMENTS[doc]
    doc_url = server + doc
    for label, slug in attachments.items():
        page.goto(doc_url)
        page.locator("article li a", has_text=re.compile(rf"^{re.escape(label)}\b")).click()
        expect(page).to_have_url(doc_url + slug)
        expect(page.locator("h1")).to_contain_text(label)
        back = page.locator("article p", has_text=re.compile(r"^\s*Kèm theo:")).locator("a")
        expect(back, f"{page.url} has no link back to its document").to_have_count(1)
        back.click()
        expect(page).to_have_url(doc_url)
    assert_no_js_errors(page)


def test_download_original_by_click(page: Page, server: str):
    open_document_01(page, server)
    link = page.locator("article").get_by_role("link", name=re.compile(r"^Tải bản gốc"))
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    expected = (SOURCE_DOCS / "000_0ac4f819f4ce37fc.docx").read_bytes()
    got = Path(download.path()).read_bytes()
    assert got == expected, (f"downloaded {download.suggested_filename} ({len(got)} bytes) "
                             f"differs from source_docs/000_0ac4f819f4ce37fc.docx ({len(expected)} bytes)")
    assert download.suggested_filename.endswith(".docx")
    assert_no_js_errors(page)


@pytest.mark.parametrize("doc", list(DOCUMENTS), ids=["000", "001", "002", "003"])
def test_original_link_serves_source_bytes(page: Page, server: str, doc: str):
    source, _ = DOCUMENTS[doc]
    page.goto(server + doc)
    link = page.locator("article").get_by_role("link", name=re.compile(r"^Tải bản gốc"))
    expect(link).to_have_count(1)
    href = link.evaluate("a => a.href")
    assert href.startswith(server + "goc/"), href
    response = page.request.get(href)
    assert response.ok, f"{href}: HTTP {response.status}"
    assert response.body() == (SOURCE_DOCS / source).read_bytes(), (
        f"{href} is not byte-identical to source_docs/{source}")
    assert_no_js_errors(page)


def test_year_listing_groups_newest_first(page: Page, server: str, artifacts: Path):
    page.goto(server)
    primary_nav_link(page, "Văn bản theo năm").click()
    expect(page).to_have_url(server + "danh-muc/theo-nam/")
    assert_lang_vi(page)
    secs = sections(page)
    years = [m.group(1) for s in secs if (m := re.match(r"^(\d{4})\b", s["heading"]))]
    assert years == ["2021", "2019", "2018", "2017"], [s["heading"] for s in secs]
    for sec in secs:
        year = sec["heading"][:4]
        assert sec["links"], f"year {year} lists no documents"
        for text, href in sec["links"]:
            assert f"/van-ban/{year}/" in href, f"{text!r} ({href}) listed under {year}"
        for line in filter(None, sec["text"].splitlines()[1:]):  # skip header row
            assert year in line, f"row {line!r} listed under {year}"
    page.screenshot(path=str(artifacts / "listing-theo-nam.png"), full_page=True)
    assert_no_js_errors(page)


# Material's default theme font is loaded from Google Fonts; nothing else may
# leave the site (and the site must still work when these are unreachable).
ALLOWED_EXTERNAL_HOSTS = {"fonts.googleapis.com", "fonts.gstatic.com"}


def test_every_page_has_lang_vi_and_no_js_errors(page: Page, server: str, built_site: Path):
    from urllib.parse import urlsplit

    def is_local(url: str) -> bool:
        return url.startswith(server) or url.startswith(("data:", "blob:"))

    console_errors: list[str] = []
    local_failures: list[str] = []
    external_hosts: set[str] = set()

    def on_console(msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and where and not is_local(where):
            return  # an external resource (Google Fonts) in an offline sandbox
        console_errors.append(f"{page.url}: {msg.text} [{where}]")

    def on_request(req):
        if not is_local(req.url):
            external_hosts.add(urlsplit(req.url).hostname or req.url)

    def on_failed(req):
        if is_local(req.url):
            local_failures.append(f"{page.url}: {req.url} ({req.failure})")

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("requestfailed", on_failed)

    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) >= 14, pages
    for rel in pages:
        url = server + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        # let the search worker and its index finish loading before leaving,
        # otherwise navigation aborts them and they look like failures
        page.wait_for_load_state("networkidle")
        assert_lang_vi(page)
    assert_no_js_errors(page)
    assert not local_failures, "site resources failed to load:\n" + "\n".join(local_failures)
    assert not console_errors, "console errors:\n" + "\n".join(console_errors)
    assert external_hosts <= ALLOWED_EXTERNAL_HOSTS, (
        f"the site requests unexpected external hosts: {sorted(external_hosts - ALLOWED_EXTERNAL_HOSTS)}")
