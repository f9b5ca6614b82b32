"""What the published site offers beyond pages: events, calendars, templates,
catalog and schemas, resolver normalization, anchors, citation form,
diagram labels, permanent URLs (real builds into temporary folders)."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import build
from vnkb.parse.deadlines import find_events
from vnkb.publish import aliases, calendar, graph, template
from vnkb.publish.citeform import citation_form
from vnkb.search.query import read_number

DOCS = ROOT / "docs"
DATA = ROOT / "tests" / "data"
BXD = "van-ban/2017/bo-xay-dung/khong-so-2017-04-11"
HD01 = "van-ban/2019/ban-vi-su-tien-bo-cua-phu-nu-tinh-ha-tinh/01-hd-bvstbcpn"
BINH_DINH = "van-ban/2021/ban-vi-su-tien-bo-cua-phu-nu-tinh-binh-dinh/khong-so"
EVENT_CASES = yaml.safe_load((DATA / "events.yaml").read_text(encoding="utf-8"))
SPELLINGS = yaml.safe_load((DATA / "resolver_spellings.yaml").read_text(encoding="utf-8"))


# --- events -------------------------------------------------------------------

@pytest.mark.parametrize("case", EVENT_CASES, ids=[c["text"][:40] for c in EVENT_CASES])
def test_events_table(case):
    got = [[e.start, e.end, e.name] for e in find_events([case["text"]], case["year"])]
    assert got == case["events"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("từ ngày đến 0123456789/–-Tháng hành động ()")), max_size=80),
       st.one_of(st.none(), st.integers(1990, 2030)))
def test_events_never_crash_and_are_ordered(text, year):
    for e in find_events([text], year):
        assert e.start <= e.end and e.name


def test_sample_documents_list_their_events():
    page = (DOCS / HD01 / "index.md").read_text(encoding="utf-8")
    assert "**15/11/2019 – 15/12/2019**: Tháng hành động vì bình đẳng giới" in page


# --- iCalendar ------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_fold_line_limits_octets_and_unfolds(text):
    line = "DESCRIPTION:" + calendar.escape_text(text)
    folded = calendar.fold_line(line)
    physical = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join([physical[0]] + [p[1:] for p in physical[1:]]) == line


def _ics_files() -> list[Path]:
    files = sorted(DOCS.glob("van-ban/**/*.ics")) + [DOCS / "lich" / "lich-bao-cao.ics"]
    assert len(files) >= 5, files
    return files


@pytest.mark.parametrize("path", _ics_files(), ids=lambda p: p.parent.name)
def test_calendars_parse_with_icalendar(path):
    import icalendar
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(raw)
    events = cal.walk("VEVENT")
    assert events
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert start < end and (end - start).days <= 366
        assert e.decoded("DTSTAMP").date() <= start       # announced before it happens


def test_hd01_calendar_has_deadlines_and_the_action_month():
    import datetime as dt
    import icalendar
    cal = icalendar.Calendar.from_ical((DOCS / HD01 / "lich-bao-cao.ics").read_bytes())
    got = {(str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in cal.walk("VEVENT")}
    assert ("Báo cáo sơ kết – 01/HD-BVSTBCPN", dt.date(2019, 6, 15), dt.date(2019, 6, 16)) in got
    assert ("Báo cáo tổng kết – 01/HD-BVSTBCPN", dt.date(2019, 12, 15), dt.date(2019, 12, 16)) in got
    assert ("Tháng hành động vì bình đẳng giới và phòng, chống bạo lực trên cơ sở giới",
            dt.date(2019, 11, 15), dt.date(2019, 12, 16)) in got
    assert all(e.decoded("DTSTAMP") == dt.datetime(2019, 3, 25, tzinfo=dt.timezone.utc) for e in cal.walk("VEVENT"))


def test_ics_text_is_escaped():
    ev = calendar.CalEvent(uid="x@y", start="2020-01-01", end="2020-01-01", summary="a;b,c\\d",
                           description="line1\nline2", stamp="2020-01-01", doc_id="d", kind="deadline")
    raw = calendar.calendar("T", [ev]).decode("utf-8")
    assert "SUMMARY:a\\;b\\,c\\\\d\r\n" in raw and "DESCRIPTION:line1\\nline2" in raw


# --- report templates -------------------------------------------------------------

TEMPLATES = [f"{BXD}/mau-bao-cao.docx", f"{HD01}/mau-bao-cao.docx", f"{BINH_DINH}/mau-bao-cao.docx"]


@pytest.mark.parametrize("rel", TEMPLATES, ids=["2017", "2019", "2021"])
def test_template_docx_layout(rel):
    import docx
    path = DOCS / rel
    d = docx.Document(str(path))
    headings = [p for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert len(headings) >= 15
    assert re.match(r"^I\. ", headings[0].text)
    assert d.styles["Normal"].font.name == "Times New Roman"
    assert d.styles["Normal"].font.size.pt in (13, 14)
    header_text = d.tables[0].cell(0, 1).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_text and "Độc lập - Tự do - Hạnh phúc" in header_text
    # dotted lines to write on: paragraphs that are a tab with a dot leader
    assert sum(1 for p in d.paragraphs if p.text == "\t") >= 2 * len(headings)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {template.FIXED_ZIP_TIME}
    assert d.core_properties.created.year == int(rel.split("/")[1])


def test_template_docx_is_deterministic():
    t = template.parse_template(["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "I. Một", "1. Hai", "II. Ba"], "")
    a = template.template_docx(t, title="T", subject="S", when="2020-05-01", source_note="n")
    b = template.template_docx(t, title="T", subject="S", when="2020-05-01", source_note="n")
    assert a == b


def test_template_page_outline_links_to_its_sections():
    page = (DOCS / BXD / "mau-bao-cao.md").read_text(encoding="utf-8")
    assert "[Tải mẫu báo cáo (.docx)](mau-bao-cao.docx)" in page
    outline = re.findall(r"^\s*- \[[^\]]+\]\(#([a-z0-9-]+)\)$", page, re.M)
    ids = re.findall(r"\{#([a-z0-9-]+)\}$", page, re.M)
    assert len(outline) >= 15 and set(outline) <= set(ids)


def test_comparison_finds_added_removed_renamed():
    page = (DOCS / "danh-muc" / "so-sanh-mau-bao-cao.md").read_text(encoding="utf-8")
    for year in ("2017", "2019", "2021"):
        assert year in page
    # 2019 Hà Tĩnh -> 2021 Bình Định
    assert re.search(r"\| 2\\\. Với Ban vì sự tiến bộ của phụ nữ tỉnh \| — \| \*\*bỏ đi\*\* \|", page)
    assert re.search(r"\| — \| 2\\\. Với UBQG vì sự tiến bộ của phụ nữ Việt Nam \| \*\*thêm mới\*\* \|", page)
    assert "| 2\\.2. Hoạt động thường xuyên của Ban: | 2\\.2. Các hoạt động thường xuyên | **đổi tên** |" in page


def test_compare_is_one_to_one():
    old = [template.Section(1, "I.", "Tình hình chung"), template.Section(1, "II.", "Kết quả công tác")]
    new = [template.Section(1, "I.", "Tình hình chung của đơn vị"), template.Section(1, "II.", "Phương hướng năm sau")]
    kinds = [(c.kind, c.old and c.old.marker, c.new and c.new.marker) for c in template.compare(old, new)]
    assert ("renamed", "I.", "I.") in kinds and ("added", None, "II.") in kinds and ("removed", "II.", None) in kinds


# --- anchors ------------------------------------------------------------------------

def test_heading_anchors_are_ascii_and_fold_d():
    page = (DOCS / BXD / "mau-bao-cao.md").read_text(encoding="utf-8")
    ids = re.findall(r"\{#([^}]*)\}", page)
    assert any(i.startswith("3-to-chuc-trien-khai-thang-hanh-dong") for i in ids), ids
    doc = (DOCS / HD01 / "index.md").read_text(encoding="utf-8")
    assert "{#2-day-manh-viec-trien-khai-thuc-hien-cong-tac-can-bo-nu}" in doc     # Đẩy -> day
    for md in DOCS.glob("van-ban/**/*.md"):
        for i in re.findall(r"\{#([^}]*)\}", md.read_text(encoding="utf-8")):
            assert re.fullmatch(r"[a-z0-9-]+", i), (md, i)


# --- citation form, diagram labels --------------------------------------------------------

def test_citation_form_decree_30():
    assert citation_form("Quyết định", "880/QĐ-UBND", "2016-04-12", 2016, "UBND tỉnh Hà Tĩnh",
                         "Về việc ban hành Chương trình quốc gia về bình đẳng giới") == (
        "Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh Hà Tĩnh về việc ban hành Chương trình quốc gia "
        "về bình đẳng giới")
    doc = (DOCS / HD01 / "index.md").read_text(encoding="utf-8")
    assert ('data-citation="Hướng dẫn số 01/HD-BVSTBCPN ngày 25/3/2019 của Ban vì sự tiến bộ của phụ nữ tỉnh '
            'Hà Tĩnh về việc hướng dẫn hoạt động năm 2019"') in doc


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_mermaid_labels_cannot_leave_their_quotes(text):
    label = graph.mermaid_label(text)
    assert not set(label) & set('"`<>\n\r')
    assert re.fullmatch(r"(?:[^#]|#(?:\d+|quot|lt|gt|amp);)*", label)


def test_diagram_with_hostile_labels():
    fence = graph.diagram('A"] --> X[click', ['<script>alert(1)</script>', "```"], ["#quot; %%{init}%%"])
    body = [line for line in fence.splitlines()[1:-1] if not line.startswith("%%{init")]
    assert all(line.count('"') in (0, 2, 4) for line in body)
    assert "<script>" not in fence and "```" not in "\n".join(body)


# --- catalog, schemas, CSV -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["catalog", "citations"])
def test_api_files_validate_against_schemas(name):
    import jsonschema
    schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads((DOCS / "api" / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)


def test_schema_rejects_a_broken_catalog():
    import jsonschema
    schema = json.loads((ROOT / "schemas" / "catalog.schema.json").read_text(encoding="utf-8"))
    data = json.loads((DOCS / "api" / "catalog.json").read_text(encoding="utf-8"))
    del data["documents"][0]["url"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def _docs_file_of(url: str) -> Path:
    for candidate in (DOCS / url / "index.md", DOCS / (url.rstrip("/") + ".md"), DOCS / url):
        if candidate.is_file():
            return candidate
    raise AssertionError(f"{url} is no file under docs/")


def test_catalog_urls_point_to_generated_files():
    data = json.loads((DOCS / "api" / "catalog.json").read_text(encoding="utf-8"))
    assert len(data["documents"]) == 4 and len(data["attachments"]) == 5 and len(data["registry"]) >= 25
    for d in data["documents"]:
        _docs_file_of(d["url"]), _docs_file_of(d["original"]["url"])
        if d["calendar"]:
            _docs_file_of(d["calendar"])
    for a in data["attachments"]:
        _docs_file_of(a["url"])
        if a["template_docx"]:
            _docs_file_of(a["template_docx"])
    for r in data["registry"]:
        _docs_file_of(r["url"])
    edges = json.loads((DOCS / "api" / "citations.json").read_text(encoding="utf-8"))["edges"]
    for e in edges:
        _docs_file_of(e["from_url"]), _docs_file_of(e["to_url"])


def test_csv_opens_in_excel_form():
    raw = (DOCS / "api" / "danh-muc.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "Loại bản ghi"
    assert {r[0] for r in rows[1:]} == {"Văn bản", "Văn bản kèm theo", "Văn bản được dẫn chiếu"}
    assert any(r[4] == "01/HD-BVSTBCPN" for r in rows)


def test_csv_defuses_formulas():
    from vnkb.publish.catalog import _cell
    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and _cell("- Như trên") == "'- Như trên"
    assert _cell("Hà Tĩnh") == "Hà Tĩnh"


# --- resolver (Python side; the browser test compares with the JavaScript) ----------------------

@pytest.mark.parametrize("case", SPELLINGS, ids=[c["so"] for c in SPELLINGS])
def test_read_number_table(case):
    got = read_number(case["so"])
    if case.get("none"):
        assert got is None
    elif "key" in case:
        assert got and got["key"] == case["key"]
    else:
        assert got and got["code"] == case["code"] and got.get("type") == case.get("type")
        assert got.get("year") == case.get("year")


def test_resolver_index_has_documents_and_registry():
    index = json.loads((DOCS / "tra-cuu" / "so-hieu.json").read_text(encoding="utf-8"))
    kinds = {index["items"][i]["kind"] for ids in index["numbers"].values() for i in ids}
    assert kinds == {"van_ban", "dan_chieu"}
    assert "880/qd-ubnd" in index["numbers"] and "415/qd-ubnd" in index["numbers"]


# --- permanent URLs ---------------------------------------------------------------------------

def _copy_sources(dest: Path) -> Path:
    dest.mkdir()
    for path in SOURCE_DOCS.iterdir():
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    return dest


def test_corrected_number_keeps_old_urls_as_redirects(tmp_path):
    src = _copy_sources(tmp_path / "src")
    docs = tmp_path / "docs"
    build(src, docs)
    old = "van-ban/2018/uy-ban-nhan-dan-tinh-bac-kan/415-qd-ubnd"
    assert (docs / old / "index.md").is_file()
    (src / "001_89f15b59531895c9.pdf.meta.yaml").write_text("number: 416/QĐ-UBND\n", encoding="utf-8")
    build(src, docs)
    new = "van-ban/2018/uy-ban-nhan-dan-tinh-bac-kan/416-qd-ubnd"
    assert (docs / new / "index.md").is_file() and not (docs / old / "index.md").exists()
    page = (docs / old / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../416-qd-ubnd/"' in page
    assert '<link rel="canonical" href="../416-qd-ubnd/">' in page and '<html lang="vi">' in page
    attachment = (docs / old / "ke-hoach" / "index.html").read_text(encoding="utf-8")
    assert "url=../../416-qd-ubnd/ke-hoach/" in attachment
    history = json.loads((docs / aliases.ALIASES).read_text(encoding="utf-8"))
    urls = history["documents"]["001_89f15b59531895c9.pdf"]["urls"]
    assert urls[old + "/"] == "document" and urls[new + "/"] == "document"
    # a third build changes nothing; removing the override brings the old URL back as a page
    assert build(src, docs).written == 0
    (src / "001_89f15b59531895c9.pdf.meta.yaml").unlink()
    build(src, docs)
    assert (docs / old / "index.md").is_file() and not (docs / old / "index.html").exists()
    assert (docs / new / "index.html").is_file()


def test_registry_entry_that_arrives_in_the_archive_redirects():
    history = {"documents": {}, "registry": {"UBND:ha-tinh|2016|880/QĐ-UBND": ["dan-chieu/2016/x/880-qd-ubnd/"]}}
    out = aliases.redirects(history, {}, {}, {"UBND:ha-tinh|2016|880/QĐ-UBND": "van-ban/2016/x/880-qd-ubnd/"},
                            live={"van-ban/2016/x/880-qd-ubnd/"})
    assert out == {"dan-chieu/2016/x/880-qd-ubnd/": "van-ban/2016/x/880-qd-ubnd/"}


def test_renamed_original_is_found_by_sha():
    history = {"documents": {"old-name.pdf": {"sha256": "abc", "urls": {"van-ban/a/1/": "document"}}},
               "registry": {}}
    now = {"new-name.pdf": ("abc", {"van-ban/a/2/": "document"})}
    assert aliases.redirects(history, now, {}, {}, live={"van-ban/a/2/"}) == {"van-ban/a/1/": "van-ban/a/2/"}


def test_quality_page_lists_the_first_findings_and_the_csv_all(monkeypatch):
    """A large archive has tens of thousands of findings: the page counts
    them per kind and lists the first ones, at most QUALITY_ROWS and no more
    than the page budget holds; the CSV file holds every one (a message that
    Excel would run as a formula is neutralised)."""
    from vnkb.cite.checks import Finding
    from vnkb.paging import PAGE_BUDGET, size
    from vnkb.render_registry import QUALITY_ROWS, quality_csv, quality_page
    findings = [Finding(f"luat/{i:05d}", "cited_after_citing", f"ngày {i}") for i in range(QUALITY_ROWS + 40)]
    findings += [Finding("luat/00001", "incomplete_citation", "=HYPERLINK(\"http://x\")"), Finding("luat/99999", "x", "<i>onerror")]
    page = quality_page([], findings)
    listed = [line for line in page.splitlines() if line.startswith("| [")]
    assert 100 < len(listed) < QUALITY_ROWS and size(page) <= PAGE_BUDGET
    assert f"Dưới đây là {len(listed)} điểm đầu tiên" in page
    first = sorted(findings, key=lambda f: (f.doc_id, f.kind, f.message))[:len(listed)]
    assert [line.split("]")[0] for line in listed] == [f"| [{f.doc_id}" for f in first]
    import vnkb.render_registry as rr
    monkeypatch.setattr(rr, "QUALITY_ROWS", 60)       # short findings: the cap, not the budget, stops the list
    short = [Finding(f"l/{i}", "x", "") for i in range(61)]
    assert sum(line.startswith("| [") for line in quality_page([], short).splitlines()) == 60
    assert "| Văn bản được dẫn chiếu có ngày sau văn bản dẫn chiếu | 540 |" in page
    assert "| Trích dẫn chưa đầy đủ | 1 |" in page and f"đủ {len(findings)} điểm" in page
    assert "<i>" not in page
    rows = list(csv.reader(io.StringIO(quality_csv([], findings).decode("utf-8-sig"))))
    assert rows[0] == ["Mã", "Địa chỉ", "Văn bản", "Loại vấn đề", "Chi tiết"] and len(rows) == len(findings) + 1
    assert any(r[4] == "'=HYPERLINK(\"http://x\")" for r in rows)
    assert quality_page([], []).endswith("Không phát hiện vấn đề nào.\n")


def test_an_entry_cited_thousands_of_times_lists_the_first_mentions(tmp_path):
    """A law cited by thousands of documents made registry pages of MBs: the
    page lists ENTRY_MENTIONS of them and points to api/citations.json."""
    from vnkb.cite import link_archive
    from vnkb.cite.registry import Entry
    from vnkb.render import place_documents
    from vnkb.render_registry import ENTRY_MENTIONS, entry_page
    placed = place_documents(build(SOURCE_DOCS, tmp_path / "docs").documents)
    entries = link_archive(placed)
    entry = max(entries.values(), key=lambda e: len(e.mentions))
    many = Entry(entry.key, entry.id, entry.mentions * (ENTRY_MENTIONS // len(entry.mentions) + 3))
    pages = entry_page(many, {p.id: p for p in placed})
    page = "".join(text for _, text in pages)
    listed = [line for line in page.splitlines() if line.startswith("- [") and ": “" in line]
    assert len(listed) == ENTRY_MENTIONS
    rest = len(many.mentions) - ENTRY_MENTIONS
    assert f"… và {rest} lần dẫn chiếu khác" in page and "api/citations.json)" in page
    # those it lists are cut into pages of the budget: the first keeps the facts, the others follow it
    first = pages[0][0]
    assert len(pages) >= 2 and [path for path, _ in pages[1:]] == \
        [f"{first[:-3]}/trang-{k}.md" for k in range(2, len(pages) + 1)]
    assert "Số, ký hiệu" in pages[0][1] and all("data-pagefind-body" not in text for _, text in pages[1:])
    assert [(path, text.count("lần dẫn chiếu khác")) for path, text in entry_page(entry, {p.id: p for p in placed})] \
        == [(first, 0)]


def test_a_long_calendar_gets_a_page_per_year(tmp_path, monkeypatch):
    """Tens of thousands of deadlines made lich/ one 5 MB page: past
    CALENDAR_ROWS events each year has its page and lich/ lists the years.
    Every event is still on exactly one page, and its links resolve."""
    import vnkb.render_publish as rp
    from vnkb.render import place_documents
    placed = place_documents(build(SOURCE_DOCS, tmp_path / "docs").documents)
    _, events = rp.calendar_files(placed)
    whole = dict(rp.calendar_pages(placed, events))
    assert list(whole) == ["lich/index.md"]
    monkeypatch.setattr(rp, "CALENDAR_ROWS", 2)
    split = dict(rp.calendar_pages(placed, events))
    years = sorted({e.start[:4] for e in events}, reverse=True)
    assert list(split) == ["lich/index.md"] + [f"lich/{y}/index.md" for y in years]
    for y in years:
        assert f"[Năm {y}]({y}/index.md)" in split["lich/index.md"]
    rows = [line for text in split.values() for line in text.splitlines() if line.startswith("| ") and "](" in line
            and "Năm " not in line]
    assert len(rows) == len(events)
    for page, text in split.items():
        for target in re.findall(r"\]\(([^)#]+\.md)", text):
            path = os.path.normpath(Path(page).parent / target)
            assert path in split or (tmp_path / "docs" / path).is_file(), (page, target)
