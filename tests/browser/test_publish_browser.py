"""The published features as a person (or a portal) uses them: resolver links
in every spelling, template download, calendar download, print layout, copy
citation, diagrams, deep links, phone width and redirects of old URLs."""
from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import Page, expect


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SPELLINGS = yaml.safe_load((ROOT / "tests" / "data" / "resolver_spellings.yaml").read_text(encoding="utf-8"))
HD01 = "van-ban/2019/ban-vi-su-tien-bo-cua-phu-nu-tinh-ha-tinh/01-hd-bvstbcpn/"
BXD = "van-ban/2017/bo-xay-dung/khong-so-2017-04-11/"
REG_880 = "dan-chieu/2016/uy-ban-nhan-dan-tinh-ha-tinh/880-qd-ubnd/"


def no_js_errors(page: Page) -> None:
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize("case", [c for c in SPELLINGS if c["lands"]], ids=lambda c: c["so"])
def test_resolver_link_lands_on_the_page(page: Page, server: str, case):
    page.goto(server + "tra-cuu/?so=" + quote(case["so"]))
    expect(page).to_have_url(server + case["lands"])
    no_js_errors(page)


def test_resolver_with_year_and_organ(page: Page, server: str):
    page.goto(server + "tra-cuu/?so=" + quote("880/QD-UBND") + "&nam=2016&co_quan=" + quote("UBND tỉnh Hà Tĩnh"))
    expect(page).to_have_url(server + REG_880)
    page.goto(server + "tra-cuu/?so=" + quote("880/QD-UBND") + "&nam=2017")
    expect(page.locator("#kb-resolver-status")).to_contain_text("với năm hoặc cơ quan đã chọn")
    no_js_errors(page)


def test_resolver_several_matches_give_a_choice(page: Page, server: str):
    page.goto(server + "tra-cuu/?so=01")
    expect(page.locator("#kb-resolver-status")).to_contain_text("Có 2 văn bản")
    choices = page.locator("#kb-resolver-choices li a")
    expect(choices).to_have_count(2)
    choices.filter(has_text="01/HD-BVSTBCPN").click()
    expect(page).to_have_url(server + HD01)
    no_js_errors(page)


def test_resolver_no_match_says_so_and_links_to_search(page: Page, server: str):
    page.goto(server + "tra-cuu/?so=" + quote("999/QĐ-UBND"))
    status = page.locator("#kb-resolver-status")
    expect(status).to_contain_text("Không tìm thấy văn bản số “999/QĐ-UBND”")
    status.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q=999%2FQ%C4%90-UBND"))
    no_js_errors(page)


def test_javascript_reads_numbers_like_python(page: Page, server: str):
    from vnkb.search.query import read_number
    page.goto(server + "tra-cuu/")
    index = json.loads(page.request.get(server + "tra-cuu/so-hieu.json").text())
    for case in SPELLINGS:
        js = page.evaluate("([t, i]) => window.kbResolver.readNumber(t, i)", [case["so"], index])
        py = read_number(case["so"])
        if py is not None and "key" not in py:
            py.setdefault("type", None)
            py.setdefault("year", None)
        if js is not None and "key" not in js:
            js.setdefault("type", None)
            js.setdefault("year", None)
        assert js == py, case["so"]
    no_js_errors(page)


def test_template_docx_download_has_the_outline(page: Page, server: str):
    import docx
    page.goto(server + BXD + "mau-bao-cao/")
    outline = page.locator("article li a[href^='#']").all_inner_texts()
    assert len(outline) >= 15
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải mẫu báo cáo (.docx)").click()
    path = info.value.path()
    d = docx.Document(path)
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    norm = lambda s: " ".join(s.split())  # noqa: E731
    assert [norm(h) for h in headings] == [norm(o) for o in outline]
    assert headings[0].startswith("I. Kết quả triển khai")
    no_js_errors(page)


def test_calendar_download_loads_in_icalendar(page: Page, server: str):
    import icalendar
    page.goto(server + HD01)
    with page.expect_download() as info:
        page.get_by_role("link", name="Thêm vào lịch (tệp .ics)").click()
    cal = icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes())
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == ["Báo cáo sơ kết – 01/HD-BVSTBCPN", "Báo cáo tổng kết – 01/HD-BVSTBCPN",
                         "Tháng hành động vì bình đẳng giới và phòng, chống bạo lực trên cơ sở giới"]
    response = page.request.get(server + "lich/lich-bao-cao.ics")
    assert response.ok
    assert len(icalendar.Calendar.from_ical(response.body()).walk("VEVENT")) >= 10
    no_js_errors(page)


def test_print_looks_like_the_letter(page: Page, server: str, artifacts: Path):
    page.goto(server + HD01)
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".kb-actions", "article > h1"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none", selector
    head = page.locator(".kb-letterhead")
    expect(head).to_be_visible()
    expect(head).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(head).to_contain_text("Số: 01/HD-BVSTBCPN")
    expect(head).to_contain_text("Hà Tĩnh, ngày 25 tháng 03 năm 2019")
    expect(page.locator(".kb-print-sign")).to_contain_text("Nguyễn Trí Lạc")
    font = page.locator("article p").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "Times New Roman" in font
    expect(page.get_by_role("heading", name="Văn bản được dẫn chiếu")).to_be_hidden()
    page.screenshot(path=str(artifacts / "print-01-hd-bvstbcpn.png"), full_page=True)
    page.emulate_media(media="screen")
    expect(page.locator(".kb-letterhead")).to_be_hidden()
    no_js_errors(page)


