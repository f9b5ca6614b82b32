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
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..models import Extracted, Line
from .common import ExtractError

_CID = re.compile(r"\(cid:\d+\)")


# Characters that cannot be part of a Vietnamese text layer: control characters,
# U+FFFD, private-use glyphs, and letters of other scripts (a font mapped to
# Greek, Cyrillic, Arabic, CJK ...).
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff\u0370-\u03ff\u0400-\u052f"
                  "\u0590-\u06ff\u3040-\u30ff\u4e00-\u9fff]")


def garble_score(text: str) -> float:
    """Share of characters that cannot be Vietnamese text (0 = clean)."""
    visible = len(text) - text.count(" ") - text.count("\n") - text.count("\r") - text.count("\t")
    if visible <= 0:
        return 0.0
    bad = len(_CID.findall(text)) * 8 + len(_ODD.findall(text))
    return min(1.0, bad / visible)


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
    infers) and its text rectangles (PDFium's runs of characters that sit
    together), which give each line's position and show where a wide gap cuts
    a line into two cells (the columns of a Decree 30 header or signature
    table). A few ctypes calls per run, not per character."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        text = textpage.get_text_range()
        if len(text) != textpage.count_chars():    # text index != char index: no geometry here
            return [Line(text=t, page=page_no) for t in text.replace("\r", "").split("\n") if t.strip()]
        rects = []                                   # (first char, left, right, top, bottom)
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            # a justified run may start with a stretched space: look a little further right
            k = textpage.get_index(left + 0.5, (top + bottom) / 2, min(4.0, (right - left) / 2),
                                   max(1.0, (top - bottom) / 2))
            if k is not None and k >= 0:
                rects.append((k, left, right, height - top, height - bottom))
        rects.sort()
        runs = []
        pos = 0
        r = 0
        for raw_line in text.split("\n"):
            a, b = pos, pos + len(raw_line)
            pos = b + 1
            mine = []
            while r < len(rects) and rects[r][0] < b:
                if rects[r][0] >= a:
                    mine.append(rects[r])
                r += 1
            for ca, cb, boxes in _cells(text, a, b, mine):
                chunk = text[ca:cb]
                if not chunk.strip():
                    continue
                first = ca + len(chunk) - len(chunk.lstrip())
                last = ca + len(chunk.rstrip()) - 1
                infos = [_font_info(textpage, k) for k in (first, (first + last) // 2, last)]
                runs.append({"text": chunk, "x0": min(bx[1] for bx in boxes), "x1": max(bx[2] for bx in boxes),
                             "top": min(bx[3] for bx in boxes), "bottom": max(bx[4] for bx in boxes),
                             "font": infos[0][0], "bold": sum(i[1] for i in infos) >= 2,
                             "italic": sum(i[2] for i in infos) >= 2})
    finally:
        textpage.close()
    return _to_lines(runs, page_no)


def _cells(text: str, a: int, b: int, rects: list) -> list[tuple[int, int, list]]:
    """Split chars a..b of one line where the gap between two of its rectangles
    is wider than twice the line height."""
    end = a + len(text[a:b].rstrip("\r"))
    if not rects:
        return [(a, end, [(a, 0.0, 0.0, 0.0, 0.0)])]
    cells = []
    start, group = a, [rects[0]]
    for prev, cur in zip(rects, rects[1:]):
        h = max(4.0, prev[4] - prev[3], cur[4] - cur[3])
        if cur[1] - prev[2] > 2.0 * h:
            cells.append((start, cur[0], group))
            start, group = cur[0], []
        group.append(cur)
    cells.append((start, end, group))
    return cells


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
                          blank_before=bool(gap), conf=r.get("conf")))
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


# A page needs OCR when its text layer is missing, junk, or only a few
# characters over an image (a scanner's "Scanned by ..." line, a page number).
OCR_GARBLE = 0.3
OCR_MIN_CHARS = 40


def _has_image(page) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))


def _visible(text: str) -> int:
    """How many characters of text are not white space (str.split's white
    space is str.isspace's)."""
    return sum(map(len, text.split()))


def needs_ocr(text: str, score: float, has_image: bool) -> bool:
    visible = _visible(text)
    return (visible == 0 or score > OCR_GARBLE
            or (has_image and visible < OCR_MIN_CHARS))


