"""Listing pages stay light at any archive size: a group shows its newest
documents and links to its full list, cut into pages by the page budget;
a listing with too many groups for one page is a table of its groups."""
from __future__ import annotations

from vnkb.models import Document
from vnkb.paging import PAGE_BUDGET, size
from vnkb.render import place_documents
from vnkb.render_listings import INLINE_ROWS, group_slugs, listing_pages


def _docs(n: int) -> list[Document]:
    return [Document(source={"path": f"{i}.txt", "sha256": f"{i:064x}", "format": "text", "pages": 1},
                     number=f"{i + 1:02d}/HD-UBND", type_name="Hướng dẫn", organ_name="Ủy ban nhân dân tỉnh Hà Tĩnh",
                     year=2019, issued_date=f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}", title=f"Hướng dẫn {i}")
            for i in range(n)]


def test_big_group_is_split_into_pages():
    n = 400
    pages = listing_pages(place_documents(_docs(n)))
    main = pages["danh-muc/theo-loai.md"]
    assert main.count("\n| [") == INLINE_ROWS and "## Hướng dẫn (400) {#huong-dan}" in main
    assert f"[Xem tất cả {n} văn bản](theo-loai/huong-dan.md)" in main
    group = [p for p in pages if p.startswith("danh-muc/theo-loai/")]
    assert len(group) > 2 and group == ["danh-muc/theo-loai/huong-dan.md"] + [
        f"danh-muc/theo-loai/huong-dan/trang-{k}.md" for k in range(2, len(group) + 1)]
    assert sum(pages[p].count("\n| [") for p in group) == n
    assert all(size(t) <= PAGE_BUDGET for t in pages.values())
    first = pages["danh-muc/theo-loai/huong-dan.md"]
    assert first.startswith("# Văn bản theo loại: Hướng dẫn (trang 1/")
    assert "[Về danh mục](../theo-loai.md) · 400 văn bản" in first
    assert "Trang 1/" in first and "[2](huong-dan/trang-2.md)" in first
    assert "[‹ Trang trước](../huong-dan.md)" in pages["danh-muc/theo-loai/huong-dan/trang-2.md"]


def test_small_archive_has_no_group_pages():
    pages = listing_pages(place_documents(_docs(5)))
    assert set(pages) == {"danh-muc/theo-loai.md", "danh-muc/theo-nam.md", "danh-muc/theo-co-quan.md"}
    assert pages["danh-muc/theo-nam.md"] == (
        "# Văn bản theo năm\n\nKho có 5 văn bản.\n\n## 2019 (5) {#2019}\n\n"
        "| Số, ký hiệu | Ngày | Cơ quan ban hành | Trích yếu |\n| --- | --- | --- | --- |\n"
        + "".join(f"| [{i + 1:02d}/HD-UBND](../van-ban/2019/uy-ban-nhan-dan-tinh-ha-tinh/{i + 1:02d}-hd-ubnd/index.md)"
                  f" | {1 + i:02d}/{1 + i:02d}/2019 | Ủy ban nhân dân tỉnh Hà Tĩnh | Hướng dẫn {i} |\n"
                  for i in reversed(range(5))))


def test_group_slugs_never_collide():
    names = ["Hướng dẫn", "Huong dan", "huong-dan-2", "Trang 2", "trang 2!", "Index", "Nhóm trang 2", "Kế hoạch"]
    slugs = group_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert slugs["Kế hoạch"] == "ke-hoach" and slugs["huong-dan-2"] == "huong-dan-2"
    assert {slugs["Huong dan"], slugs["Hướng dẫn"]} == {"huong-dan", "huong-dan-3"}
    assert not any(s == "index" or s.startswith("trang-") for s in slugs.values())
    assert group_slugs(list(reversed(names))) == slugs
