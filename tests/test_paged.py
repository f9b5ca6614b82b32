"""Archive-wide pages that grow with the archive (the repair report, a year of
the calendar, the build report) are cut into pages of bounded size: every
row on exactly one page, pager links to pages that exist, a small archive's
page as it always was, same input -> same bytes."""
from __future__ import annotations

import posixpath
import re

from kbtest import assert_links_resolve
from vnkb.markdown import inline, table
from vnkb.models import Document, Repair
from vnkb.render import place_documents
from vnkb.paging import PAGE_BUDGET, pack, pack_table, page_names, pager, size


def _docs(n: int, repairs: int = 3) -> list[Document]:
    docs = []
    for i in range(n):
        fixes = [Repair(kind="glyph" if j % 3 else "number", line=j, start=0, end=3, before="b u", after="bầu",
                        evidence=f"“ầ” mất ở {j} chỗ <b>|x|</b>", confidence=0.9, applied=(i + j) % 4 != 0,
                        page=1 + j // 40, context=f"Luật Bầu cử [x](javascript:1) {i} {j}")
                 for j in range(repairs + i % 5)]
        docs.append(Document(source={"path": f"{i:05d}_tep.txt", "sha256": f"{i:064x}", "format": "text", "pages": 1},
                             number=f"{i + 1:02d}/HD-UBND", type_name="Hướng dẫn",
                             organ_name="Ủy ban nhân dân tỉnh Hà Tĩnh", year=2019,
                             issued_date=f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}",
                             title=f"Hướng dẫn {i} *về* bình đẳng giới", repairs=fixes))
    return docs


def _links_resolve(pages: dict[str, str], elsewhere: tuple[str, ...] = ()) -> None:
    """Links between the given pages resolve (document pages and `elsewhere` are made elsewhere)."""
    assert_links_resolve(pages, outside=lambda path: path.startswith("van-ban/") or path in elsewhere)


def _bounded(pages: dict[str, str]) -> None:
    for page, text in pages.items():
        assert size(text) <= PAGE_BUDGET, (page, size(text))


# --- the helpers ----------------------------------------------------------------

def test_pack_keeps_order_and_budget():
    blocks = [f"khối {i} " + "x" * (i * 37 % 900) for i in range(500)]
    pages = pack(blocks, 5_000)
    assert [b for page in pages for b in page] == blocks
    assert len(pages) > 1
    assert all(sum(size(b) for b in page) <= 5_000 for page in pages)
    assert pack([], 5_000) == [[]]
    big = "y" * 9_000
    assert pack(["a", big, "b"], 5_000) == [["a"], [big], ["b"]]     # never split, alone on its page


def test_one_page_table_is_the_table():
    rows = [[str(i), f"ô {i}"] for i in range(20)]
    assert pack_table(["A", "B"], rows) == [table(["A", "B"], rows)]
    many = pack_table(["A", "B"], rows * 200, 3_000)
    assert len(many) > 1 and all(t.startswith("| A | B |\n| --- | --- |") for t in many)
    assert sum(t.count("\n") - 1 for t in many) == 4_000


def test_page_names_and_pager():
    assert page_names("danh-muc/sua-loi-van-ban.md", 3) == [
        "danh-muc/sua-loi-van-ban.md", "danh-muc/sua-loi-van-ban/trang-2.md", "danh-muc/sua-loi-van-ban/trang-3.md"]
    assert page_names("lich/2019/index.md", 2) == ["lich/2019/index.md", "lich/2019/trang-2.md"]
    names = page_names("danh-muc/bao-cao-xay-dung.md", 40)
    first = pager(names, 0)
    assert first.startswith("Trang 1/40: **1** · [2](bao-cao-xay-dung/trang-2.md)")
    assert "[40](bao-cao-xay-dung/trang-40.md) · [Trang sau ›](bao-cao-xay-dung/trang-2.md)" in first
    middle = pager(names, 19)
    assert middle.startswith("Trang 20/40: [‹ Trang trước](trang-19.md) · [1](../bao-cao-xay-dung.md) · …")
    assert "[18](trang-18.md) · [19](trang-19.md) · **20** · [21](trang-21.md)" in middle
    assert middle.endswith("· … · [40](trang-40.md) · [Trang sau ›](trang-21.md)")
    assert "Trang sau" not in pager(names, 39)
    assert all(len(pager(names, k)) < 400 for k in range(40))
    pages = {name: pager(names, k) for k, name in enumerate(names)}
    _links_resolve(pages)


