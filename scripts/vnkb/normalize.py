"""normalize: named, idempotent steps that turn extracted lines into clean text.

Order matters: NFC first (everything else assumes composed letters), then
look-alike glyphs from PDF fonts, invisible characters, Markdown emphasis left
by .md inputs; then the repair of lost glyphs (repair/glyphs.py: it needs the
spaces a lost glyph leaves, so it runs before white space is squeezed), white
space, letter-spaced and glued words (repair/spacing.py), and finally the
reflow of hard-wrapped lines.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from statistics import median

from .models import Extracted, Line, Repair
from .vntext import is_upper_line

# PDF fonts that lack U+01B0 map "ư" to U+01A3 (LATIN SMALL LETTER OI), which
# looks the same in many fonts; "Ư" likewise to U+01A2.
_OI_TO_U = str.maketrans({"ƣ": "ư", "Ƣ": "Ư"})
# Icelandic eth (U+00D0/U+00F0) is a look-alike of Vietnamese "Đ/đ" (U+0110/U+0111)
# that PDF fonts produce; Icelandic has no place in these documents, so every
# occurrence is taken for the Vietnamese letter.
_ETH = re.compile(r"[Ðð]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Odd spaces, and line/paragraph separators that YAML and Markdown would read
# as line breaks inside what is one line of text (U+0085, U+2028, U+2029).
_ODD_SPACES = re.compile("[\u00a0\u2007\u202f\u2000-\u200a\u3000\t\f\v\r\n\x1c-\x1f\x85\u2028\u2029]")
# Markdown bold from .md inputs: "**" never stands for anything else in these
# documents (and may open on one line and close on the next). "__" only when it
# pairs around text on one line: runs of underscores are blanks to fill in.
_MD_BOLD = re.compile(r"\*\*")
_MD_UNDERSCORE_PAIR = re.compile(r"__(?=[^\s_])(.+?)(?<=[^\s_])__")
_WS = re.compile(r" {2,}")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fix_lookalikes(text: str) -> str:
    if "ƣ" in text or "Ƣ" in text:       # (translate goes character by character)
        text = text.translate(_OI_TO_U)
    return _ETH.sub(lambda m: "Đ" if m.group() == "Ð" else "đ", text)


def drop_invisible(text: str) -> str:
    return _ODD_SPACES.sub(" ", _INVISIBLE.sub("", text))


def drop_md_emphasis(text: str) -> str:
    if "**" not in text and "__" not in text:
        return text
    while True:        # "*__*" -> "**" -> "": repeat until nothing is left to drop
        dropped = _MD_UNDERSCORE_PAIR.sub(r"\1", _MD_BOLD.sub("", text))
        if dropped == text:
            return text
        text = dropped


def squeeze_spaces(text: str) -> str:
    return _WS.sub(" ", text).strip()


def recompose(text: str) -> str:
    """NFC again: dropping an invisible character can bring a letter and its
    combining mark together ("e\u00ad\u0301" -> "é")."""
    return unicodedata.normalize("NFC", text)


# Emphasis and invisible characters go before look-alikes: "Ð__" must become "Đ" in one pass.
PRE_REPAIR_STEPS = (nfc, drop_invisible, drop_md_emphasis, fix_lookalikes)
POST_REPAIR_STEPS = (squeeze_spaces, recompose)
TEXT_STEPS = PRE_REPAIR_STEPS + POST_REPAIR_STEPS


def normalize_text(text: str) -> str:
    for step in TEXT_STEPS:
        text = step(text)
    return text


# --- reflow -----------------------------------------------------------------

LIST_MARKER = re.compile(
    r"^(?:[-+•–*]\s|[IVXLC]+\.\s|\d+(?:\.\d+)*\.(?:\s|$)|\d+(?:\.\d+)+\s|[a-zđ]\)\s|Điều\s+\d+|Chương\s|Mục\s+\d|Phần\s)")
_NEVER_JOINED = re.compile(r"^\((?:Kèm theo|Ban hành kèm theo|Đã ký|đã ký|Ký)|^(?:Nơi nhận|Kính gửi|Căn cứ)\b")
_TERMINAL = (".", ";", ":", "!", "?", "./.")


def _typical_length(lines: list[Line]) -> float:
    lengths = sorted(len(line.text) for line in lines if len(line.text) > 20)
    if not lengths:
        return 80.0
    return float(lengths[int(len(lengths) * 0.8)]) if len(lengths) > 4 else float(median(lengths))


def should_join(a: Line, b: Line, typical: float, honour_gaps: bool, full_width: bool | None = None) -> bool:
    """Is b the continuation of a hard-wrapped a?

    a is the last physical line before b; full_width says whether a reaches
    the right margin (known for PDFs), else its length is compared with the
    typical length of a full line."""
    if a.column != b.column or not a.text or not b.text:
        return False
    if honour_gaps and b.blank_before:
        return False
    if LIST_MARKER.match(b.text) or _NEVER_JOINED.match(b.text):
        return False
    if is_upper_line(a.text) or is_upper_line(b.text):
        return False
    if b.text[0].islower():
        # a list item or clause goes on after ";" or ":", a sentence does not after "."
        return not a.text.endswith((".", "!", "?"))
    if a.text.endswith(_TERMINAL):
        return False
    # Upper case or digit after a line cut mid-phrase ("... của" / "Ủy ban ..."):
    # only when a is a full line (headings and last lines of paragraphs are short).
    if full_width is not None:
        return full_width
    return len(a.text) >= typical * 0.75


def _right_edges(lines: list[Line]) -> dict[tuple[int, int], float]:
    """Per (page, column): the x of the right margin, from the lines that reach it."""
    edges: dict[tuple[int, int], list[float]] = {}
    for line in lines:
        if line.x1:
            edges.setdefault((line.page, line.column), []).append(line.x1)
    return {k: sorted(v)[int(len(v) * 0.9)] for k, v in edges.items() if len(v) >= 3}


def reflow(lines: list[Line]) -> list[Line]:
    if not lines:
        return lines
    typical = _typical_length(lines)
    honour_gaps = sum(1 for line in lines if line.blank_before) < len(lines) * 0.5
    edges = _right_edges(lines)
    out: list[Line] = []
    last: list[Line] = []     # the last physical line merged into each out[j]
    for line in lines:
        # In a two-column layout the line above in the same column may be a few
        # lines back, with only lines of the other column in between.
        j = len(out) - 1
        while j >= 0 and out[j].column != line.column and out[j].page == line.page and len(out) - j <= 3:
            j -= 1
        full = None
        if j >= 0 and last[j].x1 and (last[j].page, last[j].column) in edges:
            full = last[j].x1 >= edges[(last[j].page, last[j].column)] - max(6.0, last[j].size)
        if j >= 0 and should_join(last[j], line, typical, honour_gaps, full):
            prev = out[j]
            out[j] = replace(prev, text=f"{prev.text} {line.text}", bold=prev.bold and line.bold)
            last[j] = line
        else:
            out.append(line)
            last.append(line)
    return out


# PDF link annotations sometimes surface as a line of their own after the page text.
_LINK_ARTEFACT = re.compile(r"^mailto:\S+$")


def _steps(text: str, steps) -> str:
    for step in steps:
        text = step(text)
    return text


def _context_snippet(text: str, start: int, end: int, width: int = 30) -> str:
    a = text.rfind(" ", 0, max(0, start - width)) + 1
    b = text.find(" ", min(len(text), end + width))
    return text[a: b if b >= 0 else len(text)].strip()


def normalize(extracted: Extracted, context=None) -> Extracted:
    """Clean lines, repaired (context: repair.context.RepairContext of the
    archive; without it the shipped statistics and known documents are used)."""
    from .repair import repair_lines
    pre = [_steps(line.text, PRE_REPAIR_STEPS) for line in extracted.lines]
    fonts = [line.font for line in extracted.lines]
    repaired, repairs = repair_lines(pre, fonts, context)
    lines = []
    for n, (line, text) in enumerate(zip(extracted.lines, repaired)):
        text, spaced = _fix_spacing(_steps(text, POST_REPAIR_STEPS), n, context)
        repairs.extend(spaced)
        if text and not _LINK_ARTEFACT.match(text):
            lines.append(replace(line, text=text))
    for r in repairs:
        r.page = extracted.lines[r.line].page
        final = _steps(repaired[r.line], POST_REPAIR_STEPS)
        if not r.context:
            pos = final.find(r.after.strip()) if r.after.strip() else -1
            r.context = _context_snippet(final, max(pos, 0), max(pos, 0) + len(r.after)) if pos >= 0 else final[:80]
    repairs.sort(key=lambda r: (r.line, r.start, r.kind))
    if extracted.hard_wrapped:
        lines = reflow(lines)
    return replace(extracted, lines=lines, repairs=list(extracted.repairs) + repairs)


def _fix_spacing(text: str, n: int, context) -> tuple[str, list[Repair]]:
    from .repair import model_for
    from .repair.spacing import fix_glued, fix_letter_spacing
    text, a = fix_letter_spacing(text, n)
    text, b = fix_glued(text, model_for(context), n)
    for r in a + b:
        r.context = _context_snippet(text, r.start, r.start + len(r.after))
    return text, a + b
