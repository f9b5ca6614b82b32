"""The repair report page: every change the repair stage made to the text of
an original, and every suspect spot it left for a person to check. A large
archive's report (18 MB at 10,000 documents) is cut into pages: the first
keeps the totals and the documents with the most spots to check, the others
hold every document's table in order (paging.py)."""
from __future__ import annotations

from .markdown import inline, link, rel, table
from .paging import CONTENT_BUDGET, PAGE_BUDGET, pack, pack_table, page_names, pager, size

PAGE = "danh-muc/sua-loi-van-ban.md"
KIND_VI = {"glyph": "chữ bị mất", "number": "chữ số bị mất", "legacy": "bảng mã cũ",
           "spacing": "chữ giãn cách", "glue": "từ dính liền"}
HEADER = ["Trang", "Loại", "Trước", "Sau", "Độ tin cậy", "Bằng chứng", "Ngữ cảnh"]
# Documents listed on the first page of a split report (those with the most
# spots to check, then the most changes); the rest are found page by page.
SUMMARY_ROWS = 50


def _shown(text: str, kind: str) -> str:
    """Spaces made visible where they matter: a lost glyph left one ("b␣u")."""
    return inline(text if kind == "legacy" else text.replace(" ", "␣"))


def _rel(to_page: str, from_page: str = PAGE) -> str:
    return rel(from_page, to_page)


def _rows(p) -> list[list[str]]:
    return [[str(r.page), KIND_VI.get(r.kind, r.kind),
             f"“{_shown(r.before, r.kind)}”", f"“{_shown(r.after, r.kind)}”" if r.applied else "để nguyên",
             f"{r.confidence:.0%}", inline(r.evidence), inline(r.context)] for r in p.doc.repairs]


def _counts(p) -> tuple[int, int]:
    applied = sum(1 for r in p.doc.repairs if r.applied)
    return applied, len(p.doc.repairs) - applied


def repairs_pages(placed: list) -> dict[str, str]:
    """(page, Markdown) of the report: PAGE alone while it fits the page
    budget, else PAGE and danh-muc/sua-loi-van-ban/trang-<k>.md."""
    docs = sorted((p for p in placed if p.doc.repairs), key=lambda p: p.id)
    applied = sum(_counts(p)[0] for p in docs)
    reported = sum(_counts(p)[1] for p in docs)
    head = ["# Sửa lỗi văn bản\n",
            "Văn bản gốc không bị thay đổi. Khi trích xuất, một số phông chữ PDF làm mất chữ "
            "(“b u cử” thay cho “bầu cử”), văn bản cũ gõ bằng bảng mã TCVN3/VNI/VISCII, chữ bị giãn "
            "cách hoặc dính liền. Kho chỉ sửa khi bằng chứng đủ mạnh; chỗ còn nghi ngờ được giữ "
            "nguyên và liệt kê để người đọc kiểm tra.\n",
            f"{applied} chỗ đã sửa, {reported} chỗ cần kiểm tra, trong {len(docs)} văn bản. "
            "Dấu ␣ là một khoảng trắng (chỗ chữ bị mất để lại).\n"]
    parts = list(head)
    for p in docs:
        parts.append(f"## {link(p.doc.title or p.id, _rel(p.page))}\n")
        parts.append(f"Tệp gốc: {inline(p.doc.source['path'])}\n")
        parts.append(table(HEADER, _rows(p)) + "\n")
    whole = "\n".join(parts)
    if size(whole) <= PAGE_BUDGET:
        return {PAGE: whole}
    return _split(docs, head)


def _split(docs: list, head: list[str]) -> dict[str, str]:
    from .render import anchor
    detail_from = page_names(PAGE, 2)[1]     # every continuation page is in one folder: same links
    used: set[str] = set()
    blocks: list[str] = []
    starts: dict[int, str] = {}         # index of a document's first block -> the document's id
    for p in docs:
        title = link(p.doc.title or p.id, _rel(p.page, detail_from))
        name = anchor(p.id, used)
        first = f"## {title} {{#{name}}}\n"
        source = f"Tệp gốc: {inline(p.doc.source['path'])}\n"
        # a document with more rows than a page holds continues on the next
        chunks = pack_table(HEADER, _rows(p), CONTENT_BUDGET - size(first) - size(source) - 200)
        starts[len(blocks)] = p.id
        blocks.append("\n".join([first, source, chunks[0] + "\n"]))
        for chunk in chunks[1:]:
            blocks.append("\n".join([f"## {title} (tiếp theo) {{#{anchor(p.id, used)}}}\n", chunk + "\n"]))
    detail = pack(blocks)
    names = page_names(PAGE, 1 + len(detail))
    # document id -> the page with its details. (Linked without the heading's
    # anchor: the site is rendered by two MkDocs processes, which do not check
    # anchors on pages the other renders; generated pages link to anchors on
    # their own page only.)
    where: dict[str, int] = {}
    i = 0
    for k, page_blocks in enumerate(detail, start=1):
        for _ in page_blocks:
            if i in starts:
                where[starts[i]] = k
            i += 1
    pages: dict[str, str] = {}
    worst = sorted(docs, key=lambda p: (-_counts(p)[1], -_counts(p)[0], p.id))[:SUMMARY_ROWS]
    summary = [[link(p.doc.title or p.id, _rel(p.page)), str(_counts(p)[0]), str(_counts(p)[1]),
                link(f"Trang {where[p.id] + 1}", _rel(names[where[p.id]]))] for p in worst]
    room = CONTENT_BUDGET - sum(size(part) for part in head) - 600
    shown = pack_table(["Văn bản", "Đã sửa", "Cần kiểm tra", "Chi tiết"], summary, room)[0]
    count = shown.count("\n") - 1
    first = head + [pager(names, 0) + "\n",
                    "## Văn bản nhiều chỗ cần kiểm tra nhất {#nhieu-cho-can-kiem-tra-nhat}\n",
                    f"{count} trong {len(docs)} văn bản, xếp theo số chỗ cần kiểm tra rồi số chỗ đã sửa. "
                    f"Chi tiết của mọi văn bản, theo thứ tự địa chỉ, ở các trang 2–{len(names)}.\n",
                    shown + "\n", pager(names, 0) + "\n"]
    pages[PAGE] = "\n".join(first)
    for k, page_blocks in enumerate(detail, start=1):
        pages[names[k]] = "\n".join([f"# Sửa lỗi văn bản (trang {k + 1}/{len(names)})\n", pager(names, k) + "\n"]
                                    + page_blocks + [pager(names, k) + "\n"])
    return pages