# --- the repair report ------------------------------------------------------------

def test_small_repair_report_is_one_page():
    from vnkb.render_repairs import PAGE, repairs_pages
    placed = place_documents(_docs(3))
    pages = repairs_pages(placed)
    assert list(pages) == [PAGE]
    assert "Trang 1/" not in pages[PAGE] and "{#" not in pages[PAGE]
    assert pages[PAGE].count("\n## [") == 3


def test_large_repair_report_is_split():
    from vnkb.render_repairs import PAGE, SUMMARY_ROWS, repairs_pages
    docs = _docs(400)
    docs[7].repairs = docs[7].repairs * 150          # one document with more rows than a page holds
    placed = place_documents(docs)
    pages = repairs_pages(placed)
    assert len(pages) > 10
    assert list(pages)[0] == PAGE and all(p.startswith("danh-muc/sua-loi-van-ban/trang-") for p in list(pages)[1:])
    _bounded(pages)
    _links_resolve(pages)
    first = pages[PAGE]
    assert "chỗ đã sửa" in first and "trong 400 văn bản" in first and "Trang 1/" in first
    summary = [line for line in first.splitlines() if line.startswith("| [")]
    assert 0 < len(summary) <= SUMMARY_ROWS
    for line in summary:                        # the document, and the page with its details
        title, page = re.fullmatch(r"\| \[(.*?)\]\(\.\./van-ban/2019/[^)]*\) \| \d+ \| \d+ \| "
                                   r"\[Trang \d+\]\((sua-loi-van-ban/trang-\d+\.md)\) \|", line).groups()
        assert f"## [{title}](" in pages["danh-muc/" + page]
    # every document's section heads exactly one page, its rows all appear once
    details = "\n".join(text for page, text in pages.items() if page != PAGE)
    for p in placed:
        title = re.escape(f"Hướng dẫn {p.doc.title.split()[2]} \\*về\\* bình đẳng giới")
        assert len(re.findall(rf"^## \[{title}\]\([^)]*\) \{{#", details, re.M)) == 1, p.id
    rows = [line for line in details.splitlines() if line.startswith("| ") and not line.startswith(("| Trang |", "| ---"))]
    assert len(rows) == sum(len(d.repairs) for d in docs)
    assert "(tiếp theo)" in details
    # document text stays text
    assert "<b>" not in details and "&lt;b&gt;" in details
    assert "\\[x\\](javascript:1)" in details and not re.search(r"(?<!\\)\]\(javascript", details)


def test_repair_report_is_deterministic():
    from vnkb.render_repairs import repairs_pages
    a = repairs_pages(place_documents(_docs(300)))
    b = repairs_pages(place_documents(list(reversed(_docs(300)))))
    assert len(a) > 1 and a == b


# --- the calendar -------------------------------------------------------------------

def _calendar(n: int, per_doc: int):
    from vnkb.models import Deadline
    from vnkb.render_publish import calendar_files
    docs = _docs(n, repairs=0)
    for i, d in enumerate(docs):
        d.deadlines = [Deadline(date=f"{2018 + (i + j) % 3}-{1 + j % 12:02d}-{1 + (i * 7 + j) % 28:02d}",
                                kind="bao_cao", text=f"Báo cáo <i>{j}</i>") for j in range(per_doc)]
    placed = place_documents(docs)
    return placed, calendar_files(placed)[1]


