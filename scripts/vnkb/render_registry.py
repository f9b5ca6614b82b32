"""Pages of the referenced-documents registry (văn bản được dẫn chiếu), its
indexes by type and issuer, and the data-quality page."""
from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict

from .cache import code_version
from .markdown import front_matter, inline, link, table
from .publish import graph
from .publish.catalog import csv_rows
from .publish.citeform import entry_citation
from .publish.paths import page_url
from .paging import CONTENT_BUDGET, PAGE_BUDGET, pack_table, size
from .render import Context, Placed, cite_button, heading, paged, rel, relations_section, target_page, vn_date
from .render_listings import group_pages
from .search.browser import entry_filters, search_block
from .vntext import fold

STATUS_NOTE = {
    "known": "Văn bản có trong danh mục văn bản thường được dẫn chiếu; thông tin bổ sung từ các trích dẫn trong kho.",
    "registry": "Văn bản này không có trong kho; thông tin dưới đây tổng hợp từ các trích dẫn.",
}


ENTRY_MENTIONS = 200     # mentions listed on an entry's page (a law cited by thousands of documents made pages of MBs)


def entry_page(entry, placed_by_id: dict[str, Placed], ctx: Context | None = None) -> list[tuple[str, str]]:
    """An entry's page: (path, Markdown), and more pages when its mentions are many (render.paged)."""
    page = target_page(entry.id)
    ctx = ctx or Context(by_id=placed_by_id)
    used: set[str] = set()
    meta = {"title": entry.label, "id": entry.id, "type_name": entry.type_name, "number": entry.number,
            "name": entry.name, "organ_name": entry.issuer, "issued_date": entry.issued_date, "year": entry.year,
            "subject": entry.subject, "status": entry.status, "cited_by": entry.citing,
            "citation_count": len(entry.mentions), "spellings": entry.spellings}
    rows = [["Loại văn bản", inline(entry.type_name or "")], ["Số, ký hiệu", inline(entry.number or "")],
            ["Tên gọi", inline(entry.name or "")], ["Cơ quan ban hành", inline(entry.issuer or "")],
            ["Ngày ban hành", vn_date(entry.issued_date) or (str(entry.year) if entry.year else "")],
            ["Trích yếu", inline(entry.subject or "")],
            ["Được dẫn chiếu", f"{len(entry.mentions)} lần trong {len(entry.citing)} văn bản"],
            ["Cách viết đã gặp", "; ".join(inline(s) for s in entry.spellings)]]
    head = [front_matter(meta), heading(1, inline(entry.label), entry.label, used) + "\n",
            STATUS_NOTE.get(entry.status, "") + "\n",
            table(["Thông tin", "Giá trị"], [r for r in rows if r[1]]) + "\n", cite_button(entry_citation(entry)),
            heading(2, "Văn bản dẫn chiếu", "Văn bản dẫn chiếu", used) + "\n"]
    mentions = sorted(entry.mentions, key=lambda m: (m.citing_id, m.citation.where, m.citation.line, m.citation.start))
    body = []
    for m in mentions[:ENTRY_MENTIONS]:
        p = placed_by_id[m.citing_id]
        pin = f" ({inline(m.citation.pin)})" if m.citation.pin else ""
        body.append(f"- {link(m.citing_title, rel(page, p.page))}{pin}: “{inline(m.citation.sentence)}”")
    if len(mentions) > ENTRY_MENTIONS:
        body.append(f"\n… và {len(mentions) - ENTRY_MENTIONS} lần dẫn chiếu khác: mọi lần dẫn chiếu có trong "
                    f"{link('citations.json', rel(page, 'api/citations.json'))} (xem "
                    f"{link('Dữ liệu cho cổng thông tin', rel(page, 'api/index.md'))}).")
    related = [(other, f"cùng được {n} văn bản dẫn chiếu", []) for other, n in graph.co_cited(entry.id, ctx.targets, citing=ctx.cited_by.get(entry.id, set()))]
    section = relations_section(page, entry.label, entry.id, ctx, used, entry.citing, [], related)
    search = search_block(
        entry.label,
        entry_filters(entry),
        {"loai": entry.type_name, "so": entry.number, "ngay": vn_date(entry.issued_date), "co_quan": entry.issuer},
        [entry.subject or "", entry.name or ""] + [m.citation.sentence for m in entry.mentions])

    def continued(k: int, n: int, path: str) -> list[str]:
        return [front_matter({"title": f"{entry.label} (trang {k}/{n})", "entry_id": entry.id, "part": k, "parts": n}),
                heading(1, inline(entry.label), entry.label, used) + "\n",
                f"Văn bản dẫn chiếu {link(entry.label, rel(path, page))}, trang {k}/{n}.\n"]
    return paged(page, head, body, "", [section] if section else None, search, continued)


