"""Generated files beyond the document pages: report templates (.docx) and
their comparison page, calendars (.ics) and the "Lịch báo cáo" page, the
catalog files for portals (api/) and the number resolver (tra-cuu/)."""
from __future__ import annotations

from collections import defaultdict
from functools import partial

from .markdown import front_matter, inline, link, table
from .publish import calendar as cal
from .publish import catalog, template
from .publish.citeform import document_citation
from .render import (API_DIR, CALENDAR_DIR, CALENDAR_FILE, COMPARE_PAGE, RESOLVER_DIR, Placed, anchor, rel,
                     vn_date)
from .paging import CONTENT_BUDGET, PAGE_BUDGET, pack_table, page_names, pager, size

CHANGE_VI = {"same": "giữ nguyên", "renamed": "đổi tên", "added": "thêm mới", "removed": "bỏ đi"}


def template_files(placed: list[Placed], skip: set[str] = frozenset()) -> dict[str, bytes]:
    """The fillable .docx of every report template; those of documents in
    `skip` are left out (their files on disk are current)."""
    out = {}
    for p in placed:
        if p.id in skip:
            continue
        for i, a in enumerate(p.doc.attachments):
            if template.is_template(a):
                t = template.parse_template(a.lines, a.title)
                note = (f"Mẫu lập từ {a.label.lower()} kèm theo {document_citation(p.doc)}. "
                        "Chữ nghiêng là hướng dẫn của mẫu: thay bằng nội dung báo cáo.")
                out[p.template_file(i)] = template.template_docx(
                    t, title=a.title, subject=p.doc.title or "", source_note=note,
                    when=p.doc.issued_date or (f"{p.doc.year}-01-01" if p.doc.year else None))
    return out


def _templates(placed: list[Placed]) -> list[tuple[Placed, int, template.Template]]:
    found = [(p, i, template.parse_template(a.lines, a.title)) for p in placed
             for i, a in enumerate(p.doc.attachments) if template.is_template(a)]
    return sorted(found, key=lambda x: (x[0].doc.issued_date or str(x[0].doc.year or ""), x[0].id, x[1]))


def _families(found: list) -> list[list]:
    families: list[list] = []
    for item in found:
        title = item[0].doc.attachments[item[1]].title
        for fam in families:
            if template.same_family(fam[0][0].doc.attachments[fam[0][1]].title, title):
                fam.append(item)
                break
        else:
            families.append([item])
    return families


def _who(p: Placed) -> str:
    return f"{p.doc.year or 'không rõ năm'}, {p.doc.organ_name or 'không rõ cơ quan'}"


def comparison_page(placed: list[Placed]) -> str:
    page = COMPARE_PAGE
    used: set[str] = set()
    parts = [front_matter({"title": "So sánh mẫu báo cáo"}), "# So sánh mẫu báo cáo\n",
             "Các mẫu báo cáo cùng loại (tiêu đề giống nhau, không kể năm) qua các năm và các cơ quan ban hành: "
             "mục nào được thêm, bỏ hoặc đổi tên. Các mục được ghép theo tiêu đề (không dấu, bỏ năm, "
             "so khớp theo từ và theo ký tự), không theo số thứ tự.\n"]
    families = [f for f in _families(_templates(placed)) if len(f) >= 2]
    if not families:
        parts.append("Chưa có hai mẫu báo cáo cùng loại để so sánh.\n")
    for fam in families:
        first = fam[0][0].doc.attachments[fam[0][1]]
        parts.append(f"## {inline(first.title)} {{#{anchor(first.title, used)}}}\n")
        parts.append("\n".join(
            f"- {link(f'{_who(p)}: {p.doc.attachments[i].label}', rel(page, p.attachment_page(i)))} – "
            f"{len(t.sections)} mục" for p, i, t in fam) + "\n")
        for (pa, ia, ta), (pb, ib, tb) in zip(fam, fam[1:]):
            changes = template.compare(ta.sections, tb.sections)
            counts = {k: sum(1 for c in changes if c.kind == k) for k in CHANGE_VI}
            title = f"{_who(pa)} → {_who(pb)}"
            parts.append(f"### {inline(title)} {{#{anchor(title, used)}}}\n")
            parts.append(", ".join(f"{n} mục {CHANGE_VI[k]}" for k, n in counts.items()) + ".\n")
            rows = []
            for c in changes:
                old = inline(f"{c.old.marker} {c.old.title}") if c.old else "—"
                new = inline(f"{c.new.marker} {c.new.title}") if c.new else "—"
                rows.append([old, new, f"**{CHANGE_VI[c.kind]}**" if c.kind != "same" else CHANGE_VI[c.kind]])
            parts.append(table([inline(f"Mục ({pa.doc.year or '?'})"), inline(f"Mục ({pb.doc.year or '?'})"),
                                "Thay đổi"], rows) + "\n")
    return "\n".join(parts)


