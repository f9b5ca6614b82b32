"""Archive-wide pages cut into a bounded first page and numbered continuation
pages. The repair report, a year of the calendar and the build report grow
with the archive (at 10,000 documents: 18 MB, 2.2 MB and 1.2 MB of HTML);
staff open them on office PCs and phones, so each page is kept to a budget.

Pure helpers: they cut lists of Markdown blocks by their UTF-8 size, name the
continuation pages and write the pager line; the pages themselves are made in
render_repairs.py, render_publish.py and render_report.py."""
from __future__ import annotations

from .markdown import link, table_head, table_row
from .render import rel

# UTF-8 bytes of Markdown per page. Tables are most of these pages, and a
# table grows about 1.3-1.5x from Markdown to HTML (a "<td>…</td>" per cell, a
# "<tr>" per row); Material's chrome adds ~14 KB. 24 KB of Markdown gives
# pages of about 45-50 KB of HTML, under the site's 60 KB per page.
PAGE_BUDGET = 24_000
# Kept free on every page for its title, notes and the two pager lines.
PAGE_RESERVE = 2_000
CONTENT_BUDGET = PAGE_BUDGET - PAGE_RESERVE


def size(text: str) -> int:
    """What a block weighs on its page: its UTF-8 bytes and the line break
    that joins it to the next."""
    return len(text.encode("utf-8")) + 1


def pack(blocks: list[str], budget: int = CONTENT_BUDGET) -> list[list[str]]:
    """Consecutive blocks grouped into pages of at most `budget` bytes, in
    order; a block is never split (one larger than the budget is a page of its
    own). Always at least one page (empty for no blocks)."""
    pages: list[list[str]] = [[]]
    used = 0
    for block in blocks:
        weight = size(block)
        if pages[-1] and used + weight > budget:
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += weight
    return pages


def pack_table(header: list[str], rows: list[list[str]], budget: int = CONTENT_BUDGET) -> list[str]:
    """A table cut into tables of at most `budget` bytes, each with the
    header; one table equals markdown.table(header, rows)."""
    head = table_head(header)
    return ["\n".join([head] + chunk) for chunk in pack([table_row(r) for r in rows], budget - size(head))]


def page_names(first: str, n: int) -> list[str]:
    """The first page and its n - 1 continuation pages, in a folder named
    after it: danh-muc/sua-loi-van-ban.md -> danh-muc/sua-loi-van-ban/trang-2.md,
    lich/2019/index.md -> lich/2019/trang-2.md (with use_directory_urls the
    continuation's address is .../sua-loi-van-ban/trang-2/)."""
    folder = first[:-len("/index.md")] if first.endswith("/index.md") else first[:-len(".md")]
    return [first] + [f"{folder}/trang-{k}.md" for k in range(2, n + 1)]


def pager(names: list[str], k: int) -> str:
    """"Trang 3/40: ‹ Trang trước · 1 · … · 2 · 3 · 4 · … · 40 · Trang sau ›"
    for page k (0-based) of `names`: the first and last pages and those
    around this one, so the line stays short at any number of pages."""
    n = len(names)

    def go(i: int, label: str) -> str:
        return link(label, rel(names[k], names[i]))
    parts = [go(k - 1, "‹ Trang trước")] if k > 0 else []
    last = -1
    for i in sorted({0, n - 1} | set(range(max(0, k - 2), min(n, k + 3)))):
        if i > last + 1:
            parts.append("…")
        parts.append(f"**{i + 1}**" if i == k else go(i, str(i + 1)))
        last = i
    if k < n - 1:
        parts.append(go(k + 1, "Trang sau ›"))
    return f"Trang {k + 1}/{n}: " + " · ".join(parts)


__all__ = ["PAGE_BUDGET", "CONTENT_BUDGET", "size", "pack", "pack_table", "page_names", "pager"]
