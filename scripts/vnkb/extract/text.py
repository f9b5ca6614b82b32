"""Plain-text reader (.txt, .md): encoding detection, then one Line per line.

Text exported from Word keeps table cells apart with tabs (or long runs of
spaces): a cell after such a gap is the right-hand column of a Decree 30
header or signature table.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..models import Extracted, Line
from .common import ExtractError

_CELL_GAP = re.compile(r"\t+| {8,}")
_VI_MARKED = re.compile(r"[À-ỹĐđƯưƠơ]")


def _plausible(text: str) -> bool:
    if not text:
        return True
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= len(text) * 0.01


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding). Tries BOMs, UTF-8, UTF-16 without BOM, then cp1258
    (Windows Vietnamese, which stores tones as combining marks)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise ExtractError(f"text file starts with a {enc} byte-order mark but does not decode: {exc.reason}") from exc
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        # A UTF-8 file with a few damaged bytes is still a UTF-8 file.
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        if bad and bad <= len(text) * 0.002 and _plausible(text) and _VI_MARKED.search(text):
            return text, "utf-8 (damaged bytes replaced)"
    if data[1::2].count(0) > len(data) * 0.2 or data[0::2].count(0) > len(data) * 0.2:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text) and _VI_MARKED.search(text) or text.isascii():
                return text, enc
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise ExtractError("undecodable text: not UTF-8, UTF-16 or cp1258 "
                           f"(byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    if not _plausible(text):
        raise ExtractError("undecodable text: too many control characters for any known encoding")
    return text, "cp1258"


def split_cells(raw: str) -> list[tuple[int, str]]:
    """A raw line -> [(column, text)]: text after a tab, or after a long run of
    spaces that follows a short cell, is column 1."""
    if not raw.strip():
        return []
    cells: list[tuple[int, str]] = []
    pos = 0
    for m in _CELL_GAP.finditer(raw):
        left = raw[pos:m.start()].strip()
        if m.group().startswith(" ") and len(left) > 60:
            continue  # a wide gap inside running text, not a table cell
        if left:
            cells.append((0 if not cells and pos == 0 else 1, left))
        pos = m.end()
    rest = raw[pos:].strip()
    if rest:
        cells.append((0 if not cells and pos == 0 else 1, rest))
    return cells


def _legacy_lines(data: bytes, text: str, encoding: str) -> tuple[list[str], list[tuple[int, object, str]]]:
    """Raw lines, each converted from TCVN3/VNI/VISCII when it reads as such
    (decided per line: a file may mix encodings). Returns the lines and
    (line number, decision, original) for every converted one."""
    from ..repair.legacy import decide, decode_lines_bytes
    raws = text.splitlines()
    converted = []
    if encoding == "cp1258":
        byte_lines = data.splitlines()
        if len(byte_lines) == len(raws):
            for n, (line, decision) in enumerate(decode_lines_bytes(byte_lines)):
                if decision is not None:
                    converted.append((n, decision, raws[n]))
                    raws[n] = line
            return raws, converted
    for n, raw in enumerate(raws):
        decision = decide(raw)
        if decision.encoding:
            converted.append((n, decision, raw))
            raws[n] = decision.text
    return raws, converted


def read_text(path: Path) -> Extracted:
    from ..models import Repair
    data = path.read_bytes()
    if not data.strip():
        raise ExtractError("empty text file")
    text, encoding = decode_bytes(data)
    raws, converted = _legacy_lines(data, text, encoding)
    by_line = {n: (d, before) for n, d, before in converted}
    lines: list[Line] = []
    repairs: list[Repair] = []
    blank = False
    for n, raw in enumerate(raws):
        cells = split_cells(raw)
        if not cells:
            blank = True
            continue
        if n in by_line:
            d, before = by_line[n]
            repairs.append(Repair(kind="legacy", line=len(lines), start=0, end=len(before), before=before.strip(),
                                  after=raw.strip(), evidence=f"{d.encoding}: {d.evidence}",
                                  confidence=d.confidence, context=raw.strip()[:80]))
        for column, cell in cells:
            lines.append(Line(text=cell, column=column, block=n, blank_before=blank))
            blank = False
    if not lines:
        raise ExtractError("text file holds no text")
    warnings = [] if encoding in ("utf-8", "utf-8-sig") else [f"decoded as {encoding}"]
    if "\ufffd" in text and "replaced" in encoding:
        warnings = [f"{text.count(chr(0xFFFD))} damaged bytes could not be decoded and are shown as �"]
    legacy = sorted({d.encoding for _, d, _ in converted})
    if legacy:
        warnings.append(f"{len(converted)} dòng chuyển từ bảng mã cũ ({', '.join(legacy)}) sang Unicode")
    return Extracted(lines=lines, pages=1, format="text", hard_wrapped=looks_hard_wrapped(lines),
                     warnings=warnings, engine=encoding, repairs=repairs)


def looks_hard_wrapped(lines: list[Line]) -> bool:
    """True when many lines end mid-sentence and the next one goes on in lower case:
    the text layer of a PDF, not one paragraph per line."""
    pairs = wrapped = 0
    for a, b in zip(lines, lines[1:]):
        if len(a.text) < 40:
            continue
        pairs += 1
        if a.text[-1:] not in ".;:!?" and b.text[:1].islower():
            wrapped += 1
    return pairs > 0 and wrapped / pairs > 0.25
