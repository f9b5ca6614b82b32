"""The outline of a body: Phần/Chương/Mục, I./II., 1./2., 1.1., Điều N."""
from __future__ import annotations

from ..models import Heading
from ..vntext import collapse_spaces
from . import patterns as P


def heading_level(marker: str) -> int:
    m = marker.rstrip(".")
    if m.split(" ")[0].lower() in ("phần", "chương"):
        return 1
    if m.split(" ")[0].lower() in ("mục", "điều"):
        return 2
    if all(ch in "IVXLC" for ch in m):
        return 1
    return 2 + m.count(".")


def as_heading(text: str) -> Heading | None:
    """A numbered line that reads as a heading (short, not a sentence or list item)."""
    m = P.HEADING.match(text)
    if not m or not m["title"]:
        return None
    title = m["title"].strip()
    if len(text) > 200 or title.endswith((";", ",")) or (title.endswith(".") and not title.endswith("./.") and len(title) > 120):
        return None
    if title[:1].islower():
        return None
    return Heading(level=heading_level(m["marker"]), marker=m["marker"].strip(), title=collapse_spaces(title))


def outline_of(texts: list[str]) -> list[Heading]:
    return [h for h in (as_heading(t) for t in texts) if h]