def calendar_files(placed: list[Placed], skip: set[str] = frozenset()
                   ) -> tuple[dict[str, bytes], list[cal.CalEvent]]:
    """Each document's .ics (not for documents in `skip`: theirs are current)
    and the archive's, with every event."""
    files, everything = {}, []
    for p in placed:
        events = cal.document_events(p.doc, p.id)
        if events and p.id not in skip:
            files[p.calendar_file] = cal.calendar(f"Lịch báo cáo – {p.doc.number or p.doc.title or p.id}", events)
        everything += events
    files[f"{CALENDAR_DIR}/{CALENDAR_FILE}"] = cal.calendar("Lịch báo cáo – Kho văn bản bình đẳng giới", everything)
    return files, everything


# One page holds the whole calendar while it is short; past this many events
# (a national archive has tens of thousands: a 5 MB page), or past the page
# budget, each year gets its own page and lich/ lists the years. A year with
# more rows than a page holds continues on lich/<year>/trang-<k>.md.
CALENDAR_ROWS = 500
_CALENDAR_INTRO = ("Thời hạn báo cáo và các đợt hoạt động (Tháng hành động …) mà các văn bản trong kho yêu cầu, "
                   "theo ngày.\n")
_CALENDAR_HEADER = ["Ngày", "Việc", "Văn bản", "Cơ quan ban hành"]


def calendar_pages(placed: list[Placed], events: list[cal.CalEvent]):
    """(page, Markdown) of the calendar: lich/index.md, and when split
    lich/<year>/index.md (and lich/<year>/trang-<k>.md for a long year)."""
    page = f"{CALENDAR_DIR}/index.md"
    by_id = {p.id: p for p in placed}
    parts = [front_matter({"title": "Lịch báo cáo"}), "# Lịch báo cáo\n", _CALENDAR_INTRO,
             f"**Theo dõi bằng lịch điện tử:** {link('lich-bao-cao.ics', CALENDAR_FILE)} – trong Outlook chọn "
             "*Thêm lịch → Từ Internet*, trong Google Calendar chọn *Lịch khác → Từ URL* và dán địa chỉ của tệp này "
             "(lịch tự cập nhật khi kho có văn bản mới). Mỗi văn bản cũng có tệp .ics riêng trên trang của nó.\n"]
    by_year: dict[str, list[cal.CalEvent]] = defaultdict(list)
    for e in events:
        by_year[e.start[:4]].append(e)
    if not events:
        parts.append("Chưa có thời hạn hoặc sự kiện nào.\n")
    years = sorted(by_year, reverse=True)
    if len(events) <= CALENDAR_ROWS:
        whole = list(parts)
        for year in years:
            whole.append(f"## Năm {year} {{#nam-{year}}}\n")
            whole.append(_calendar_table(page, by_year[year], by_id) + "\n")
        text = "\n".join(whole)
        if size(text) <= PAGE_BUDGET:
            yield page, text
            return
    rows = [[link(f"Năm {year}", f"{year}/index.md"), str(len(by_year[year]))] for year in years]
    parts.append(table(["Năm", "Số thời hạn và sự kiện"], rows) + "\n")
    yield page, "\n".join(parts)
    for year in years:
        yield from _year_pages(year, by_year[year], by_id)


