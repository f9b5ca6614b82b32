"""Long pages cut into pages a browser loads quickly (pure functions).

A page of the site should weigh under 60 KB of HTML. MkDocs Material's chrome
takes about 14 KB of that; the rest is the page's own Markdown, which HTML
grows a little: tags around table cells, and every heading again in the page's
table of contents. A law runs to 300 KB of text, so a long document (render.paged)
is cut between its Markdown blocks into pages of BUDGET. The archive-wide pages
that grow with the archive (the repair report, a year of the calendar, the
build report: at 10,000 documents 18 MB, 2.2 MB and 1.2 MB of HTML) are cut
the same way into pages of PAGE_BUDGET (render_repairs, render_publish,
render_report), and so are the listings by type, year and issuer and the
registry's indexes (render_listings.group_pages: a table of the groups, each group on
pages of its own). Continuation pages are named by page_names and linked by pager.
"""
from __future__ import annotations

import posixpath
import re

from .markdown import link, rel, table_head, table_row

BUDGET = 40_000          # estimated HTML bytes of a page's content (see html_cost)
_HEADING_LINE = re.compile(r"^#{1,6} .*", re.M)


def html_cost(block: str) -> int:
    """Bytes a Markdown block is expected to take in the page: its UTF-8 text,
    each heading again in the table of contents (its text and ~200 bytes of
    markup: a page of headings that are long linked titles carried a 28 KB
    table of contents) and ~10 bytes per table cell (<td></td>)."""
    toc = sum(200 + len(h.encode("utf-8")) for h in _HEADING_LINE.findall(block)) if "#" in block else 0
    return len(block.encode("utf-8")) + toc + 10 * block.count("|")


def is_heading(block: str) -> bool:
    return _HEADING_LINE.match(block.lstrip("\n")) is not None


def cut(costs: list[int], budget: int = BUDGET, first: int = 0,
        breaks: list[bool] | None = None) -> list[list[int]]:
    """Indexes of blocks, in order, grouped into pages of at most `budget`
    (a block larger than that has a page to itself). `first`: what the first
    page carries besides the blocks. breaks[i]: block i starts a section; a
    page past three quarters of the budget ends before one, so sections
    tend to start a page. Everything that fits in one page stays one page."""
    if first + sum(costs) <= budget:
        return [list(range(len(costs)))]
    pages: list[list[int]] = [[]]
    used = first
    for i, c in enumerate(costs):
        starts = bool(breaks and breaks[i]) and used >= budget * 3 // 4
        if (used + c > budget or starts) and (pages[-1] or used > 0):
            pages.append([])
            used = 0
        pages[-1].append(i)
        used += c
    return pages


# A link made by markdown.link or rich: "](target)" or "](target#anchor)";
# document text is escaped ("\\]"), so its brackets never match.
_LINK = re.compile(r"(?<!\\)\]\(([^()\s#]*)(#[^()\s]*)?\)")


def rebase_links(text: str, old_page: str, new_page: str) -> str:
    """Relative links written for old_page, made to work from new_page (a
    continuation page in another folder: x.md -> x/trang-2.md)."""
    if posixpath.dirname(old_page) == posixpath.dirname(new_page):
        return text

    def fix(m: re.Match) -> str:
        target, anchor = m.group(1), m.group(2) or ""
        if not target or ":" in target or target.startswith("/"):
            return m.group(0)
        return f"]({rel(new_page, posixpath.normpath(posixpath.join(posixpath.dirname(old_page), target)))}{anchor})"
    return _LINK.sub(fix, text)


def split_list(block: str, budget: int = BUDGET) -> list[str]:
    """A block too large for one page (a long list: who cites a document)
    cut between its items ("\\n- " at the start of a line); other blocks whole."""
    if html_cost(block) <= budget:
        return [block]
    items = re.split(r"\n(?=- )", block)
    pieces, cur = [], ""
    for item in items:
        if cur and html_cost(cur) + html_cost(item) + 1 > budget:
            pieces.append(cur + "\n")
            cur = item
        else:
            cur = f"{cur}\n{item}" if cur else item
    pieces.append(cur)
    return pieces


# Estimated HTML bytes (html_cost) of an archive-wide page's content. Tables
# are most of these pages: html_cost counts their cells' tags but not "<tr>"
# and the links' markup, and the table of contents only roughly, so this is
# kept below BUDGET; with Material's chrome (~14 KB) pages come to about 50 KB.
PAGE_BUDGET = 28_000
# Kept free on every page for its title, notes and the two pager lines.
PAGE_RESERVE = 2_000
CONTENT_BUDGET = PAGE_BUDGET - PAGE_RESERVE


def size(text: str) -> int:
    """What a block weighs on its page (html_cost) and the line break that
    joins it to the next."""
    return html_cost(text) + 1


def pack(blocks: list[str], budget: int = CONTENT_BUDGET) -> list[list[str]]:
    """Consecutive blocks grouped into pages of at most `budget` bytes, in
    order; a block is never split (one larger than the budget is a page of its
    own). Always at least one page (empty for no blocks)."""
    return [[blocks[i] for i in page] for page in cut([size(b) for b in blocks], budget)]


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
