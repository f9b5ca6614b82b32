"""Listing pages stay light at any archive size: a group shows its newest
documents and links to its full list, split into pages."""
from __future__ import annotations

from vnkb.models import Document
from vnkb.render import INLINE_ROWS, PAGE_ROWS, listing_pages, place_documents


def _docs(n: int) -> list[Document]:
    return [Document(source={"path": f"{i}.txt", "sha256": f"{i:064x}", "format": "text", "pages": 1},
                     number=f"{i + 1:02d}/HD-UBND", type_name="Hướng dẫn", organ_name="Ủy ban nhân dân tỉnh Hà Tĩnh",
                     year=2019, issued_date=f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}", title=f"Hướng dẫn {i}")
            for i in range(n)]


def test_big_group_is_split_into_pages():
    n = 2 * PAGE_ROWS + 50
    pages = listing_pages(place_documents(_docs(n)))
    main = pages["danh-muc/theo-loai.md"]
    assert main.count("\n| [") == INLINE_ROWS
    assert f"Xem tất cả {n} văn bản" in main
    group = sorted(p for p in pages if p.startswith("danh-muc/theo-loai/"))
    assert group == ["danh-muc/theo-loai/huong-dan-2.md", "danh-muc/theo-loai/huong-dan-3.md",
                     "danh-muc/theo-loai/huong-dan.md"]
    rows = sum(pages[p].count("\n| [") for p in group)
    assert rows == n
    assert "Trang **1** · [2](huong-dan-2.md) · [3](huong-dan-3.md)" in pages["danh-muc/theo-loai/huong-dan.md"]


def test_small_archive_has_no_group_pages():
    pages = listing_pages(place_documents(_docs(5)))
    assert set(pages) == {"danh-muc/theo-loai.md", "danh-muc/theo-nam.md", "danh-muc/theo-co-quan.md"}
