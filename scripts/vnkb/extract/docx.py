"""DOCX reader (python-docx): paragraphs AND tables, in reading order.

Word originals lay out the Decree 30 header (organ | Quoc hieu, number | place
and date) and the signature area (Noi nhan | signature) as borderless
two-column tables; a cell of such a table becomes lines of column 0 or 1.
"""
from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

from ..models import Extracted, Line
from .common import ExtractError

MAX_UNCOMPRESSED = 200 * 1024 * 1024   # zip bombs posing as .docx
MAX_RATIO = 200

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            bad = zf.testzip() if sum(i.compress_size for i in infos) < 50 * 1024 * 1024 else None
    except zipfile.BadZipFile as exc:
        raise ExtractError(f"not a valid .docx (broken zip: {exc})") from exc
    if bad:
        raise ExtractError(f"not a valid .docx (corrupt member {bad})")
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise ExtractError(f"refused: .docx would unpack to {total} bytes (ratio {total // packed}:1), a zip bomb?")


@lru_cache(maxsize=1)
def _xpaths():
    """The XPaths python-docx's text properties use, compiled once: python-docx
    compiles its expression again on every call (once per run, per question)."""
    from docx.oxml.ns import nsmap
    from lxml import etree
    return (etree.XPath("w:r | w:hyperlink", namespaces=nsmap), etree.XPath("w:r", namespaces=nsmap),
            etree.XPath("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab", namespaces=nsmap))


def _run_text(r) -> str:
    """A w:r element's text, as python-docx's Run.text gives it (tabs, breaks ...)."""
    return "".join(str(e) for e in _xpaths()[2](r))


def _para_text(p) -> str:
    """A w:p element's text, as python-docx's Paragraph.text gives it: its runs
    and the runs of its hyperlinks."""
    inner, runs, _ = _xpaths()
    return "".join(_run_text(e) if e.tag == _W + "r" else "".join(_run_text(r) for r in runs(e)) for e in inner(p))


def _style(par, cache: dict):
    """The paragraph's style, looked up once per style id (python-docx scans
    every style of the document on each `paragraph.style`)."""
    sid = par._p.style
    if sid not in cache:
        cache[sid] = par.style
    return cache[sid]


def _style_font(par, cache: dict):
    style = _style(par, cache)
    return style.font if style is not None else None


def _para_hints(par, cache: dict) -> tuple[bool, bool, bool]:
    """(bold, italic, page_break_inside) of a paragraph, by the majority of its characters."""
    bold = italic = total = 0
    page_break = False
    style_font = _style_font(par, cache)
    for run in par.runs:
        n = len(_run_text(run._r))
        total += n
        b = run.bold if run.bold is not None else (style_font.bold if style_font else None)
        i = run.italic if run.italic is not None else (style_font.italic if style_font else None)
        bold += n if b else 0
        italic += n if i else 0
        for br in run._r.iter(_W + "br"):
            if br.get(_W + "type") == "page":
                page_break = True
    ppr = par._p.pPr
    if ppr is not None and ppr.find(_W + "pageBreakBefore") is not None:
        page_break = True
    return bold * 2 > total > 0, italic * 2 > total > 0, page_break


def read_docx(path: Path) -> Extracted:
    _check_zip(path)
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors ...
        raise ExtractError(f"not a readable .docx ({type(exc).__name__}: {exc})") from exc

    lines: list[Line] = []
    style_cache: dict = {}
    page = 1
    block = 0
    blank = False

    repairs: list = []

    def add_paragraph(par, column: int) -> None:
        nonlocal page, blank
        bold, italic, page_break = _para_hints(par, style_cache)
        text = _paragraph_text(par, len(lines), page, repairs, style_cache)
        if page_break and lines:
            page += 1
            blank = True
        if not text.strip():
            blank = True
            return
        for part in text.split("\n"):        # soft line breaks (Shift+Enter)
            if part.strip():
                lines.append(Line(text=part, page=page, column=column, bold=bold, italic=italic,
                                  block=block, blank_before=blank))
                blank = False

    def add_table(table) -> None:
        nonlocal block, blank
        for row in table.rows:
            block += 1
            seen = []
            for cell in row.cells:
                if any(cell._tc is s for s in seen):   # merged cells repeat
                    continue
                seen.append(cell._tc)
            layout = len(seen) == 2
            if layout:
                for ci, tc in enumerate(seen):
                    for child in tc.iterchildren():
                        if child.tag == _W + "p":
                            add_paragraph(Paragraph(child, table), ci)
                        elif child.tag == _W + "tbl":
                            add_table(Table(child, table))
                    blank = True
            else:
                texts = []
                for tc in seen:
                    texts.append(" ".join(t for t in (_para_text(c).strip() for c in
                                 tc.iterchildren(_W + "p")) if t))
                if any(texts):
                    lines.append(Line(text=" | ".join(texts), page=page, block=block, blank_before=blank))
                    blank = False
        block += 1
        blank = True

    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            add_paragraph(Paragraph(child, document), 0)
        elif child.tag == _W + "tbl":
            add_table(Table(child, document))
            block += 1
    if not lines:
        raise ExtractError(".docx holds no text")
    return Extracted(lines=lines, pages=page, format="docx", hard_wrapped=False, engine="python-docx",
                     repairs=repairs)


def _style_font_name(style) -> str | None:
    while style is not None:
        if style.font is not None and style.font.name:
            return style.font.name
        style = style.base_style
    return None


def _paragraph_text(par, line: int, page: int, repairs: list, cache: dict) -> str:
    """The paragraph's text, with runs set in legacy fonts (.VnTime, VNI-Times)
    or reading as legacy text converted to Unicode, run by run."""
    from docx.text.run import Run

    from ..models import Repair
    from ..repair.legacy import decide, font_encoding
    text = _para_text(par._p)
    if text.isascii():
        return text
    style_font = _style_font_name(_style(par, cache)) or ""
    runs = []
    inner, link_runs, _ = _xpaths()
    for item in inner(par._p):          # runs, and hyperlinks with their runs
        for r in ([item] if item.tag == _W + "r" else link_runs(item)):
            runs.append((_run_text(r), Run(r, par).font.name or style_font))
    if "".join(t for t, _ in runs) != text:
        runs = [(text, style_font)]          # fields, symbols ...: judge the paragraph as one run
    if not any(font_encoding(f) for _, f in runs if f):
        d = decide(text)
        runs_out = [(text, d)] if d.encoding else None
    else:
        runs_out = [(t, decide(t, f)) for t, f in runs]
    if not runs_out or not any(d.encoding for _, d in runs_out):
        return text
    out = "".join(d.text if d.encoding else t for t, d in runs_out)
    for name in sorted({d.encoding for _, d in runs_out if d.encoding}):
        ds = [d for _, d in runs_out if d.encoding == name]
        repairs.append(Repair(kind="legacy", line=line, start=0, end=len(text), before=text, after=out,
                              evidence=f"{name}: " + ds[0].evidence, confidence=min(d.confidence for d in ds),
                              page=page, context=out[:80]))
    return out