ENTRY_HEADER = ["Văn bản", "Ngày", "Cơ quan ban hành", "Số văn bản dẫn chiếu"]


def _entry_row(e, page: str) -> list[str]:
    return [link(e.label, rel(page, target_page(e.id))), vn_date(e.issued_date), inline(e.issuer or ""),
            str(len(e.citing))]


def _index(entries: list, key, page: str, title: str, column: str) -> dict[str, str]:
    """One page of the entries, a table per group, while it fits the page
    budget; else (a large archive: hundreds of issuers) a compact table of
    the groups, each group on pages of its own (render_listings.group_pages)."""
    by_key = defaultdict(list)
    used: set[str] = set()
    for e in entries:
        by_key[key(e)].append(e)
    groups = [(name, sorted(by_key[name], key=lambda e: (-(len(e.citing)), e.issued_date or "", e.label, e.id)))
              for name in sorted(by_key, key=lambda n: (fold(n), n))]
    intro = f"{len(entries)} văn bản được dẫn chiếu nhưng không có trong kho."
    parts = [f"# {title}\n", intro + "\n"]
    for name, items in groups:
        parts.append(heading(2, f"{inline(name)} ({len(items)})", name, used) + "\n")
        parts.append(table(ENTRY_HEADER, [_entry_row(e, page) for e in items]) + "\n")
    whole = "\n".join(parts)
    if size(whole) <= PAGE_BUDGET:
        return {page: whole}
    return group_pages(page, title, intro, column, groups, ENTRY_HEADER, _entry_row)[0]


def entry_key(entry, ctx: Context, doc_keys: dict[str, str], around: dict[str, str] | None = None) -> str:
    """What an entry's page depends on: its mentions, the render keys of the
    documents citing it (their titles, places and the ids they cite, so the
    entries cited alongside it and how often), and the labels of everything
    those documents cite (a superset of the related entries shown: counting
    co-citations for every entry on every build cost more). around: a memo of
    the last, per citing document. A mention's citation is named by its place:
    its values are in its document's render key."""
    around = {} if around is None else around
    for c in entry.citing:
        if c not in around:
            around[c] = hashlib.sha256("\x00".join(
                f"{t}\x01{ctx.label(t)}\x01{ctx.by_id[t].doc.title or '' if t in ctx.by_id else ''}"
                for t in sorted(ctx.targets.get(c, ()))).encode()).hexdigest()
    payload = pickle.dumps((code_version(), entry.key, entry.id, entry.status, entry.label,
                            [(m.citing_id, m.citing_title, m.citation.where, m.citation.line, m.citation.start)
                             for m in entry.mentions],
                            sorted((c, doc_keys.get(c, ""), around[c]) for c in entry.citing)), protocol=4)
    return hashlib.sha256(payload).hexdigest()


def registry_entry_pages(placed: list[Placed], entries: dict, ctx: Context | None = None,
                         skip: set[str] | None = None):
    """(path, Markdown) of each entry's page, in id order, made in forked
    processes in a large archive; entries in skip are current on disk."""
    from .forked import forked_map
    by_id = {p.id: p for p in placed}
    ctx = ctx or Context.of(placed, entries)
    todo = [(eid, e) for eid, e in entries.items() if eid not in (skip or ())]
    for pages in forked_map(lambda i: entry_page(todo[i][1], by_id, ctx), range(len(todo))):
        yield from pages


def index_pages(entries: dict) -> dict[str, str]:
    """The two indexes of entries: by type and by issuer."""
    values = list(entries.values())
    return (_index(values, lambda e: e.type_name or "Chưa rõ loại", "danh-muc/dan-chieu-theo-loai.md",
                   "Văn bản được dẫn chiếu theo loại", "Loại văn bản")
            | _index(values, lambda e: e.issuer or "Chưa rõ cơ quan", "danh-muc/dan-chieu-theo-co-quan.md",
                     "Văn bản được dẫn chiếu theo cơ quan ban hành", "Cơ quan ban hành"))


