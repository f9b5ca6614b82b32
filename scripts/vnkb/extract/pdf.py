"""PDF reader.

pypdfium2 (PDFium) gives the text layer: it is fast (hundreds of pages/s) and
reads fonts that compose Vietnamese letters from a base glyph plus a mark glyph
correctly, where pdfminer/pdfplumber returns "(cid:N)" junk. PDFium also gives
the geometry we need (text runs with boxes, font weight and name), so lines,
columns and bold hints come from it. pdfplumber is the second opinion: a page
whose PDFium text looks garbled is read again with pdfplumber and the less
garbled reading wins; a file PDFium cannot open at all is tried with it too.
"""
from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..models import Extracted, Line
from .common import ExtractError

_CID = re.compile(r"\(cid:\d+\)")
_VI_LETTERS = re.compile(r"[a-zA-ZÀ-ỹĐđ]")


def garble_score(text: str) -> float:
    """Share of characters that cannot be Vietnamese text (0 = clean)."""
    if not text.strip():
        return 0.0
    bad = len(_CID.findall(text)) * 8
    bad += sum(1 for ch in text if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff"
               or (ord(ch) < 32 and ch not in "\n\t\r"))
    letters = len(_VI_LETTERS.findall(text))
    visible = sum(1 for ch in text if not ch.isspace())
    # Letters outside Latin/Vietnamese (e.g. a font mapped to Greek or Cyrillic).
    foreign = visible - letters - sum(1 for ch in text if not ch.isalpha() and not ch.isspace())
    return min(1.0, (bad + max(0, foreign)) / max(1, visible))


def _font_info(textpage, index: int) -> tuple[str, bool, bool]:
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int(0)
    n = pdfium_c.FPDFText_GetFontInfo(textpage, index, buf, 128, ctypes.byref(flags))
    name = buf.value.decode("latin-1", "replace") if n else ""
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    lname = name.lower()
    bold = weight >= 600 or "bold" in lname or lname.endswith(",b")
    italic = "italic" in lname or "oblique" in lname or bool(flags.value & (1 << 6))
    return name, bold, italic


def _page_lines(page, page_no: int) -> list[Line]:
    """Lines of one page from PDFium: its text (with the line breaks PDFium
    infers) plus each character's box, to cut a line into cells at wide gaps
    and to place each cell in the left or right column."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        text = textpage.get_text_range()
        n = textpage.count_chars()
        if len(text) != n:    # text index != char index: no geometry for this page
            return [Line(text=t, page=page_no) for t in text.replace("\r", "").split("\n") if t.strip()]
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        boxes = []
        for i in range(n):
            pdfium_c.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
            boxes.append((left.value, right.value, height - top.value, height - bottom.value))
        cells = []        # (start, end) char ranges
        start = 0
        for i, ch in enumerate(text + "\n"):
            if ch in "\r\n":
                if i > start:
                    cells.extend(_cut_cells(text, boxes, start, i))
                start = i + 1
        runs = []
        for a, b in cells:
            chars = [k for k in range(a, b) if not text[k].isspace()]
            if not chars:
                continue
            x0 = min(boxes[k][0] for k in chars)
            x1 = max(boxes[k][1] for k in chars)
            top_ = min(boxes[k][2] for k in chars)
            bottom_ = max(boxes[k][3] for k in chars)
            sample = chars[:: max(1, len(chars) // 5)][:5]
            infos = [_font_info(textpage, k) for k in sample]
            runs.append({"text": text[a:b], "x0": x0, "x1": x1, "top": top_, "bottom": bottom_,
                         "font": infos[0][0], "bold": sum(i[1] for i in infos) * 2 > len(infos),
                         "italic": sum(i[2] for i in infos) * 2 > len(infos)})
    finally:
        textpage.close()
    return _to_lines(runs, page_no)


def _cut_cells(text: str, boxes, a: int, b: int) -> list[tuple[int, int]]:
    """Split chars a..b of one line where the gap between two visible characters
    is wider than twice the line height (two table cells on one baseline)."""
    out = []
    start = a
    prev = None
    for k in range(a, b):
        if text[k].isspace():
            continue
        if prev is not None:
            h = max(4.0, boxes[k][3] - boxes[k][2], boxes[prev][3] - boxes[prev][2])
            if boxes[k][0] - boxes[prev][1] > 2.0 * h:
                out.append((start, prev + 1))
                start = k
        prev = k
    out.append((start, b))
    return out


def _to_lines(runs: list[dict], page_no: int) -> list[Line]:
    """Runs -> Lines with column (0 left/full width, 1 right-hand cell) and a
    paragraph-gap hint, in the page's content order."""
    if not runs:
        return []
    area_left = min(r["x0"] for r in runs)
    area_right = max(r["x1"] for r in runs)
    area_center = (area_left + area_right) / 2
    area_width = max(1.0, area_right - area_left)
    lines: list[Line] = []
    prev = None
    for r in runs:
        center = (r["x0"] + r["x1"]) / 2
        column = 1 if center > area_center + 0.1 * area_width and r["x0"] > area_left + 0.25 * area_width else 0
        height = r["bottom"] - r["top"]
        gap = prev is not None and r["top"] - prev["bottom"] > max(height, prev["bottom"] - prev["top"]) * 0.9
        lines.append(Line(text=r["text"].strip(), page=page_no, column=column, bold=r["bold"],
                          italic=r["italic"], font=r["font"], x0=round(r["x0"], 1), x1=round(r["x1"], 1),
                          top=round(r["top"], 1), size=round(height, 1), block=len(lines),
                          blank_before=bool(gap)))
        prev = r
    return lines