def test_long_calendar_year_continues_on_numbered_pages():
    from vnkb.render_publish import calendar_pages
    placed, events = _calendar(300, 12)                 # 3,600 events over 3 years
    pages = dict(calendar_pages(placed, events))
    assert list(pages)[:2] == ["lich/index.md", "lich/2020/index.md"]
    assert "lich/2019/trang-2.md" in pages and all(
        re.fullmatch(r"lich/(index|20(18|19|20)/(index|trang-\d+))\.md", p) for p in pages)
    _bounded(pages)
    _links_resolve(pages)
    rows = [line for text in pages.values() for line in text.splitlines()
            if line.startswith("| ") and "/HD-UBND](" in line]
    assert len(rows) == len(events)                     # each event on one page
    # in date order across a year's pages
    year = [p for p in pages if p.startswith("lich/2019/")]
    year.sort(key=lambda p: 1 if p.endswith("index.md") else int(p.rsplit("-", 1)[1][:-3]))
    dates = [line.split(" | ")[0][2:] for p in year for line in pages[p].splitlines()
             if line.startswith("| ") and "/HD-UBND](" in line]
    assert dates == sorted(dates, key=lambda d: d.split("/")[::-1])
    assert "Trang 2/" in pages["lich/2019/trang-2.md"] and "Từ " in pages["lich/2019/trang-2.md"]
    assert "<i>" not in "".join(pages.values())


def test_calendar_over_the_budget_is_split_by_year_even_when_short():
    from vnkb.render_publish import CALENDAR_ROWS, calendar_pages
    placed, events = _calendar(24, 8)
    assert len(events) <= CALENDAR_ROWS
    pages = dict(calendar_pages(placed, events))
    assert list(pages) == ["lich/index.md", "lich/2020/index.md", "lich/2019/index.md", "lich/2018/index.md"]
    _bounded(pages)
    _links_resolve(pages)


def test_small_calendar_is_one_page_and_deterministic():
    from vnkb.render_publish import calendar_pages
    placed, events = _calendar(5, 3)
    pages = dict(calendar_pages(placed, events))
    assert list(pages) == ["lich/index.md"] and "Trang " not in pages["lich/index.md"]
    big = _calendar(300, 12)
    assert dict(calendar_pages(*big)) == dict(calendar_pages(*_calendar(300, 12)))


# --- the build report -----------------------------------------------------------------

def _results(n: int) -> list:
    from vnkb.models import FileResult
    out = []
    for i in range(n):
        status = "failed" if i % 97 == 3 else "duplicate" if i % 211 == 5 else "ok"
        out.append(FileResult(path=f"thu-muc/{i:05d}_tệp *gốc* <x>.pdf", status=status,
                              stage="extract" if status == "failed" else "",
                              reason="PDF có mật khẩu | [x](javascript:1)" if status == "failed" else "",
                              ocr_pages=i % 3, ocr_confidence=80.0 if i % 3 else None))
    return out


def test_small_build_report_is_one_page():
    from vnkb.render_report import PAGE, report_pages
    results = _results(30)
    pages = report_pages(results, {r.path: (1, 0) for r in results})
    assert list(pages) == [PAGE]
    assert pages[PAGE].count("\n| thu-muc/") == 30 and "Trang " not in pages[PAGE]


def test_large_build_report_keeps_failures_first():
    from vnkb.render_report import PAGE, report_pages
    results = _results(3_000)
    repairs = {r.path: (i % 4, i % 2) for i, r in enumerate(results)}
    pages = report_pages(results, repairs)
    assert len(pages) > 5 and list(pages)[0] == PAGE
    assert all(p.startswith("danh-muc/bao-cao-xay-dung/trang-") for p in list(pages)[1:])
    _bounded(pages)
    _links_resolve(pages, elsewhere=("danh-muc/sua-loi-van-ban.md",))
    first = pages[PAGE]
    bad = [r for r in results if r.status != "ok"]
    assert f"3000 tệp gốc; {3000 - len(bad)} được xuất bản; {len(bad)} cần xử lý" in first
    assert "## Tệp cần xử lý" in first and "[Sửa lỗi văn bản](sua-loi-van-ban.md)" in first
    listed = [line for line in first.splitlines() if line.startswith("| thu-muc/")]
    assert len(listed) == len(bad) and all("đã xuất bản" not in line for line in listed)
    rest = [line for page, text in pages.items() if page != PAGE for line in text.splitlines()
            if line.startswith("| thu-muc/")]
    assert len(rest) == len(set(rest)) == 3_000
    assert [line.split(" | ")[0] for line in rest] == sorted(line.split(" | ")[0] for line in rest)
    text = "".join(pages.values())
    assert "<x>" not in text and "&lt;x&gt;" in text and "\\*gốc\\*" in text and "\\|" in text
    assert report_pages(list(reversed(results)), repairs) == pages


