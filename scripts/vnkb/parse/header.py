"""The header of a Decree 30 document: organs (left), Quốc hiệu (right),
number (left) and place + date (right), type name and trích yếu (subject).
A letter (công văn) has no type name: its subject "V/v ..." sits under the number."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..models import Line
from ..normalize import LIST_MARKER
from ..vntext import collapse_spaces, fold, is_upper_line
from . import patterns as P
from .lexicon import type_from_code, type_from_title
from .organ import sentence_case

HEADER_MAX_LINES = 16
# OCR: a number or date line with a word read below this confidence (0..100) is
# not trusted: a stamp or handwriting over it makes Tesseract guess digits.
OCR_MIN_CONF = 70.0


@dataclass
class Header:
    organ_lines: list[Line] = field(default_factory=list)
    number: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    place: str | None = None
    issued_date: str | None = None
    subject: str | None = None
    type_name: str | None = None
    type_from: str | None = None       # "title" | "code" | "letter"
    body_start: int = 0
    warnings: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)   # OCR text of number/date lines not trusted


def iso_date(d: str, m: str, y: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> tuple[str | None, re.Match | None]:
    for rx in (P.DATE_WORDS, P.DATE_SLASH):
        m = rx.search(text)
        if m:
            return iso_date(m["d"], m["m"], m["y"]), m
    return None, None


def split_number(raw: str) -> tuple[str, str, str] | None:
    """'01 /HD-BVSTBCPN' -> ('01/HD-BVSTBCPN', '01', 'HD-BVSTBCPN');
    '191/2009/TT-BTC' -> (..., '191', 'TT-BTC') (the year is kept apart);
    '26-NQ/TW' (Party form) -> ('26-NQ/TW', '26', 'NQ/TW')."""
    compact = re.sub(r"\s+", "", raw.replace("–", "-"))
    m = P.NUMBER.match(compact)
    if not m:
        return None
    notation = m["notation"].rstrip(".-/")
    number = f"{m['num']}{m['sep']}{notation}"
    code = re.sub(r"^(?:19|20)\d{2}/", "", notation)
    return number, m["num"], code


def _unsure(line: Line) -> bool:
    return line.conf is not None and line.conf < OCR_MIN_CONF


def _is_motto(text: str) -> bool:
    return bool(P.NATIONAL_MOTTO.match(fold(text)))


def is_body_start(line: Line) -> bool:
    text = line.text
    return bool(P.RECIPIENTS.match(text) or P.LEGAL_BASIS.match(text)
                or type_from_title(text) and is_upper_line(text)
                or LIST_MARKER.match(text) and not P.NUMBER_LINE.match(text)
                or (len(text) > 110 and not is_upper_line(text)))


def type_of_notation(notation: str) -> str | None:
    """The type code is the first part of the notation: 'QĐ-UBND' -> 'Quyết định'.
    A công văn's notation names only the issuer ('UBND-KT') and gives None."""
    first = re.split(r"[-/]", notation)[0]
    return type_from_code(first)


