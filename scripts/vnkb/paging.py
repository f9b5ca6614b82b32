"""Long pages cut into pages a browser loads quickly (pure functions).

A page of the site should weigh under 60 KB of HTML. MkDocs Material's chrome
takes about 14 KB of that; the rest is the page's own Markdown, which HTML
grows a little: tags around table cells, and every heading again in the page's
table of contents. A law runs to 300 KB of text, so a long document, or a long
listing, is cut between its Markdown blocks into pages of BUDGET.
"""
from __future__ import annotations

import re

BUDGET = 40_000          # estimated HTML bytes of a page's content (see html_cost)
_HEADING = re.compile(r"^#{1,6} ", re.M)


def html_cost(block: str) -> int:
    """Bytes a Markdown block is expected to take in the page: its UTF-8 text,
    ~250 bytes per heading (its entry in the table of contents) and ~10 per
    table cell (<td></td>)."""
    return len(block.encode("utf-8")) + 250 * len(_HEADING.findall(block)) + 10 * block.count("|")


def is_heading(block: str) -> bool:
    return _HEADING.match(block.lstrip("\n")) is not None


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