def _year_pages(year: str, events: list[cal.CalEvent], by_id: dict[str, Placed]):
    year_page = f"{CALENDAR_DIR}/{year}/index.md"
    back = link("Lịch báo cáo của cả kho", "../index.md") + "\n"
    events = sorted(events, key=lambda e: (e.start, e.end, e.uid))
    # (a year's continuation pages share its folder: the rows' links are the same on each)
    tables = pack_table(_CALENDAR_HEADER, _calendar_rows(year_page, events, by_id),
                        CONTENT_BUDGET - size(_CALENDAR_INTRO) - size(back))
    if len(tables) == 1:
        yield year_page, "\n".join([
            front_matter({"title": f"Lịch báo cáo năm {year}"}), f"# Lịch báo cáo năm {year}\n", _CALENDAR_INTRO,
            back, tables[0] + "\n"])
        return
    names = page_names(year_page, len(tables))
    first = 0
    for k, (name, rows_md) in enumerate(zip(names, tables)):
        count = rows_md.count("\n") - 1
        span = f"Từ {vn_date(events[first].start)} đến {vn_date(events[first + count - 1].start)}.\n"
        first += count
        title = f"Lịch báo cáo năm {year}" + (f" (trang {k + 1}/{len(names)})" if k else "")
        yield name, "\n".join([front_matter({"title": title}), f"# {title}\n"]
                               + ([_CALENDAR_INTRO] if k == 0 else [])
                               + [back, pager(names, k) + "\n", span, rows_md + "\n", pager(names, k) + "\n"])


def _calendar_rows(page: str, events: list[cal.CalEvent], by_id: dict[str, Placed]) -> list[list[str]]:
    """The rows of events already in date order."""
    rows = []
    for e in events:
        p = by_id[e.doc_id]
        when = vn_date(e.start) if e.start == e.end else f"{vn_date(e.start)} – {vn_date(e.end)}"
        what = e.summary.split(" – ")[0] if e.kind == "deadline" else e.summary
        rows.append([when, inline(what), link(p.doc.number or p.doc.title or p.id, rel(page, p.page)),
                     inline(p.doc.organ_name or "")])
    return rows


def _calendar_table(page: str, events: list[cal.CalEvent], by_id: dict[str, Placed]) -> str:
    events = sorted(events, key=lambda e: (e.start, e.end, e.uid))
    return table(_CALENDAR_HEADER, _calendar_rows(page, events, by_id))


def resolver_page() -> str:
    return "\n".join([
        front_matter({"title": "Tra cứu theo số hiệu"}),
        "# Tra cứu theo số hiệu\n",
        "Nhập số, ký hiệu của văn bản theo cách nào cũng được (“880/QĐ-UBND”, “880/QD-UBND”, “880/qd-ubnd”, "
        "“qđ 880”); có thể thêm năm và cơ quan ban hành. Cổng thông tin có thể dẫn thẳng đến văn bản bằng địa chỉ "
        "`tra-cuu/?so=880/QĐ-UBND&nam=2016&co_quan=Hà Tĩnh`.\n",
        '<div id="kb-resolver" class="kb-resolver" data-index="so-hieu.json">\n'
        '<form class="kb-search__form" role="search" action="./" method="get">\n'
        '<input class="kb-search__input" type="search" name="so" autocomplete="off" '
        'placeholder="Số, ký hiệu: 880/QĐ-UBND" aria-label="Số, ký hiệu">\n'
        '<input class="kb-search__input kb-resolver__year" type="text" name="nam" inputmode="numeric" '
        'placeholder="Năm" aria-label="Năm ban hành">\n'
        '<input class="kb-search__input" type="text" name="co_quan" placeholder="Cơ quan ban hành" '
        'aria-label="Cơ quan ban hành">\n'
        '<button class="md-button md-button--primary" type="submit">Tra cứu</button>\n'
        '</form>\n'
        '<p class="kb-resolver__status" id="kb-resolver-status" role="status" aria-live="polite"></p>\n'
        '<ul class="kb-resolver__choices" id="kb-resolver-choices"></ul>\n'
        '<noscript>Trang tra cứu cần JavaScript; bạn vẫn có thể tìm văn bản theo loại, năm hoặc cơ quan.</noscript>\n'
        '</div>\n',
    ])