def parse_header(lines: list[Line]) -> Header:
    h = Header()
    limit = min(len(lines), HEADER_MAX_LINES)
    body_start = limit
    for i in range(limit):
        if is_body_start(lines[i]):
            body_start = i
            break
    number_seen = False
    subject_parts: list[str] = []
    subject_column: int | None = None
    for i in range(body_start):
        line = lines[i]
        text = line.text
        if _is_motto(text) or re.fullmatch(r"[-_=.…*\s]+", text):
            continue
        m = P.NUMBER_LINE.match(text)
        if m and not number_seen:
            number_seen = True
            rest = m["rest"]
            if _unsure(line):
                h.unsure.append(text)
                continue
            date, dm = find_date(rest)
            if dm:  # number and date written on one line
                rest = rest[: dm.start()]
                h.issued_date = h.issued_date or date
            parts = split_number(rest.split(",")[0]) if re.search(r"\d", rest) else None
            if parts:
                h.number, h.code_number, h.code_notation = parts
            elif rest.strip(" .…:") and re.search(r"\d", rest):
                h.warnings.append(f"unreadable number: {rest.strip()!r}")
            continue
        date, dm = find_date(text)
        if dm and (P.PLACE_DATE.match(text) or dm.start() < 3) and _unsure(line):
            h.unsure.append(text)
            continue
        if P.PLACE_DATE.match(text) and not dm and line.conf is not None:
            h.unsure.append(text)      # "Bắc Kạn, ngày 19 tháng 3" with the year under a stamp
            pm = P.PLACE_DATE.match(text)
            if not re.search(r"[.…]{2,}", pm["place"]):
                h.place = collapse_spaces(pm["place"])
            continue
        if dm and (P.PLACE_DATE.match(text) or dm.start() < 3):
            h.issued_date = h.issued_date or date
            pm = P.PLACE_DATE.match(text)
            if pm and not re.search(r"[.…]{2,}", pm["place"]):
                h.place = collapse_spaces(pm["place"])
            if date is None:
                h.warnings.append(f"impossible date in header: {text!r}")
            continue
        if P.SUBJECT_LETTER.match(text):
            subject_parts = [text]
            subject_column = line.column
            continue
        if subject_parts and line.column == subject_column and not is_upper_line(text):
            subject_parts.append(text)
            continue
        if is_upper_line(text) and not number_seen and not subject_parts:
            h.organ_lines.append(line)
    if subject_parts:
        h.subject = collapse_spaces(" ".join(subject_parts))
        h.type_from = "letter"
    h.body_start = body_start
    # Type name line ("QUYẾT ĐỊNH") and the subject under it.
    if body_start < len(lines):
        type_name = type_from_title(lines[body_start].text) if is_upper_line(lines[body_start].text) else None
        if type_name:
            h.type_name, h.type_from = type_name, "title"
            subject, consumed = _subject_after_title(lines, body_start + 1)
            if subject:
                h.subject = subject
            h.body_start = body_start + 1 + consumed
    if not h.type_name and h.code_notation:
        h.type_name = type_of_notation(h.code_notation)
        if h.type_name:
            h.type_from = "code"
    return h


def _subject_after_title(lines: list[Line], start: int) -> tuple[str | None, int]:
    parts: list[str] = []
    i = start
    while i < len(lines) and len(parts) < 4:
        text = lines[i].text
        if (P.LEGAL_BASIS.match(text) or P.RECIPIENTS.match(text) or LIST_MARKER.match(text)
                or text.startswith("(") or type_from_title(text)):
            break
        if is_upper_line(text) and (parts and not is_upper_line(parts[-1]) or _looks_like_organ(text)):
            break
        parts.append(text)
        i += 1
    return (collapse_spaces(" ".join(parts)) or None), i - start


def _looks_like_organ(text: str) -> bool:
    from .organ import is_organ_phrase
    return is_organ_phrase(text)


def organ_names(organ_lines: list[Line]) -> tuple[str | None, str | None]:
    """(organ_name, parent_organ_name) from the header's left column.

    Decree 30: the parent organ (cơ quan chủ quản) stands above the issuing organ,
    which is bold. A line starting with a locality word ("TỈNH BẮC KẠN")
    continues the line above it."""
    groups: list[list[Line]] = []
    for line in organ_lines:
        f = fold(line.text)
        # A line ending in a linking word ("BAN VÌ SỰ TIẾN BỘ CỦA" / "PHỤ NỮ") never ends a name.
        continues = groups and (f.startswith(("tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "va "))
                                or fold(groups[-1][-1].text).endswith((" cua", " va", " ve", " -", " voi"))
                                or (line.bold and groups[-1][-1].bold and len(groups) == 1 and len(organ_lines) == 2
                                    and not _looks_like_organ(line.text)))
        if continues:
            groups[-1].append(line)
        else:
            groups.append([line])
    names = [sentence_case(" ".join(l.text for l in g)) for g in groups]
    if not names:
        return None, None
    if len(names) == 1:
        return names[0], None
    bold = [i for i, g in enumerate(groups) if all(l.bold for l in g)]
    organ_index = bold[-1] if bold and len(bold) < len(groups) else len(names) - 1
    parent = names[organ_index - 1] if organ_index > 0 else None
    return names[organ_index], parent
