"""The citation form of Decree 30/2020/NĐ-CP (first mention in full):
"Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh Hà Tĩnh về việc ..."."""
from __future__ import annotations

import re

_VV = re.compile(r"^(?:V/v|Về việc)\.?\s*:?\s*", re.IGNORECASE)
_VE = re.compile(r"^Về\s+", re.IGNORECASE)


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():      # "UBND", "HĐND": keep acronyms
        return text
    return text[:1].lower() + text[1:]


def about(subject: str | None) -> str:
    """'V/v hướng dẫn hoạt động năm 2019' -> 'về việc hướng dẫn hoạt động năm 2019'."""
    if not subject:
        return ""
    s = " ".join(subject.split())
    if _VV.match(s):
        return "về việc " + _lower_first(_VV.sub("", s))
    if _VE.match(s):
        return "về " + _lower_first(_VE.sub("", s))
    return "về việc " + _lower_first(s)


def short_date(iso: str | None) -> str:
    """'2016-04-12' -> '12/4/2016' (citations write day and month without zeros)."""
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{int(d)}/{int(m)}/{y}"


def citation_form(type_name: str | None, number: str | None, issued_date: str | None, year: int | None,
                  organ: str | None, subject: str | None, name: str | None = None) -> str:
    parts = [type_name or ("" if name else "Văn bản")]
    if number:
        parts.append(f"số {number}")
    elif name and not type_name:
        parts = [name]
    if issued_date:
        parts.append(f"ngày {short_date(issued_date)}")
    elif year:
        parts.append(f"năm {year}")
    if organ:
        parts.append(f"của {organ}")
    if subject:
        parts.append(about(subject))
    return " ".join(p for p in parts if p)


def document_citation(doc) -> str:
    return citation_form(doc.type_name, doc.number, doc.issued_date, doc.year, doc.organ_name, doc.subject)


def entry_citation(entry) -> str:
    return citation_form(entry.type_name, entry.number, entry.issued_date, entry.year, entry.issuer,
                         entry.subject, name=entry.name)
