"""checks: data-quality findings about citations and references.

Each finding is something a person should look at in the original, not an
error of the build: duplicated or misnumbered items of a reference list, a type
word that contradicts the code, one document cited with two dates, a cited
document dated after the citing one, an impossible period, an attachment
referenced but missing, a citation too damaged to resolve.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Document, pickled_by_values
from ..parse.attachments import references_to_attachments
from ..vntext import collapse_spaces, fold

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_PERIOD = re.compile(r"\b(giai doan|nhiem ky|tu nam)\s+((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})\b")


@pickled_by_values
@dataclass
class Finding:
    doc_id: str
    kind: str
    message: str


def roman_to_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _ROMAN for ch in text.upper()):
        return None
    total = 0
    values = [_ROMAN[ch] for ch in text.upper()]
    for a, b in zip(values, values[1:] + [0]):
        total += -a if a < b else a
    return total


def _item_key(text: str) -> str:
    return collapse_spaces(re.sub(r"[.;,:\s]+$", "", fold(text)))


def document_findings(doc_id: str, doc: Document) -> list[Finding]:
    out: list[Finding] = []
    for att in doc.attachments:
        seen: dict[str, str] = {}
        numbers: dict[str, int] = {}
        for item in att.items:
            key = _item_key(item.text)
            if key in seen:
                out.append(Finding(doc_id, "duplicate_item",
                                   f"{att.label}: mục {seen[key]} và mục {item.number} trùng nội dung"))
            else:
                seen[key] = item.number
            numbers[item.number] = numbers.get(item.number, 0) + 1
        for number, count in sorted(numbers.items(), key=lambda kv: int(kv[0])):
            if count > 1:
                out.append(Finding(doc_id, "duplicate_item_number",
                                   f"{att.label}: {count} mục cùng đánh số {number}"))
    for c in doc.citations:
        for flag in c.flags:
            if flag.startswith("type word"):
                out.append(Finding(doc_id, "type_code_mismatch", f"“{c.text}”: tên loại mâu thuẫn với ký hiệu ({flag})"))
        if c.status == "incomplete":
            out.append(Finding(doc_id, "incomplete_citation", f"“{c.text}”: trích dẫn chưa đầy đủ ({'; '.join(c.flags)})"))
        if c.issued_date and doc.issued_date and c.issued_date > doc.issued_date and c.kind != "self":
            out.append(Finding(doc_id, "cited_after_citing",
                               f"{c.number or c.text} ngày {c.issued_date} sau ngày của văn bản dẫn chiếu ({doc.issued_date})"))
    texts = doc.body + [t for a in doc.attachments for t in a.lines]
    for text in texts:
        for m in _PERIOD.finditer(fold(text)):
            if int(m.group(3)) < int(m.group(2)):
                out.append(Finding(doc_id, "impossible_period", f"giai đoạn {m.group(2)} - {m.group(3)}: năm kết thúc trước năm bắt đầu"))
    present = {roman_to_int(a.label.split()[-1]) for a in doc.attachments if a.kind == "phu_luc" and a.label.split()[-1] != "lục"}
    for text in doc.body:
        for ref in references_to_attachments(text):
            if roman_to_int(ref) not in present:
                out.append(Finding(doc_id, "missing_attachment", f"văn bản nhắc “phụ lục {ref} kèm theo” nhưng không có phụ lục này"))
    return _dedupe(out)


def archive_findings(entries: dict) -> list[Finding]:
    out = []
    for entry_id, entry in sorted(entries.items()):
        if len(entry.dates) > 1:
            out.append(Finding(entry_id, "conflicting_dates",
                               f"{entry.label} được dẫn chiếu với nhiều ngày khác nhau: {', '.join(entry.dates)}"))
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        if (f.kind, f.message) not in seen:
            seen.add((f.kind, f.message))
            out.append(f)
    return out