def test_copy_citation_puts_decree_30_form_on_clipboard(browser, server: str):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + HD01)
        page.get_by_role("button", name="Sao chép trích dẫn").click()
        expect(page.locator(".kb-cite__status")).to_contain_text("Đã sao chép")
        text = page.evaluate("navigator.clipboard.readText()")
        assert text == ("Hướng dẫn số 01/HD-BVSTBCPN ngày 25/3/2019 của Ban vì sự tiến bộ của phụ nữ tỉnh Hà Tĩnh "
                        "về việc hướng dẫn hoạt động năm 2019")
        page.goto(server + REG_880)
        page.get_by_role("button", name="Sao chép trích dẫn").click()
        expect(page.locator(".kb-cite__status")).to_contain_text("Đã sao chép")
        assert page.evaluate("navigator.clipboard.readText()") == (
            "Quyết định số 880/QĐ-UBND ngày 12/4/2016 của Ủy ban nhân dân tỉnh Hà Tĩnh về việc ban hành Chương trình "
            "hành động Quốc gia về Bình đẳng giới tỉnh Hà Tĩnh giai đoạn 2016-2020")
    finally:
        context.close()
    assert not errors, errors


@pytest.mark.parametrize("path", [HD01, REG_880], ids=["document", "registry"])
def test_relationship_diagram_renders_from_the_site(page: Page, server: str, path: str):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + path)
    diagram = page.locator("article div.mermaid")
    expect(diagram).to_have_count(1, timeout=20_000)
    expect(page.locator("article pre.mermaid")).to_have_count(0)
    assert diagram.evaluate("e => e.getBoundingClientRect().height") > 50
    expect(page.get_by_role("heading", name="Văn bản liên quan")).to_be_visible()
    assert not outside, outside
    no_js_errors(page)


def test_deep_link_to_a_numbered_section(page: Page, server: str):
    page.goto(server + BXD + "mau-bao-cao/")
    target = page.locator("[id^='3-to-chuc-trien-khai-thang-hanh-dong']")
    expect(target).to_have_count(1)
    anchor = target.get_attribute("id")
    page.goto(server + BXD + "mau-bao-cao/#" + anchor)
    expect(target).to_contain_text("3. Tổ chức triển khai Tháng hành động")
    expect(target).to_be_in_viewport()
    no_js_errors(page)


def test_readable_on_a_phone(browser, server: str, artifacts: Path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        for path in (HD01, "tra-cuu/", "lich/", "danh-muc/so-sanh-mau-bao-cao/"):
            page.goto(server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path}: page is {width}px wide on a 375px phone"
        page.goto(server + HD01)
        page.screenshot(path=str(artifacts / "phone-01-hd-bvstbcpn.png"))
    finally:
        context.close()


def test_dark_mode_toggle(page: Page, server: str):
    page.goto(server + HD01)
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("label.md-header__button[for^='__palette']").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}
    no_js_errors(page)


# --- old URLs keep working ---------------------------------------------------------

@pytest.fixture(scope="module")
def corrected_site(tmp_path_factory):
    """A project copy whose Bắc Kạn decision got its number corrected by an
    override after first publication: built twice, then the real site build."""
    from vnkb.build import build
    from vnkb.site import build_site
    project = tmp_path_factory.mktemp("corrected")
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "docs").mkdir()
    for name in ("index.md", "tim-kiem.md"):
        shutil.copy2(ROOT / "docs" / name, project / "docs" / name)
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
    src = project / "source_docs"
    shutil.copytree(ROOT / "source_docs", src)
    build(src, project / "docs")
    (src / "001_89f15b59531895c9.pdf.meta.yaml").write_text("number: 416/QĐ-UBND\n", encoding="utf-8")
    build(src, project / "docs")
    build_site(project, project / "site")
    handler = functools.partial(_QuietHandler, directory=str(project / "site"))
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_old_url_redirects_after_a_correction(page: Page, corrected_site: str):
    old = corrected_site + "van-ban/2018/uy-ban-nhan-dan-tinh-bac-kan/415-qd-ubnd/"
    new = corrected_site + "van-ban/2018/uy-ban-nhan-dan-tinh-bac-kan/416-qd-ubnd/"
    page.goto(old)
    expect(page).to_have_url(new)
    expect(page.locator("h1")).to_contain_text("416/QĐ-UBND")
    page.goto(old + "ke-hoach/#" + "ii-noi-dung")
    expect(page).to_have_url(new + "ke-hoach/#ii-noi-dung")
    page.goto(corrected_site + "tra-cuu/?so=416/QD-UBND")
    expect(page).to_have_url(new)
    no_js_errors(page)