def test_build_report_with_too_many_failures_stays_bounded():
    from vnkb.render_report import PAGE, report_pages
    from vnkb.models import FileResult
    results = [FileResult(path=f"{i:05d}.pdf", status="failed", stage="extract", reason="tệp hỏng " * 5)
               for i in range(2_000)]
    pages = report_pages(results)
    _bounded(pages)
    assert "tệp khác cần xử lý" in pages[PAGE]
    assert sum(t.count("\n| 0") for p, t in pages.items() if p != PAGE) == 2_000


# --- the listings and the registry's indexes ------------------------------------------

GROUP_TITLE = re.compile(r"^# (?:.*?): (.*?)(?: \(trang (\d+)/(\d+)\))?$", re.M)


def _archive(n: int) -> list[Document]:
    """n documents of many issuers (some whose page names would collide),
    a few types and years; text with Markdown in it."""
    organs = ["Trang 2", "trang-2", "Index", "Sở Tư pháp", "So Tu Phap", "so-tu-phap-2"]
    docs = _docs(n, repairs=0)
    for i, d in enumerate(docs):
        d.organ_name = organs[i] if i < len(organs) else f"Ủy ban nhân dân xã *Số* {i % 300} <b>"
        d.type_name = ["Hướng dẫn", "Kế hoạch", "Quyết định", "Trang 3"][i % 4] if i % 50 else "Công văn"
        d.year = 2015 + i % 7
        d.issued_date = f"{d.year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        d.subject = f"Về việc thực hiện công tác bình đẳng giới và vì sự tiến bộ của phụ nữ [x](javascript:1) {i}"
    return docs


def _groups_listed(pages: dict[str, str], main: str) -> dict[str, list[str]]:
    """A listing split into group pages: group name -> what the rows on its
    pages link to (in order), checking each group's pages on the way."""
    folder = main[:-3] + "/"
    listed: dict[str, list[str]] = {}
    for path, text in pages.items():
        if not path.startswith(folder) or re.fullmatch(r"trang-\d+\.md", path[len(folder):]):
            continue
        name, k, n = GROUP_TITLE.search(text).groups()
        if k:
            home = path[len(folder):].split("/")[0].removesuffix(".md")
            assert path == (folder + home + ".md" if k == "1" else f"{folder}{home}/trang-{k}.md"), path
        listed.setdefault(name, []).extend(posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
                                           for target in re.findall(r"^\| \[[^\]]*\]\(([^)]+)\)", text, re.M))
    return listed


def _index_rows(pages: dict[str, str], main: str) -> dict[str, str]:
    """The table of groups over the listing's pages: group name -> its first page."""
    names = [main] + sorted((p for p in pages if re.fullmatch(re.escape(main[:-3]) + r"/trang-\d+\.md", p)),
                            key=lambda p: int(p.rsplit("-", 1)[1][:-3]))
    out = {}
    for path in names:
        for label, target in re.findall(r"^\| \[(.*?)\]\(([^)]+)\) \| \d+ \|$", pages[path], re.M):
            out[label] = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return out


