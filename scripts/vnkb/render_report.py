"""The build report page (danh-muc/bao-cao-xay-dung.md): one row per original.
A large archive's report (1.2 MB at 10,000 originals) is cut into pages: the
first keeps the totals and the files that failed or need attention, the
others hold the full table in order of file name (paging.py)."""
from __future__ import annotations

from .markdown import inline, link, table
from .models import FileResult
from .paging import CONTENT_BUDGET, PAGE_BUDGET, pack_table, page_names, pager, size

PAGE = "danh-muc/bao-cao-xay-dung.md"
STATUS_VI = {"ok": "đã xuất bản", "failed": "lỗi, bỏ qua", "duplicate": "trùng lặp, bỏ qua",
             "kept": "lỗi, giữ bản đã xuất bản trước", "skipped": "bỏ qua"}
HEADER = ["Tệp gốc", "Trạng thái", "Bước", "Lý do", "Nhận dạng", "Đã sửa / cần kiểm tra"]


def _source(r: FileResult) -> str:
    if not r.ocr_pages:
        return ""
    conf = f", độ tin cậy {r.ocr_confidence:.0f}%" if r.ocr_confidence is not None else ""
    return f"OCR {r.ocr_pages} trang{conf}"


def needs_attention(r: FileResult) -> bool:
    """Not published, or published with a remark (the lines `kb.py build` prints)."""
    return r.status != "ok" or bool(r.reason)


def report_pages(results: list[FileResult], repairs: dict[str, tuple[int, int]] | None = None) -> dict[str, str]:
    """(page, Markdown) of the report: PAGE alone while it fits the page
    budget, else PAGE and danh-muc/bao-cao-xay-dung/trang-<k>.md.
    repairs: source path -> (changes made, suspect spots left) by the repair stage."""
    repairs = repairs or {}
    ordered = sorted(results, key=lambda r: r.path)
    rows = [[inline(r.path), STATUS_VI.get(r.status, r.status), inline(r.stage), inline(r.reason), _source(r),
             "{} / {}".format(*repairs[r.path]) if r.path in repairs else ""]
            for r in ordered]
    bad = sum(1 for r in results if r.status not in ("ok",))
    scanned = sum(1 for r in results if r.ocr_pages)
    fixed = sum(a for a, _ in repairs.values())
    left = sum(b for _, b in repairs.values())
    head = ["# Báo cáo xây dựng kho\n",
            f"{len(results)} tệp gốc; {len(results) - bad} được xuất bản; {bad} cần xử lý"
            + (f"; {scanned} bản quét được nhận dạng tự động (OCR)" if scanned else "") + ".\n",
            f"Sửa lỗi trích xuất: {fixed} chỗ đã sửa, {left} chỗ cần kiểm tra "
            f"({link('Sửa lỗi văn bản', 'sua-loi-van-ban.md')}).\n"]
    whole = "\n".join(head + [table(HEADER, rows) + "\n"])
    if size(whole) <= PAGE_BUDGET:
        return {PAGE: whole}
    tables = pack_table(HEADER, rows)
    names = page_names(PAGE, 1 + len(tables))
    attention = [row for r, row in zip(ordered, rows) if needs_attention(r)]
    room = CONTENT_BUDGET - sum(size(part) for part in head) - 600
    first = head + [pager(names, 0) + "\n", "## Tệp cần xử lý {#tep-can-xu-ly}\n"]
    if attention:
        shown = pack_table(HEADER, attention, room)[0]
        first.append(shown + "\n")
        rest = len(attention) - (shown.count("\n") - 1)
        if rest:
            first.append(f"… và {rest} tệp khác cần xử lý (xem bảng đầy đủ ở các trang sau).\n")
    else:
        first.append("Không có tệp nào cần xử lý.\n")
    first.append(f"Bảng đầy đủ {len(results)} tệp gốc, theo tên tệp, ở các trang 2–{len(names)}.\n")
    first.append(pager(names, 0) + "\n")
    pages = {PAGE: "\n".join(first)}
    for k, rows_md in enumerate(tables, start=1):
        pages[names[k]] = "\n".join([f"# Báo cáo xây dựng kho (trang {k + 1}/{len(names)})\n",
                                     pager(names, k) + "\n", rows_md + "\n", pager(names, k) + "\n"])
    return pages


__all__ = ["PAGE", "report_pages", "needs_attention"]