def read_pdf(path: Path, max_pages: int = 2000, sha256: str | None = None, log=None,
             ocr: bool = True) -> Extracted:
    """Text layer where it is usable; OCR (Tesseract) for the pages where it is not."""
    doc = _open(path)
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise ExtractError("PDF has no pages")
        if n_pages > max_pages:
            raise ExtractError(f"PDF has {n_pages} pages, more than the limit of {max_pages}")
        per_page: list[list[Line]] = []
        warnings: list[str] = []
        sources: list[dict] = []
        scan_pages: list[int] = []
        for i in range(n_pages):
            page = doc[i]
            try:
                page_lines = _page_lines(page, i + 1)
                text = "\n".join(line.text for line in page_lines)
                score = garble_score(text)
                # An image counts only for a page with little text (needs_ocr):
                # this page, or the second opinion a garbled one may take.
                # Looking for one walks every object of the page.
                has_image = (score > 0.05 or _visible(text) < OCR_MIN_CHARS) and _has_image(page)
            finally:
                page.close()
            if score > 0.05:
                try:
                    alt = _plumber_page_lines(path, i, i + 1)
                except Exception:  # pdfminer raises many types on odd files
                    alt = []
                alt_score = garble_score("\n".join(line.text for line in alt))
                if alt and alt_score < score:
                    page_lines, score = alt, alt_score
            text = "\n".join(line.text for line in page_lines)
            if needs_ocr(text, score, has_image):
                scan_pages.append(i + 1)
            elif score > 0.05:
                warnings.append(f"page {i + 1}: text layer looks garbled ({score:.0%} odd characters)")
            per_page.append(page_lines)
            sources.append({"page": i + 1, "source": "text_layer" if text.strip() else "none"})
        if scan_pages and ocr:
            from . import ocr as tess
            if tess.tesseract_version() is None and len(scan_pages) < n_pages:
                warnings.append(f"{len(scan_pages)} of {n_pages} pages have no usable text layer and were "
                                f"not read: OCR needs the Debian packages {tess.PACKAGES}")
            else:
                from ..discover import sha256_file
                lock = threading.Lock()   # PDFium is not thread-safe: one render at a time

                def render(index: int):
                    def go():
                        with lock:
                            page = doc[index]
                            try:
                                image = page.render(scale=tess.DPI / 72).to_pil()
                            finally:
                                page.close()
                        return tess.encode_image(image), tess.DPI
                    return go

                read = tess.ocr_pages(sha256 or sha256_file(path), [(n, render(n - 1)) for n in scan_pages],
                                      label=path.name, log=log)
                for n, page in read.items():
                    lines = _to_lines(page.runs, n)
                    # An unusable text layer is replaced. A clean but short one over an image
                    # (a scanner's stamp line, or a text page whose signature is an image) is
                    # replaced only when OCR reads clearly more.
                    old = "".join(l.text for l in per_page[n - 1]).replace(" ", "")
                    new = "".join(l.text for l in lines).replace(" ", "")
                    if garble_score(old) > OCR_GARBLE or len(new) > 2 * len(old) + (20 if old else 0):
                        per_page[n - 1] = lines
                        sources[n - 1] = {"page": n, "source": "ocr", "confidence": page.confidence}
        lines = [line for page_lines in per_page for line in page_lines]
        empty = [s["page"] for s in sources if not any(l.text.strip() for l in per_page[s["page"] - 1])]
        if len(empty) == n_pages:
            if scan_pages:
                raise ExtractError("PDF has no text layer and OCR read no text (a blank or unreadable scan?)")
            raise ExtractError("PDF has no text")
        if empty:
            warnings.append(f"{len(empty)} of {n_pages} pages hold no text (blank or unreadable pages)")
        engine = "pdfium" + ("+tesseract" if any(s["source"] == "ocr" for s in sources) else "")
        lines, repairs = convert_legacy_lines(lines)     # runs set in .Vn*/VNI-* fonts
        return Extracted(lines=lines, pages=n_pages, format="pdf", hard_wrapped=True,
                         warnings=warnings, engine=engine, page_sources=sources, repairs=repairs)
    finally:
        doc.close()