def test_large_listings_are_tables_of_groups_with_their_own_pages():
    from vnkb.render_listings import listing_pages
    docs = _archive(1_500)
    placed = place_documents(docs)
    pages = listing_pages(placed)
    _bounded(pages)
    _links_resolve(pages)
    by_id = {p.page: p.doc for p in placed}
    for main, key in [("danh-muc/theo-co-quan.md", lambda d: d.organ_name),
                      ("danh-muc/theo-loai.md", lambda d: d.type_name),
                      ("danh-muc/theo-nam.md", lambda d: str(d.year))]:
        text = pages[main]
        assert text.startswith("# Văn bản theo ") and "Kho có 1500 văn bản." in text and "{#" not in text
        groups = _groups_listed(pages, main)
        firsts = _index_rows(pages, main)
        # every group once in the table of groups, linking to its own first page
        assert set(firsts) == set(groups) and len(set(firsts.values())) == len(firsts)
        for label, first in firsts.items():
            assert GROUP_TITLE.search(pages[first]).group(1) == label
        # every document exactly once, on the pages of its own group
        seen = []
        for label, rows in groups.items():
            assert all(inline(key(by_id[page])) == label for page in rows), label
            seen += rows
        assert sorted(seen) == sorted(by_id)
    organs = _groups_listed(pages, "danh-muc/theo-co-quan.md")
    assert len(organs) == 306
    assert len(_index_rows(pages, "danh-muc/theo-co-quan.md")) == 306
    assert "danh-muc/theo-co-quan/trang-2.md" in pages            # the table of groups continues
    assert {"danh-muc/theo-co-quan/nhom-trang-2.md", "danh-muc/theo-co-quan/nhom-index.md",
            "danh-muc/theo-loai/nhom-trang-3.md"} <= set(pages)
    text = "".join(pages.values())
    assert "<b>" not in text and "&lt;b&gt;" in text and "\\*Số\\*" in text
    assert not re.search(r"(?<!\\)\]\(javascript", text)
    assert listing_pages(place_documents(list(reversed(_archive(1_500))))) == pages


def _entries(n_docs: int):
    from vnkb.cite import cite_document, link_archive
    kinds = ["Quyết định", "Chỉ thị", "Kế hoạch", "Công văn"]
    docs = _docs(n_docs, repairs=0)
    for i, d in enumerate(docs):
        d.body = [f"Căn cứ {kinds[(i + j) % 4]} số {i * 7 + j}/QĐ-UBND ngày 12/3/2018 của Ủy ban nhân dân "
                  f"huyện Số {(i * 3 + j) % 400} về công tác bình đẳng giới." for j in range(4)]
        d.text = "\n".join(d.body)
        cite_document(d)
    return link_archive(place_documents(docs))


def test_large_registry_indexes_are_tables_of_groups():
    from vnkb.render import target_page
    from vnkb.render_registry import index_pages
    entries = _entries(300)
    pages = index_pages(entries)
    assert len(pages) > 50
    _bounded(pages)
    _links_resolve(pages, elsewhere=tuple(target_page(e) for e in entries))
    for main, attr in [("danh-muc/dan-chieu-theo-co-quan.md", "issuer"), ("danh-muc/dan-chieu-theo-loai.md", "type_name")]:
        assert pages[main].startswith("# Văn bản được dẫn chiếu theo ") and f"{len(entries)} văn bản được dẫn chiếu" in pages[main]
        groups = _groups_listed(pages, main)
        assert set(_index_rows(pages, main)) == set(groups)
        seen = []
        for name, rows in groups.items():
            for page in rows:
                eid = page[:-3]
                assert inline(getattr(entries[eid], attr)) == name
                seen.append(eid)
        assert sorted(seen) == sorted(entries)
    assert "danh-muc/dan-chieu-theo-co-quan/trang-2.md" in pages
    assert index_pages(dict(reversed(list(entries.items())))) == pages


def test_small_registry_index_is_one_page():
    from vnkb.render_registry import index_pages
    entries = _entries(4)
    pages = index_pages(entries)
    assert list(pages) == ["danh-muc/dan-chieu-theo-loai.md", "danh-muc/dan-chieu-theo-co-quan.md"]
    assert "Trang " not in "".join(pages.values()) and pages["danh-muc/dan-chieu-theo-loai.md"].count("\n## ") == 4