def _plumber_page_lines(path: Path, page_index: int, page_no: int) -> list[Line]:
    import pdfplumber  # second opinion only: slow, so imported lazily

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_index]
        words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
        runs = [{"text": w["text"], "x0": w["x0"], "x1": w["x1"], "top": w["top"],
                 "bottom": w["bottom"], "font": w["fontname"],
                 "bold": "bold" in w["fontname"].lower(),
                 "italic": "italic" in w["fontname"].lower()} for w in words]
        runs.sort(key=lambda r: (round(r["top"]), r["x0"]))
        merged: list[dict] = []
        for r in runs:
            last = merged[-1] if merged else None
            if last and abs(last["top"] - r["top"]) < 3 and r["x0"] - last["x1"] < 2 * (r["bottom"] - r["top"]):
                last["text"] += " " + r["text"]
                last["x1"], last["bottom"] = r["x1"], max(last["bottom"], r["bottom"])
            else:
                merged.append(dict(r))
        return _to_lines(merged, page_no)


def convert_legacy_lines(lines: list[Line]) -> tuple[list[Line], list]:
    """Lines set in .Vn*/VNI fonts (or reading as legacy text) -> Unicode."""
    from dataclasses import replace

    from ..models import Repair
    from ..repair.legacy import decide
    out, repairs = [], []
    for n, line in enumerate(lines):
        d = decide(line.text, line.font)
        if d.encoding:
            repairs.append(Repair(kind="legacy", line=n, start=0, end=len(line.text), before=line.text,
                                  after=d.text, evidence=f"{d.encoding}: {d.evidence}", confidence=d.confidence,
                                  page=line.page, context=d.text[:80]))
            line = replace(line, text=d.text)
        out.append(line)
    return out, repairs


def _open(path: Path):
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise ExtractError("encrypted PDF (password-protected): remove the password and add it again") from exc
        raise ExtractError(f"corrupt or truncated PDF: PDFium cannot open it ({exc})") from exc


def read_pdf(path: Path, max_pages: int = 2000) -> Extracted:
    doc = _open(path)
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise ExtractError("PDF has no pages")
        if n_pages > max_pages:
            raise ExtractError(f"PDF has {n_pages} pages, more than the limit of {max_pages}")
        lines: list[Line] = []
        warnings: list[str] = []
        empty_pages = 0
        for i in range(n_pages):
            page = doc[i]
            try:
                page_lines = _page_lines(page, i + 1)
            finally:
                page.close()
            text = "\n".join(line.text for line in page_lines)
            score = garble_score(text)
            if score > 0.05:
                try:
                    alt = _plumber_page_lines(path, i, i + 1)
                except Exception:  # pdfminer raises many types on odd files
                    alt = []
                alt_score = garble_score("\n".join(line.text for line in alt))
                if alt and alt_score < score:
                    page_lines, score = alt, alt_score
                if score > 0.05:
                    warnings.append(f"page {i + 1}: text layer looks garbled ({score:.0%} odd characters)")
            if not text.strip():
                empty_pages += 1
            lines.extend(page_lines)
        if empty_pages == n_pages:
            raise ExtractError("PDF has no text layer (a scan?): OCR is not supported yet")
        if empty_pages:
            warnings.append(f"{empty_pages} of {n_pages} pages have no text layer (scanned pages?)")
        lines, repairs = convert_legacy_lines(lines)
        return Extracted(lines=lines, pages=n_pages, format="pdf", hard_wrapped=True,
                         warnings=warnings, engine="pdfium", repairs=repairs)
    finally:
        doc.close()
