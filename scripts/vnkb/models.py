"""The document model: plain dataclasses that flow through the pipeline.

discover -> SourceFile; extract -> Extracted (lines with layout hints);
normalize -> Extracted (clean lines); parse -> Document; render writes it.
Field names of Document follow Decree 30/2020/ND-CP Phu luc VI in snake_case
(type_name, code_number, code_notation, issued_date, organ_name, subject,
signer_info, to ...).
"""
from __future__ import annotations

import dataclasses
import operator
from dataclasses import asdict, dataclass, field
from typing import Any


def pickled_by_values(cls):
    """A dataclass pickled as its values in field order and rebuilt by one
    call: pickle rebuilds a plain object's attributes one by one, and an
    archive's caches hold hundreds of thousands of citations and findings
    (1.4x slower to load)."""
    names = [f.name for f in dataclasses.fields(cls)]
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    cls.__reduce__ = lambda self: (type(self), values(self))
    return cls


@dataclass
class SourceFile:
    path: str            # relative to the source root, POSIX separators
    sha256: str
    size: int
    format: str          # pdf | docx | text | doc | rtf | odt | image | zip | empty | binary


@dataclass
class Line:
    """One line (PDF, TXT) or paragraph (DOCX) with the layout hints the parser uses.

    column: 0 for the left/only column, 1 for the right column of a two-column
    layout (Decree 30 header and signature tables).
    """
    text: str
    page: int = 1
    column: int = 0
    bold: bool = False
    italic: bool = False
    font: str = ""
    x0: float = 0.0
    x1: float = 0.0      # right edge (PDF); 0 when unknown
    top: float = 0.0
    size: float = 0.0
    block: int = 0       # lines of one table row / text block share a block id
    blank_before: bool = False
    conf: float | None = None   # OCR: lowest word confidence of the line (0..100); None: not OCR


@dataclass
class Repair:
    """One change the repair stage made to the extracted text (or, with
    applied False, a suspect spot it left as it was and reports)."""
    kind: str            # legacy | glyph | number | spacing | glue
    line: int            # index of the extracted line (before reflow)
    start: int           # span in that line's text as the repair step saw it
    end: int
    before: str
    after: str
    evidence: str
    confidence: float
    applied: bool = True
    page: int = 1
    context: str = ""    # the words around the spot, after repair


@dataclass
class Extracted:
    lines: list[Line]
    pages: int
    format: str
    hard_wrapped: bool = False   # lines are wrapped by layout, not paragraphs
    warnings: list[str] = field(default_factory=list)
    engine: str = ""
    # Per page of a PDF or image: {"page": n, "source": "text_layer" | "ocr" | "none",
    # "confidence": Tesseract's mean word confidence 0..100 (OCR pages only)}.
    page_sources: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)   # post-OCR fixes, each recorded
    repairs: list[Repair] = field(default_factory=list)


@dataclass
class SignerInfo:
    authority: str | None = None      # TM. / KT. / TL. / TUQ. / Q. lines
    position: str | None = None
    full_name: str | None = None
    other_positions: list[str] = field(default_factory=list)


@dataclass
class Deadline:
    date: str            # ISO date
    kind: str            # so_ket | tong_ket | bao_cao
    text: str            # the sentence it was read from


@dataclass
class Event:
    """A period the text announces: "Tháng hành động ... từ 15/11 đến 15/12"."""
    start: str           # ISO date
    end: str             # ISO date, inclusive
    name: str            # "Tháng hành động vì bình đẳng giới ..."
    text: str            # the sentence it was read from


@dataclass
class Heading:
    level: int
    marker: str
    title: str


@dataclass
class Attachment:
    kind: str            # phu_luc | mau_bao_cao | van_ban_kem_theo
    label: str           # "Phụ lục I", "Mẫu báo cáo", "Kế hoạch"
    title: str
    lines: list[str] = field(default_factory=list)
    outline: list[Heading] = field(default_factory=list)
    items: list["ListItem"] = field(default_factory=list)


@dataclass
class ListItem:
    """One numbered item of an appendix list of documents."""
    number: str
    text: str
    line: int
    citations: list[int] = field(default_factory=list)   # indexes into Document.citations


@pickled_by_values
@dataclass
class Citation:
    """A reference to another document found in the text (see cite/)."""
    text: str                        # the exact span as written
    where: str                       # "body" or "attachment:<index>"
    line: int                        # index of the line in body / attachment lines
    start: int                       # span within that line
    end: int
    kind: str                        # number | name | short | self
    type_written: str | None = None
    type_name: str | None = None
    number_written: str | None = None
    number: str | None = None        # canonical: 880/QĐ-UBND, 191/2009/TT-BTC, 26-NQ/TW
    code_number: str | None = None
    code_notation: str | None = None
    year: int | None = None
    issued_date: str | None = None
    issuer_written: str | None = None
    issuer: str | None = None        # in full: "Thủ tướng Chính phủ"
    issuer_code: str | None = None   # TTg, UBND, TW ...
    subject: str | None = None
    name: str | None = None          # documents cited by name only
    pin: str | None = None           # "khoản 3, Điều 8"
    sentence: str = ""
    status: str = "registry"         # archive | known | registry | incomplete
    target: str | None = None        # id of the archived document or registry entry
    key: str | None = None           # identity: issuer | year | number (or name)
    flags: list[str] = field(default_factory=list)


@dataclass
class Document:
    source: dict[str, Any]
    number: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    type_name: str | None = None
    organ_name: str | None = None
    parent_organ_name: str | None = None
    place: str | None = None
    issued_date: str | None = None
    year: int | None = None
    subject: str | None = None
    title: str | None = None
    to: list[str] = field(default_factory=list)
    signer_info: SignerInfo = field(default_factory=SignerInfo)
    distribution: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    outline: list[Heading] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def share_strings(doc: Document, table: dict[str, str]) -> Document:
    """Make equal strings of a document's citations one object across the
    archive (`table` holds the first of each). The same issuers, numbers and
    types recur in thousands of citations, a sentence in each citation it
    holds; at 10,000 documents held for rendering and indexing, their copies
    were hundreds of MB."""
    share = table.setdefault
    for c in doc.citations:
        values = _text_values(c)          # (a loop in C: this runs for every citation of the archive)
        c.__dict__.update(zip(_TEXT_FIELDS, map(share, values, values)))
        if c.flags:
            c.flags = [share(f, f) for f in c.flags]
    return doc


# Citation's fields that hold a string or None (None goes in the table too: harmless).
_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(Citation) if f.type in ("str", "str | None"))
_text_values = operator.attrgetter(*_TEXT_FIELDS)


@dataclass
class FileResult:
    """Outcome of one source file in a build: one line of the build report."""
    path: str
    status: str          # ok | failed | duplicate | skipped | kept
    stage: str = ""
    reason: str = ""
    sha256: str = ""
    outputs: list[str] = field(default_factory=list)
    ocr_pages: int = 0                   # pages read by OCR (0: text layer / word processor)
    ocr_confidence: float | None = None  # their mean Tesseract confidence, 0..100
