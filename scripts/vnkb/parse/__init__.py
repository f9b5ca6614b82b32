"""parse: normalized lines -> Document (Decree 30/2020/NĐ-CP parts).

Order of the parts: header (organs, number, place/date, type, subject),
recipients (Kính gửi), body, signature + distribution (Nơi nhận), attachments.
Every field records where its value came from: extracted, inferred, override
(applied later by the overrides stage) or missing.
"""
from __future__ import annotations

from ..models import Document, Extracted, Line, SourceFile
from ..normalize import LIST_MARKER
from ..vntext import collapse_spaces, is_upper_line
from . import patterns as P
from .attachments import is_attachment_start, split_attachments
from .deadlines import find_deadlines, find_events
from .header import organ_names, parse_header
from .infer import issuer_from_authority, issuer_from_opening, province_hint, year_from_text
from .lexicon import doc_types
from .organ import fix_place_names, provinces_in, sentence_case, with_locality
from .outline import outline_of
from .signature import parse_signature

FIELDS = ("number", "code_number", "code_notation", "type_name", "organ_name", "parent_organ_name",
          "place", "issued_date", "year", "subject", "to", "signer_info", "distribution")


def _recipients(lines: list[Line], start: int) -> tuple[list[str], int]:
    """'Kính gửi:' and its recipients (on the same line or as '- ...' lines below)."""
    if start >= len(lines):
        return [], start
    m = P.RECIPIENTS.match(lines[start].text)
    if not m:
        return [], start
    out: list[str] = []
    rest = m["rest"].strip()
    if rest:
        out.append(rest)
    i = start + 1
    while i < len(lines):
        text = lines[i].text
        if P.BULLET.match(text) or (not out and len(text) < 160 and not LIST_MARKER.match(text)):
            out.append(text)
            i += 1
            continue
        break
    cleaned = [collapse_spaces(P.BULLET.sub("", t)).rstrip(" ;.,") for t in out]
    return [c for c in cleaned if c], i


def make_title(doc: Document) -> str:
    kind = doc.type_name or "Văn bản"
    if doc.number:
        head = f"{kind} số {doc.number}"
    elif doc.organ_name:
        head = f"{kind} của {doc.organ_name}" + (f" năm {doc.year}" if doc.year else "")
    else:
        head = kind
    if doc.subject:
        subject = P.SUBJECT_LETTER.sub("", doc.subject)
        return f"{head}: {subject[:1].upper()}{subject[1:]}"
    return head


def _scan_header(doc: Document, lines: list[Line], h) -> None:
    """A header read by OCR: a number or date that is not there was not read
    (a stamp, handwriting, a blur), which is not the same as absent: say so,
    and never fill it in (nor call the document a draft for lacking it)."""
    if not lines or lines[0].conf is None:
        return
    missing = [(label, name) for label, name in (("số", "number"), ("ngày", "issued_date"))
               if not getattr(doc, name)]
    if not missing:
        return
    for _, name in missing:
        doc.provenance[name] = "unreadable"
    if not doc.issued_date and not doc.place:
        doc.provenance["place"] = "unreadable"      # place and date share one line
    if not doc.number:
        doc.provenance["code_number"] = doc.provenance["code_notation"] = "unreadable"
    seen = "; ".join(f"“{collapse_spaces(t)}”" for t in h.unsure)
    doc.warnings.append("/".join(label for label, _ in missing) + " không đọc được từ bản quét"
                        + (f" (đọc được: {seen})" if seen else ""))


def parse(extracted: Extracted, source: SourceFile) -> Document:
    lines = extracted.lines
    doc = Document(source={"path": source.path, "sha256": source.sha256, "format": source.format,
                           "pages": extracted.pages})
    if extracted.page_sources:
        doc.source["page_sources"] = [dict(s) for s in extracted.page_sources]
    if extracted.corrections:
        doc.source["ocr_corrections"] = [dict(c) for c in extracted.corrections]
    prov = doc.provenance
    h = parse_header(lines)
    doc.warnings.extend(h.warnings)
    doc.number, doc.code_number, doc.code_notation = h.number, h.code_number, h.code_notation
    doc.place, doc.issued_date, doc.subject = h.place, h.issued_date, h.subject
    organ, parent = organ_names(h.organ_lines)
    doc.organ_name, doc.parent_organ_name = organ, parent
    for name in ("number", "code_number", "code_notation", "place", "issued_date", "subject",
                 "organ_name", "parent_organ_name"):
        prov[name] = "extracted" if getattr(doc, name) else "missing"
    _scan_header(doc, lines, h)

    to, body_start = _recipients(lines, h.body_start)
    doc.to = to
    prov["to"] = "extracted" if to else "missing"

    sig = parse_signature(lines, body_start, is_attachment_start)
    main = lines[body_start:sig.start]
    doc.body = [l.text for l in main]
    doc.outline = outline_of(doc.body)
    doc.signer_info = sig.signer
    doc.distribution = sig.distribution
    prov["signer_info"] = "extracted" if sig.signer.full_name or sig.signer.position else "missing"
    prov["distribution"] = "extracted" if sig.distribution else "missing"
    if not sig.found:
        doc.warnings.append("no signature block found (Nơi nhận / chữ ký)")
    doc.attachments = split_attachments(lines, sig.end) if sig.end < len(lines) else []

    # Type: the type line, else the code in the number, else a letter's "V/v"
    # subject or "Kính gửi" make it a công văn.
    if h.type_name:
        doc.type_name = h.type_name
        prov["type_name"] = "extracted"
    elif h.type_from == "letter" or to:
        doc.type_name = doc_types()["letter"]
        prov["type_name"] = "inferred"
    else:
        prov["type_name"] = "missing"

    # Year: the date, else what the text talks about.
    if doc.issued_date:
        doc.year = int(doc.issued_date[:4])
        prov["year"] = "extracted"
    else:
        doc.year = year_from_text(doc.body or [l.text for l in lines])
        prov["year"] = "inferred" if doc.year else "missing"

    # Organ: the header, else the opening sentence, else the signature ("TM. ...").
    texts = [l.text for l in lines]
    if not doc.organ_name:
        guess = issuer_from_opening(doc.body[:6]) or issuer_from_authority(sig.signer.authority)
        if guess:
            doc.organ_name = sentence_case(guess) if is_upper_line(guess) else guess
            prov["organ_name"] = "inferred"
    if doc.organ_name:
        # "Ban vì sự tiến bộ của phụ nữ" of which province: the parent organ's,
        # else the one the text names most.
        province = next(iter(provinces_in(doc.parent_organ_name or "")), None)
        province = province or province_hint(doc.body + [doc.place or ""] + doc.signer_info.other_positions)
        doc.organ_name = fix_place_names(with_locality(doc.organ_name, province))

    doc.deadlines = find_deadlines(
        doc.body + [t for a in doc.attachments if a.kind != "mau_bao_cao" for t in a.lines], doc.year)
    doc.events = find_events(doc.body + [t for a in doc.attachments for t in a.lines], doc.year)
    doc.title = make_title(doc)
    doc.text = "\n".join(texts)
    return doc
