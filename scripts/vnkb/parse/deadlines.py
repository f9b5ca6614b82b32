"""Reporting deadlines: "báo cáo sơ kết 6 tháng trước ngày 15/6",
"trước ngày 10 tháng 12 đối với báo cáo tổng kết năm"."""
from __future__ import annotations

import re

from ..models import Deadline
from ..vntext import collapse_spaces, fold, sentence_around
from .header import iso_date

_BEFORE = re.compile(r"trước\s+ngày\s*(?P<d>\d{1,2})\s*(?:/|tháng)\s*(?P<m>\d{1,2})"
                     r"(?:\s*(?:/|năm)\s*(?P<y>(?:19|20)\d{2}))?", re.IGNORECASE)
_KINDS = (("so ket", "so_ket"), ("tong ket", "tong_ket"), ("6 thang", "so_ket"), ("ca nam", "tong_ket"))


def _kind(fragment: str) -> str | None:
    f = fold(fragment)
    hits = [(f.find(key), kind) for key, kind in _KINDS if key in f]
    return min(hits)[1] if hits else None


def _kind_before(fragment: str) -> str | None:
    f = fold(fragment)
    hits = [(f.rfind(key), kind) for key, kind in _KINDS if key in f]
    return max(hits)[1] if hits else None


def find_deadlines(texts: list[str], year: int | None) -> list[Deadline]:
    found: dict[tuple[str, str], Deadline] = {}
    for text in texts:
        if "báo cáo" not in text.lower():
            continue
        for m in _BEFORE.finditer(text):
            y = m["y"] or (str(year) if year else None)
            if not y:
                continue
            date = iso_date(m["d"], m["m"], y)
            if not date:
                continue
            after = text[m.end():m.end() + 60]
            # "trước ngày X (đối với báo cáo sơ kết)" names the report after the
            # date; "báo cáo sơ kết trước ngày X" before it.
            if re.match(r"\s*\(?\s*đối với", after, re.IGNORECASE):
                kind = _kind(after)
            else:
                clause = re.split(r"[;.]", text[:m.start()])[-1]
                kind = _kind_before(clause[-80:]) or _kind(after[:30])
            kind = kind or "bao_cao"
            sentence = collapse_spaces(sentence_around(text, m.start(), m.end()))
            found.setdefault((date, kind), Deadline(date=date, kind=kind, text=sentence))
    return sorted(found.values(), key=lambda d: (d.date, d.kind))