def api_page() -> str:
    return "\n".join([
        front_matter({"title": "Dữ liệu cho cổng thông tin"}),
        "# Dữ liệu cho cổng thông tin\n",
        "Các tệp dưới đây được tạo lại mỗi lần xây dựng kho; địa chỉ trong tệp tính từ gốc của trang "
        "(ví dụ `van-ban/2019/.../`). Lược đồ JSON (JSON Schema) nằm trong thư mục `schemas/` của mã nguồn.\n",
        table(["Tệp", "Nội dung"], [
            [link("catalog.json", "catalog.json"), "Mọi văn bản, văn bản kèm theo và văn bản được dẫn chiếu, "
                                                   "với thông tin theo Nghị định 30/2020/NĐ-CP và địa chỉ"],
            [link("citations.json", "citations.json"), "Quan hệ dẫn chiếu: văn bản nào dẫn chiếu văn bản nào, "
                                                       "bao nhiêu lần, điều khoản nào"],
            [link("danh-muc.csv", "danh-muc.csv"), "Danh mục dạng bảng (CSV, UTF-8) để mở bằng Excel"],
            ['<a href="van-ban-moi.xml">van-ban-moi.xml</a>', "Tin văn bản mới (Atom), theo ngày ban hành"],
            [link("lich-bao-cao.ics", f"../{CALENDAR_DIR}/{CALENDAR_FILE}"), "Lịch báo cáo (iCalendar)"],
            ['<a href="../sitemap.xml">sitemap.xml</a>', "Sơ đồ trang cho máy tìm kiếm"],
        ]) + "\n",
        "## Liên kết cố định {#lien-ket-co-dinh}\n",
        "Địa chỉ của văn bản lấy từ năm, cơ quan ban hành và số, ký hiệu: `van-ban/<năm>/<cơ quan>/<số>/`. "
        "Khi thông tin được hiệu chỉnh, địa chỉ cũ vẫn dùng được (tự chuyển sang địa chỉ mới). "
        "Không cần biết địa chỉ, cổng thông tin có thể dẫn đến `tra-cuu/?so=<số, ký hiệu>` "
        f"({link('trang tra cứu', f'../{RESOLVER_DIR}/index.md')}). Các đề mục có neo cố định, ví dụ "
        "`#3-to-chuc-trien-khai-thang-hanh-dong-...` lấy từ tiêu đề không dấu.\n",
    ])


def publish_jobs(placed: list[Placed], entries: dict, skip: set[str] = frozenset(), parts=None) -> list:
    """The templates, calendars, comparison page, API and resolver files as
    independent jobs: each a function that gives its files
    as (path, str or bytes) pairs (render_all runs them side by side in a
    large archive). parts: render.Parts (None: made here)."""
    from .render import Parts
    parts = parts or Parts()
    return [partial(_catalog_files, placed, entries, parts),
            partial(_citations_file, placed, entries, parts),
            partial(_calendar_files, placed, skip),
            partial(_template_files, placed, skip),
            _fixed_pages]


def _catalog_files(placed: list[Placed], entries: dict, parts):
    cited_by = catalog.catalog_cited_by(placed)

    def files(p: Placed) -> dict:
        return {"calendar": p.calendar_file if p.has_calendar else None,
                "templates": {i: p.template_file(i) for i, a in enumerate(p.doc.attachments) if template.is_template(a)}}
    documents = [parts.get("catalog", p.id, "\n".join(cited_by.get(p.id, ())),
                           lambda: catalog.document_part(p, files(p), cited_by.get(p.id, [])))
                 for p in sorted(placed, key=lambda p: p.id)]
    registry = [parts.get("catalog", "entry:" + eid, "", lambda: catalog.entry_part(eid, entries[eid]))
                for eid in sorted(entries)]
    parts.save("catalog")
    catalog_json, catalog_csv, resolver = catalog.catalog_files(documents, registry)
    yield f"{API_DIR}/catalog.json", catalog_json
    yield f"{API_DIR}/danh-muc.csv", catalog_csv
    yield f"{RESOLVER_DIR}/so-hieu.json", resolver


def _citations_file(placed: list[Placed], entries: dict, parts):
    def edges(p: Placed, entries: dict) -> list[str]:
        # a document's edges depend on it and on which of its targets are registry entries
        kinds = "".join("r" if c.target in entries else "d" for c in p.doc.citations if c.target)
        return parts.get("edges", p.id, kinds, lambda: catalog.citation_edges(p, entries))
    text = catalog.citations_json(placed, entries, edges)
    parts.save("edges")
    yield f"{API_DIR}/citations.json", text


def _calendar_files(placed: list[Placed], skip: set[str]):
    files, events = calendar_files(placed, skip)
    yield from files.items()
    yield from calendar_pages(placed, events)


def _template_files(placed: list[Placed], skip: set[str]):
    yield from template_files(placed, skip).items()
    yield COMPARE_PAGE, comparison_page(placed)


def _fixed_pages():
    yield f"{API_DIR}/index.md", api_page()
    yield f"{RESOLVER_DIR}/index.md", resolver_page()