KIND_VI = {"duplicate_item": "Mục trùng lặp trong danh mục", "duplicate_item_number": "Hai mục cùng số thứ tự",
           "type_code_mismatch": "Tên loại mâu thuẫn với ký hiệu", "conflicting_dates": "Một số hiệu, nhiều ngày",
           "cited_after_citing": "Văn bản được dẫn chiếu có ngày sau văn bản dẫn chiếu",
           "impossible_period": "Giai đoạn không hợp lệ", "missing_attachment": "Phụ lục được nhắc nhưng không có",
           "incomplete_citation": "Trích dẫn chưa đầy đủ"}


QUALITY_PAGE = "danh-muc/kiem-tra-du-lieu.md"
QUALITY_CSV = "danh-muc/kiem-tra-du-lieu.csv"
QUALITY_ROWS = 500      # findings listed on the page at most (as many as fit); every one is in the CSV file
QUALITY_HEADER = ["Văn bản", "Loại vấn đề", "Chi tiết"]


def _ordered(findings: list) -> list:
    return sorted(findings, key=lambda f: (f.doc_id, f.kind, f.message))


def quality_page(placed: list[Placed], findings: list) -> str:
    """Counts per kind of finding and the first QUALITY_ROWS findings (by
    document), fewer when those are over the page budget: a large archive
    has tens of thousands, which no one reads on one page and which would
    make it megabytes; all are in the CSV file."""
    page = QUALITY_PAGE
    by_id = {p.id: p for p in placed}
    if not findings:
        return "# Kiểm tra dữ liệu\n\nKhông phát hiện vấn đề nào.\n"
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind] += 1
    rows = []
    for f in _ordered(findings)[:QUALITY_ROWS]:
        where = link(by_id[f.doc_id].doc.title or f.doc_id, rel(page, by_id[f.doc_id].page)) if f.doc_id in by_id \
            else link(f.doc_id, rel(page, target_page(f.doc_id)))
        rows.append([where, KIND_VI.get(f.kind, f.kind), inline(f.message)])
    csv_link = link("kiem-tra-du-lieu.csv", "kiem-tra-du-lieu.csv")
    head = ["# Kiểm tra dữ liệu\n",
            f"{len(findings)} điểm cần kiểm tra lại trong văn bản gốc (cũng có trong `python scripts/kb.py check`).\n",
            table(["Loại vấn đề", "Số điểm"], [[KIND_VI.get(k, k), str(n)]
                                               for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]) + "\n"]

    def page_with(rows: list[list[str]]) -> str:
        shown = (f"Dưới đây là {len(rows)} điểm đầu tiên (theo văn bản); đủ {len(findings)} điểm có trong tệp "
                 f"{csv_link} (mở bằng Excel)." if len(rows) < len(findings)
                 else f"Cũng có trong tệp {csv_link} (mở bằng Excel).")
        return "\n".join(head + [shown + "\n", table(QUALITY_HEADER, rows) + "\n"])
    text = page_with(rows)
    if size(text) <= PAGE_BUDGET:
        return text
    # as many findings as the page budget holds (a long message: fewer)
    room = CONTENT_BUDGET - sum(size(x) for x in head) - 300
    return page_with(rows[:pack_table(QUALITY_HEADER, rows, room)[0].count("\n") - 1])


def quality_csv(placed: list[Placed], findings: list, parts=None) -> bytes:
    """Every finding: the document (id, address, title), its kind, the
    detail; by document, then kind and detail. parts: render.Parts (a
    document's rows, kept under its render key and its findings)."""
    from .render import Parts
    parts = parts or Parts()
    by_id = {p.id: p for p in placed}
    by_doc: dict[str, list] = defaultdict(list)
    for f in findings:
        by_doc[f.doc_id].append(f)

    def rows(doc_id: str) -> str:
        p = by_id.get(doc_id)
        return csv_rows([(doc_id, page_url(p.page if p else target_page(doc_id)), (p.doc.title or "") if p else "",
                          KIND_VI.get(f.kind, f.kind), f.message)
                         for f in sorted(by_doc[doc_id], key=lambda f: (f.kind, f.message))])
    text = "".join(parts.get("quality", doc_id, "\n".join(f"{f.kind}\t{f.message}" for f in by_doc[doc_id]),
                             lambda: rows(doc_id)) if doc_id in by_id else rows(doc_id)
                   for doc_id in sorted(by_doc))
    parts.save("quality")
    return ("\ufeff" + csv_rows([["Mã", "Địa chỉ", "Văn bản", "Loại vấn đề", "Chi tiết"]]) + text).encode("utf-8")
