"""Listings of the archive's documents by type, year and issuer
(danh-muc/theo-*.md), and the way a listing too long for one page is cut:
a table of its groups, each group on pages of its own (group_pages, also used
for the registry's indexes by render_registry)."""
from __future__ import annotations

import re
from collections import defaultdict

from . import paging
from .markdown import inline, link, rel, table
from .render import Placed, heading, vn_date
from .vntext import fold, slugify


def _doc_row(placed: Placed, page: str) -> list[str]:
    d = placed.doc
    return [link(d.number or "(không số)", rel(page, placed.page)), vn_date(d.issued_date) or str(d.year or ""),
            inline(d.organ_name or ""), inline(d.subject or d.title or "")]


def _row_maker(placed: list[Placed]):
    """_doc_row with each document's text escaped once: a document is a row
    of three listings, and of a group's page and of its continuation pages
    (60,000 rows at 10,000 documents)."""
    cells = {id(p): _doc_row(p, p.page)[1:] for p in placed}

    def row(p: Placed, page: str) -> list[str]:
        return [link(p.doc.number or "(không số)", rel(page, p.page))] + cells[id(p)]
    return row


INLINE_ROWS = 20        # documents shown per group on a listing page that fits the page budget
DOC_HEADER = ["Số, ký hiệu", "Ngày", "Cơ quan ban hành", "Trích yếu"]
_RESERVED_SLUG = re.compile(r"trang-\d+|index")


def _rows(items: list[Placed], page: str, row_of=_doc_row) -> str:
    return table(DOC_HEADER, [row_of(p, page) for p in items]) + "\n"


def group_slugs(names: list[str]) -> dict[str, str]:
    """Each group's page name in its listing's folder, unique among the
    groups and never that of a continuation page of the listing (trang-<k>)
    nor index (the listing's own address): the slug of the name; "nhom-"
    before a reserved one; -2, -3 ... after a slug another group has already
    (in the order of fold, then the name: the same for the same groups)."""
    order = sorted(set(names), key=lambda n: (fold(n), n))
    bases = {}
    for name in order:
        base = slugify(name)
        bases[name] = f"nhom-{base}" if _RESERVED_SLUG.fullmatch(base) else base
    taken = set(bases.values())
    out: dict[str, str] = {}
    given: set[str] = set()
    for name in order:
        slug, k = bases[name], 2
        while slug in given or (slug != bases[name] and slug in taken):
            slug = f"{bases[name]}-{k}"
            k += 1
        given.add(slug)
        out[name] = slug
    return out


def _table_pages(first: str, header: list[str], rows: list[list[str]], written_at: str) -> tuple[list[str], list[str]]:
    """A table too long for one page over first and its continuation pages
    (paging.page_names), cut by the page budget: (pages, their tables). The
    rows are written once, with links for the page written_at; each table's
    links are rebased to its own page (paging.rebase_links)."""
    tables = paging.pack_table(header, rows)
    names = paging.page_names(first, len(tables))
    return names, [paging.rebase_links(t, written_at, name) + "\n" for name, t in zip(names, tables)]


def group_firsts(page: str, names: list[str]) -> dict[str, str]:
    """Each group's first page: danh-muc/theo-loai.md -> danh-muc/theo-loai/<slug>.md."""
    slugs = group_slugs(names)
    return {name: f"{page[:-len('.md')]}/{slugs[name]}.md" for name in names}


