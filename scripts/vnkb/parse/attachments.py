"""Attachments after the main document's signature: phụ lục, the plan or rules
a decision issues ("KẾ HOẠCH ... (Kèm theo Quyết định số ...)"), report
templates (mẫu báo cáo, đề cương). Each becomes an Attachment of its own."""
from __future__ import annotations

import re

from ..models import Attachment, Heading, Line
from ..vntext import collapse_spaces, fold, is_upper_line
from . import patterns as P
from .lexicon import attachment_patterns
from .outline import outline_of


def _is_motto(text: str) -> bool:
    return bool(P.NATIONAL_MOTTO.match(fold(text)))


def title_kind(lines: list[Line], i: int) -> str | None:
    """The attachment kind whose title starts at line i, if any."""
    text = lines[i].text
    for kind, spec in attachment_patterns().items():
        if spec["start"].match(text):
            if spec["confirm"] is None:
                return kind
            if any(spec["confirm"].match(l.text) for l in lines[i + 1:i + 5]):
                return kind
    return None


def header_starts(lines: list[Line], i: int) -> bool:
    """A new Decree 30 header (organ | Quốc hiệu) begins at line i."""
    if not is_upper_line(lines[i].text) or _is_motto(lines[i].text):
        return _is_motto(lines[i].text) and (i == 0 or not is_upper_line(lines[i - 1].text))
    return any(_is_motto(l.text) for l in lines[i + 1:i + 4])


def is_attachment_start(lines: list[Line], i: int) -> bool:
    return bool(title_kind(lines, i) or header_starts(lines, i))


def _label(kind: str, title_line: str) -> str:
    spec = attachment_patterns()[kind]
    if kind == "phu_luc":
        m = spec["start"].match(title_line)
        num = m.group("num") if m else None
        return f"Phụ lục {num}" if num else "Phụ lục"
    if kind == "mau_bao_cao":
        return "Đề cương báo cáo" if fold(title_line).startswith("de cuong") else "Mẫu báo cáo"
    return title_line[:1] + title_line[1:].lower()


def _title(kind: str, seg: list[Line], t: int) -> str:
    """The attachment's title: its label line and the lines that continue it."""
    first = seg[t].text
    # "Phụ lục I" alone on its line: the title is what follows.
    label_only = kind == "phu_luc" and fold(first) == fold(_label(kind, first))
    parts = [] if label_only else [first]
    for line in seg[t + 1:t + 5]:
        text = line.text
        if label_only and not parts:
            parts.append(text)
            continue
        if kind != "van_ban_kem_theo" and is_upper_line(text) and not P.HEADING.match(text):
            parts.append(text)
        elif kind == "van_ban_kem_theo" and not text.startswith("(") and not P.HEADING.match(text) and len(parts) < 3:
            parts.append(text)
        else:
            break
    return collapse_spaces(" ".join(parts))


def split_attachments(lines: list[Line], start: int) -> list[Attachment]:
    """Cut lines[start:] into attachments at each title or new header."""
    cuts = [i for i in range(start, len(lines)) if i == start or is_attachment_start(lines, i)]
    # A header followed by its title is one attachment, not two.
    merged: list[int] = []
    for c in cuts:
        if (merged and c - merged[-1] <= 6 and header_starts(lines, merged[-1])
                and (title_kind(lines, c) or header_starts(lines, c))):
            continue
        merged.append(c)
    attachments = []
    for k, c in enumerate(merged):
        end = merged[k + 1] if k + 1 < len(merged) else len(lines)
        seg = lines[c:end]
        t = next((j for j in range(len(seg)) if title_kind(seg, j)), None)
        if t is None:
            kind, label, title = "khac", "Văn bản kèm theo", collapse_spaces(seg[0].text)
        else:
            kind = title_kind(seg, t)
            label = _label(kind, seg[t].text)
            title = _title(kind, seg, t)
        texts = [l.text for l in seg]
        attachments.append(Attachment(kind=kind, label=label, title=title, lines=texts,
                                      outline=outline_of(texts)))
    return [a for a in attachments if a.lines]


def references_to_attachments(text: str) -> list[str]:
    """'theo phụ lục 2 kèm theo' -> ['2'] (used by checks: is it present?)."""
    return re.findall(r"phụ lục\s+([IVXLC]+|\d+)\s+kèm theo", text, flags=re.IGNORECASE)


__all__ = ["split_attachments", "is_attachment_start", "Heading"]
