"""resolve: within one document, give each citation its identity.

A cited document is (issuer, year, number), not the number alone: 880/QĐ-UBND
of Hà Tĩnh is not 880/QĐ-UBND of Bắc Kạn. National codes (TTg, CP, TW, BTC ...)
name the issuer by themselves; local ones (UBND, HĐND, TU ...) take the
locality from the issuer phrase or, failing that, from the citing document.
Short references ("Quyết định 880") point back to the full citation before them
(Decree 30: first mention in full, later by type and number); "Quyết định này"
is the document itself. Names of well-known documents resolve through
data/known_documents.yaml.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..models import Citation, Document, ListItem
from ..parse.organ import provinces_in
from ..vntext import sentence_around, slugify
from .find import NUMBER, _code_parts, canonical_number, find_in_line, name_key
from .lexicon import issuer_info, known_documents

ITEM = re.compile(r"^(?P<num>\d{1,3})\s*[.)]\s*")


def parse_number(text: str) -> tuple[str, str, list[str], int | None] | None:
    """'11-NQ/TW' -> ('11-NQ/TW', 'NQ/TW', ['NQ', 'TW'], None); '73/2006/QH11' -> (..., 2006)."""
    m = NUMBER.search(text)
    if not m:
        return None
    parts = _code_parts(m["code"])
    number, notation = canonical_number(m["num"], parts, m["nyear"])
    return number, notation, parts, int(m["nyear"]) if m["nyear"] else None


def issuer_code_of(parts: list[str]) -> str | None:
    """The issuer part of a notation: the last part (QĐ-UBND -> UBND), or the first
    for a letter whose notation is ISSUER-UNIT (04/UBQG-VP -> UBQG)."""
    if not parts:
        return None
    if issuer_info(parts[-1]):
        return parts[-1]
    if issuer_info(parts[0]):
        return parts[0]
    return parts[-1] if len(parts) > 1 else None


def identity_key(number: str | None, issuer_code: str | None, year: int | None, province: str | None,
                 name: str | None = None) -> str | None:
    if not number:
        return f"ten|{name_key(name)}" if name else None
    info = issuer_info(issuer_code or "") or {}
    code = re.sub(r"\d+$", "", issuer_code or "?")       # QH11 / QH14 -> QH
    if info.get("scope") == "local":
        code = f"{code}:{slugify(province) if province else '?'}"
    return f"{code}|{year or '?'}|{number}"


@lru_cache(maxsize=None)
def known_by_number() -> dict[str, dict]:
    out = {}
    for doc in known_documents():
        parsed = parse_number(doc["number"])
        if parsed:
            out[parsed[0]] = dict(doc, parts=parsed[2], nyear=parsed[3])
    return out


def document_province(doc: Document) -> str | None:
    for text in (doc.organ_name, doc.parent_organ_name):
        found = provinces_in(text or "")
        if found:
            return next(iter(found))
    return None


def document_key(doc: Document) -> str | None:
    """The identity of an archived document, comparable with citation keys."""
    if not doc.number:
        return None
    parsed = parse_number(doc.number)
    if not parsed:
        return None
    return identity_key(parsed[0], issuer_code_of(parsed[2]), doc.year, document_province(doc))


def _fill_from_known(c: Citation, known: dict) -> None:
    c.issued_date = c.issued_date or known["issued_date"]
    c.issuer = c.issuer or known["issuer"]
    c.subject = c.subject or known.get("subject")
    if c.issued_date and not c.year:
        c.year = int(c.issued_date[:4])
    c.year = c.year or known.get("nyear")
    c.status = "known"


def resolve_citation(c: Citation, province: str | None) -> None:
    if c.status == "incomplete" and not c.number:
        return
    if c.number:
        parsed = parse_number(c.number)
        if parsed:
            c.code_notation = c.code_notation or parsed[1]
            c.code_number = c.code_number or re.split(r"[/-]", parsed[0])[0]
            c.issuer_code = issuer_code_of(parsed[2])
            c.year = c.year or parsed[3]
        known = known_by_number().get(c.number)
        if known:
            _fill_from_known(c, known)
            if c.kind == "name" and not c.type_name:
                c.type_name = _type_of_known(known)
    prov = next(iter(provinces_in(c.issuer or "")), None) or province
    c.key = identity_key(c.number, c.issuer_code, c.year, prov, c.name)
    if c.number and not c.year:
        c.flags.append("year unknown (no date in the citation)")


def _type_of_known(known: dict) -> str | None:
    from .lexicon import type_of_word
    parts = known["parts"]
    if re.fullmatch(r"QH\d+", parts[-1]) and len(parts) == 1:
        return "Luật"
    return type_of_word(parts[0])


def _resolve_short(doc: Document, i: int, c: Citation) -> None:
    """'Quyết định này' -> the document; 'Quyết định 880' -> the full citation before it."""
    if c.kind == "self":
        c.status, c.number = "archive", doc.number
        return
    for prev in reversed(doc.citations[:i]):
        if prev.kind in ("number", "name") and prev.number and prev.code_number == c.code_number \
                and (prev.type_name == c.type_name or not c.type_name):
            for field in ("number", "code_notation", "year", "issued_date", "issuer", "issuer_code",
                          "subject", "key", "status", "type_name"):
                setattr(c, field, getattr(prev, field))
            return
    if doc.code_number and doc.code_number == c.code_number and doc.type_name == c.type_name:
        c.kind, c.status, c.number = "self", "archive", doc.number
        return
    c.status = "incomplete"
    c.flags.append("short reference with no full citation before it")


def cite_document(doc: Document) -> Document:
    """Find and resolve the citations of one document (body, then attachments)."""
    province = document_province(doc)
    units = [("body", i, t) for i, t in enumerate(doc.body)]
    units += [(f"attachment:{k}", i, t) for k, a in enumerate(doc.attachments) for i, t in enumerate(a.lines)]
    citations: list[Citation] = []
    for where, line, text in units:
        for c in find_in_line(text, province):
            c.where, c.line = where, line
            c.sentence = sentence_around(text, c.start, c.end)
            citations.append(c)
    doc.citations = citations
    for i, c in enumerate(citations):
        if c.kind in ("self", "short"):
            _resolve_short(doc, i, c)
        else:
            resolve_citation(c, province)
    for k, att in enumerate(doc.attachments):
        att.items = appendix_items(att.lines, [(i, c) for i, c in enumerate(citations)
                                               if c.where == f"attachment:{k}"]) if att.kind == "phu_luc" else []
    return doc


def appendix_items(lines: list[str], cites: list[tuple[int, Citation]]) -> list[ListItem]:
    """An appendix list: each numbered item with its number, text and citations."""
    items = []
    for i, text in enumerate(lines):
        m = ITEM.match(text)
        if m:
            items.append(ListItem(number=m["num"], text=text[m.end():].strip(), line=i,
                                  citations=[j for j, c in cites if c.line == i]))
    return items


__all__ = ["cite_document", "document_key", "identity_key", "parse_number"]