def group_pages(page: str, title: str, intro: str, column: str, groups: list[tuple[str, list]],
                header: list[str], row_of, only: set[str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """A listing's groups, each on its own pages, and (when wanted) the
    listing as a compact table of its groups. groups: (name, items) in the
    listing's order; row_of(item, page): the item's row on `page`. A group's
    pages are folder/<slug>.md and folder/<slug>/trang-<k>.md (folder:
    page without .md), cut by the page budget. only: the names of the groups
    that get pages, and the listing is left alone (None: every group, and the
    listing becomes the table of groups: page and folder/trang-<k>.md).
    Returns ({path: Markdown}, {group name: its first page})."""
    first_of = group_firsts(page, [name for name, _ in groups])
    out: dict[str, str] = {}
    listed_on: dict[str, str] = {name: page for name, _ in groups}
    if only is None:
        rows = [[link(name, rel(page, first_of[name])), str(len(items))] for name, items in groups]
        names, tables = _table_pages(page, [column, "Số văn bản"], rows, page)
        at = 0
        for k, (name_k, table_md) in enumerate(zip(names, tables)):
            mine = groups[at:at + table_md.count("\n") - 2]      # (its lines: header, separator, rows)
            at += len(mine)
            nav = [paging.pager(names, k) + "\n"] if len(names) > 1 else []
            noun = column[:1].lower() + column[1:]
            head = ([f"# {title}\n", intro + "\n", f"{len(groups)} {noun}, mỗi {noun} một trang danh sách.\n"]
                    if k == 0
                    else [f"# {title} (trang {k + 1}/{len(names)})\n"])
            out[name_k] = "\n".join(head + nav + [table_md] + nav)
            for name, _ in mine:
                listed_on[name] = name_k
    for name, items in groups:
        if only is not None and name not in only:
            continue
        # written for the pages after the first (one folder: the same links on each)
        later = paging.page_names(first_of[name], 2)[1]
        names, tables = _table_pages(first_of[name], header, [row_of(x, later) for x in items], later)
        for k, (name_k, table_md) in enumerate(zip(names, tables)):
            suffix = f" (trang {k + 1}/{len(names)})" if len(names) > 1 else ""
            nav = [paging.pager(names, k) + "\n"] if len(names) > 1 else []
            out[name_k] = "\n".join(
                [f"# {inline(title)}: {inline(name)}{suffix}\n",
                 f"{link('Về danh mục', rel(name_k, listed_on[name]))} · {len(items)} văn bản\n"]
                + nav + [table_md] + nav)
    return out, first_of


def _grouped(placed: list[Placed], key, page: str, title: str, intro: str, column: str,
             reverse: bool = False, row_of=_doc_row) -> dict[str, str]:
    """A listing page with each group's newest documents, and for a group with
    more, its full list on pages of its own (group_pages). When that page
    would be over the page budget (hundreds of groups), it is instead a
    compact table of the groups, and every group has its own pages."""
    by_key: dict[str, list[Placed]] = defaultdict(list)
    used: set[str] = set()
    for p in placed:
        by_key[key(p.doc)].append(p)
    groups = [(name, sorted(by_key[name], key=lambda p: (p.doc.issued_date or str(p.doc.year or ""), p.id),
                            reverse=True))
              for name in sorted(by_key, key=fold, reverse=reverse)]
    big = {name for name, items in groups if len(items) > INLINE_ROWS}
    first_of = group_firsts(page, [name for name, _ in groups])
    parts = [f"# {title}\n", intro + "\n"]
    weight = sum(map(paging.size, parts))
    for name, items in groups:
        before = len(parts)
        parts.append(heading(2, f"{inline(name)} ({len(items)})", name, used) + "\n")
        parts.append(_rows(items[:INLINE_ROWS], page, row_of))
        if name in big:
            parts.append(f"{link(f'Xem tất cả {len(items)} văn bản', rel(page, first_of[name]))}\n")
        weight += sum(map(paging.size, parts[before:]))
        if weight > paging.PAGE_BUDGET + 1:      # size(whole) will be past it: the rest need not be written
            return group_pages(page, title, intro, column, groups, DOC_HEADER, row_of)[0]
    if not groups:
        parts.append("Chưa có văn bản nào.\n")
    whole = "\n".join(parts)
    if paging.size(whole) <= paging.PAGE_BUDGET:
        return group_pages(page, title, intro, column, groups, DOC_HEADER, row_of, only=big)[0] | {page: whole}
    return group_pages(page, title, intro, column, groups, DOC_HEADER, row_of)[0]


def listing_pages(placed: list[Placed]) -> dict[str, str]:
    intro = f"Kho có {len(placed)} văn bản."
    row = _row_maker(placed)
    pages: dict[str, str] = {}
    pages.update(_grouped(placed, lambda d: d.type_name or "Chưa rõ loại", "danh-muc/theo-loai.md",
                          "Văn bản theo loại", intro, "Loại văn bản", row_of=row))
    pages.update(_grouped(placed, lambda d: str(d.year) if d.year else "Chưa rõ năm", "danh-muc/theo-nam.md",
                          "Văn bản theo năm", intro, "Năm", reverse=True, row_of=row))
    pages.update(_grouped(placed, lambda d: d.organ_name or "Chưa rõ cơ quan", "danh-muc/theo-co-quan.md",
                          "Văn bản theo cơ quan ban hành", intro, "Cơ quan ban hành", row_of=row))
    return pages
