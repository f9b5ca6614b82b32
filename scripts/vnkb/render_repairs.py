"""The repair report page: every change the repair stage made to the text of
an original, and every suspect spot it left for a person to check."""
from __future__ import annotations

from .markdown import inline, link, table

PAGE = "danh-muc/sua-loi-van-ban.md"
KIND_VI = {"glyph": "chữ bị mất", "number": "chữ số bị mất", "legacy": "bảng mã cũ",
           "spacing": "chữ giãn cách", "glue": "từ dính liền"}


def _shown(text: str, kind: str) -> str:
    """Spaces made visible where they matter: a lost glyph left one ("b␣u")."""
    return inline(text if kind == "legacy" else text.replace(" ", "␣"))


def _rel(to_page: str) -> str:
    import posixpath
    return posixpath.relpath(to_page, posixpath.dirname(PAGE))


def repairs_page(placed: list) -> str:
    docs = [p for p in placed if p.doc.repairs]
    applied = sum(1 for p in docs for r in p.doc.repairs if r.applied)
    reported = sum(1 for p in docs for r in p.doc.repairs if not r.applied)
    parts = ["# Sửa lỗi văn bản\n",
             "Văn bản gốc không bị thay đổi. Khi trích xuất, một số phông chữ PDF làm mất chữ "
             "(“b u cử” thay cho “bầu cử”), văn bản cũ gõ bằng bảng mã TCVN3/VNI/VISCII, chữ bị giãn "
             "cách hoặc dính liền. Kho chỉ sửa khi bằng chứng đủ mạnh; chỗ còn nghi ngờ được giữ "
             "nguyên và liệt kê để người đọc kiểm tra.\n",
             f"{applied} chỗ đã sửa, {reported} chỗ cần kiểm tra, trong {len(docs)} văn bản. "
             "Dấu ␣ là một khoảng trắng (chỗ chữ bị mất để lại).\n"]
    for p in sorted(docs, key=lambda p: p.id):
        rows = []
        for r in p.doc.repairs:
            rows.append([str(r.page), KIND_VI.get(r.kind, r.kind),
                         f"“{_shown(r.before, r.kind)}”", f"“{_shown(r.after, r.kind)}”" if r.applied else "để nguyên",
                         f"{r.confidence:.0%}", inline(r.evidence), inline(r.context)])
        parts.append(f"## {link(p.doc.title or p.id, _rel(p.page))}\n")
        parts.append(f"Tệp gốc: {inline(p.doc.source['path'])}\n")
        parts.append(table(["Trang", "Loại", "Trước", "Sau", "Độ tin cậy", "Bằng chứng", "Ngữ cảnh"], rows) + "\n")
    return "\n".join(parts)
