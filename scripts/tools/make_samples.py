#!/usr/bin/env python3
"""Build realistic sample ORIGINAL documents and broken test fixtures.

The four seed texts in /work/shared/seeds/ are extracted texts of real
Vietnamese administrative documents.  This script lays each text out again
as the kind of file it came from (DOCX, text PDF, plain text) so that the
extraction pipeline can be tested end to end on realistic input.

Rules followed here:
  * the text content is the seed text, defects and typos included; only
    layout artefacts (runs of spaces/tabs, blank-line padding, markdown
    ``**`` markers) are removed;
  * the output is deterministic: running the script twice produces
    byte-identical files (reportlab ``invariant`` mode, fixed DOCX core
    properties and zip timestamps, seeded random generators).

Usage:  python scripts/tools/make_samples.py [--seeds DIR] [--root DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import shutil
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

# reportlab reads rl_config.invariant when some modules are imported (for
# example pdfencrypt picks its "random" source then), so set it first.
from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vnkb.publish.template import deterministic_zip  # noqa: E402  (the site's report templates use it too)
from reportlab.platypus import (KeepTogether, PageBreak, Paragraph,  # noqa: E402
                                SimpleDocTemplate, Spacer, Table, TableStyle)

from docx import Document  # noqa: E402
from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SEEDS = Path("/work/shared/seeds")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)          # zip entry timestamp
ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s")
NUMBERED = re.compile(r"^\d+\.\s")


# --------------------------------------------------------------------------
# Seed text helpers
# --------------------------------------------------------------------------
def seed_lines(seeds: Path, stem: str) -> list[str]:
    """Seed lines with layout whitespace collapsed; blank lines dropped."""
    text = (seeds / f"{stem}.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = re.sub(r"[ \t]+", " ", line).strip(" \t")
        if line:
            out.append(line)
    return out


def find(lines: list[str], prefix: str, start: int = 0) -> int:
    """Index of the first line (from start) beginning with prefix."""
    for i in range(start, len(lines)):
        if lines[i].startswith(prefix):
            return i
    raise ValueError(f"anchor not found in seed: {prefix!r}")


def no_md(s: str) -> str:
    """Drop markdown bold markers."""
    return s.replace("**", "")


def md(s: str) -> str:
    """Escape for reportlab markup; inline **x** becomes <b>x</b>."""
    s = escape(s)
    s = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)
    return s.replace("**", "")


def check_in_seed(lines: list[str], *items: str) -> None:
    """Guard for hard-coded strings: they must occur in the seed text."""
    joined = " ".join(no_md(x) for x in lines)
    for item in items:
        if item not in joined:
            raise ValueError(f"not in seed: {item!r}")


# --------------------------------------------------------------------------
# DOCX helpers (python-docx)
# --------------------------------------------------------------------------
def docx_base() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin = sec.bottom_margin = Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rfonts = normal.element.rPr.rFonts
    for attr in ("w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(6)
    return doc


def borderless_table(doc, rows: int, widths_cm: tuple[float, float]):
    """A 2-column table with every border switched off (w:tblBorders none)."""
    table = doc.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "none")
        el.set(qn("w:sz"), "0")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "auto")
        borders.append(el)
    # Schema order: tblBorders comes before tblLayout/tblLook.
    anchor = tbl_pr.find(qn("w:tblLayout"))
    if anchor is None:
        anchor = tbl_pr.find(qn("w:tblLook"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)
    for col, gc in zip(table.columns, table._tbl.tblGrid.gridCol_lst):
        gc.w = Cm(widths_cm[col._index])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths_cm[i])
    return table


def cell_lines(cell, lines, *, align=WD_ALIGN_PARAGRAPH.CENTER, bold=False,
               italic=False, size=13):
    """Write lines into a table cell; each item is str or (str, fmt dict)."""
    for n, item in enumerate(lines):
        text, fmt = (item, {}) if isinstance(item, str) else item
        p = cell.paragraphs[0] if n == 0 and not cell.paragraphs[0].text else cell.add_paragraph()
        p.alignment = fmt.get("align", align)
        p.paragraph_format.space_after = Pt(0)
        r = p.add_run(text)
        r.bold = fmt.get("bold", bold)
        r.italic = fmt.get("italic", italic)
        r.font.size = Pt(fmt.get("size", size))


def body_para(doc, text, *, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
              indent=True, size=13):
    p = doc.add_paragraph()
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    r = p.add_run(text)
    r.bold, r.italic = bold, italic
    r.font.size = Pt(size)
    return p


def save_docx_deterministic(doc, path: Path, when: dt.datetime) -> None:
    """Fix core properties, then re-zip with fixed timestamps and sorted names."""
    cp = doc.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.comments = ""                      # default template says "generated by python-docx"
    cp.created = cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    path.write_bytes(deterministic_zip(doc))


# --------------------------------------------------------------------------
# Document 000: Hà Tĩnh 2019 guidance letter (DOCX)
# --------------------------------------------------------------------------
def make_000(seeds: Path, out: Path) -> None:
    L = seed_lines(seeds, "000_0ac4f819f4ce37fc")
    check_in_seed(L, "UBND TỈNH HÀ TĨNH", "BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ",
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "V/v hướng dẫn hoạt động năm 2019",
                  "Hà Tĩnh, ngày 25 tháng 3 năm 2019", "01 /HD-BVSTBCPN")
    doc = docx_base()

    # Header: organ / national motto, number / place-date.
    t = borderless_table(doc, 2, (6.5, 9.5))
    cell_lines(t.cell(0, 0), ["UBND TỈNH HÀ TĨNH", ("BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ", {"bold": True})],
               size=12)
    cell_lines(t.cell(0, 1), [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"size": 12}),
                              "Độc lập - Tự do - Hạnh phúc"], bold=True)
    cell_lines(t.cell(1, 0), ["Số: 01/HD-BVSTBCPN", ("V/v hướng dẫn hoạt động năm 2019", {"size": 12})])
    cell_lines(t.cell(1, 1), ["Hà Tĩnh, ngày 25 tháng 3 năm 2019"], italic=True)
    doc.add_paragraph()

    # Recipients.
    k = find(L, "Kính gửi:")
    body_para(doc, L[k], indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in L[k + 1:k + 3]:
        p = body_para(doc, line, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.left_indent = Cm(3)

    # Body: one paragraph per seed paragraph; "N. ..." headings in bold.
    nn = find(L, "Nơi nhận:", k)
    for line in L[k + 3:nn]:
        body_para(doc, line, bold=bool(NUMBERED.match(line)))

    # Signature area.
    kt = find(L, "KT. TRƯỞNG BAN", nn)
    name = find(L, "Nguyễn Trí Lạc", kt)
    t = borderless_table(doc, 1, (8, 8))
    cell_lines(t.cell(0, 0), [("Nơi nhận:", {"bold": True, "italic": True, "size": 12})]
               + [(x, {"size": 11}) for x in L[nn + 1:kt]], align=WD_ALIGN_PARAGRAPH.LEFT)
    right = []
    for x in L[kt:name]:
        right.append((x, {"bold": False, "italic": True}) if x.startswith("(") else x)
    right += ["", "", (L[name], {"bold": True})]
    cell_lines(t.cell(0, 1), right, bold=True)

    # Annex I: list of legal documents.
    doc.add_page_break()
    pl = find(L, "Phụ lục I", name)
    tpl = find(L, "SỞ, BAN,NGÀNH/ UBND", pl)
    body_para(doc, L[pl], bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    body_para(doc, f"{L[pl + 1]} {L[pl + 2]}", bold=True, indent=False,
              align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    for line in L[pl + 3:tpl]:
        body_para(doc, line)

    # Annex: report template.
    doc.add_page_break()
    check_in_seed(L, "BAN VÌ SỰ TIẾN BỘ PHỤ NỮ", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    t = borderless_table(doc, 2, (6.5, 9.5))
    cell_lines(t.cell(0, 0), [L[tpl], ("BAN VÌ SỰ TIẾN BỘ PHỤ NỮ", {"bold": True})], size=12)
    cell_lines(t.cell(0, 1), [("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"size": 12}),
                              "Độc lập - Tự do - Hạnh phúc"], bold=True)
    cell_lines(t.cell(1, 0), ["Số:"])
    cell_lines(t.cell(1, 1), ["………………, ngày      tháng      năm 2019"], italic=True)
    doc.add_paragraph()
    ti = find(L, "MẪU BÁO CÁO SƠ KẾT/TỔNG KẾT", tpl)
    for line in L[ti:ti + 2]:
        body_para(doc, line, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    nn2 = find(L, "Nơi nhận:", ti)
    for line in L[ti + 2:nn2]:
        body_para(doc, line, bold=bool(ROMAN.match(line) or NUMBERED.match(line)))
    t = borderless_table(doc, 1, (8, 8))
    cell_lines(t.cell(0, 0), [("Nơi nhận:", {"bold": True, "italic": True, "size": 12})],
               align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_lines(t.cell(0, 1), [L[nn2 + 1], L[nn2 + 2], (L[nn2 + 3], {"bold": False, "italic": True})],
               bold=True)
    assert L[nn2 + 1:nn2 + 4] == ["TRƯỞNG BAN", "VÌ SỰ TIẾN BỘ PHỤ NỮ", "(Ký, đóng dấu)"]
    assert nn2 + 4 == len(L)

    save_docx_deterministic(doc, out, dt.datetime(2019, 3, 25, 8, 0, 0))


# --------------------------------------------------------------------------
# PDF helpers (reportlab platypus)
# --------------------------------------------------------------------------
def register_fonts() -> None:
    if "DejaVuSerif" in pdfmetrics.getRegisteredFontNames():
        return
    for name, fn in (("DejaVuSerif", "DejaVuSerif.ttf"),
                     ("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf"),
                     ("DejaVuSerif-Italic", "DejaVuSerif-Italic.ttf"),
                     ("DejaVuSerif-BoldItalic", "DejaVuSerif-BoldItalic.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / fn)))
    pdfmetrics.registerFontFamily("DejaVuSerif", normal="DejaVuSerif", bold="DejaVuSerif-Bold",
                                  italic="DejaVuSerif-Italic", boldItalic="DejaVuSerif-BoldItalic")


def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="DejaVuSerif", fontSize=13, leading=17,
                          alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=4)
    return {
        "body": body,
        "head": ParagraphStyle("head", parent=body, keepWithNext=1),
        "subject": ParagraphStyle("subject", parent=body, alignment=TA_CENTER, firstLineIndent=0,
                                  fontSize=12.5, leading=16),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER, firstLineIndent=0),
        "title": ParagraphStyle("title", parent=body, alignment=TA_CENTER, firstLineIndent=0,
                                fontSize=14, leading=18, spaceBefore=6),
        "hdr": ParagraphStyle("hdr", parent=body, alignment=TA_CENTER, firstLineIndent=0,
                              fontSize=11.5, leading=14, spaceAfter=2),
        "small": ParagraphStyle("small", parent=body, alignment=TA_LEFT, firstLineIndent=0,
                                fontSize=11, leading=13, spaceAfter=0),
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_CENTER, firstLineIndent=0,
                               fontSize=12, leading=15.5, spaceAfter=0),
    }


def plain_table(rows, widths_cm=(6.0, 10.0)) -> Table:
    """Borderless table (no GRID/BOX style commands), top-aligned cells."""
    t = Table(rows, colWidths=[w * cm for w in widths_cm], hAlign="CENTER")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 2),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return t


def pdf_doc(path: Path, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(str(path), pagesize=A4, leftMargin=3 * cm, rightMargin=2 * cm,
                             topMargin=2 * cm, bottomMargin=2 * cm, title=title, author="",
                             creator="", invariant=1)


# --------------------------------------------------------------------------
# Document 001: Bắc Kạn 2018 decision + plan (text PDF)
# --------------------------------------------------------------------------
def make_001(seeds: Path, out: Path) -> None:
    L = seed_lines(seeds, "001_89f15b59531895c9")
    S = styles()
    check_in_seed(L, "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN", "Số 415 /QĐ-UBND",
                  "Bắc Kạn, ngày 19 tháng 3 năm 2018")
    story = [plain_table([
        [Paragraph("<b>ỦY BAN NHÂN DÂN<br/>TỈNH BẮC KẠN</b>", S["hdr"]),
         Paragraph("<b>CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM<br/>Độc lập - Tự do - Hạnh phúc</b>",
                   S["hdr"])],
        [Paragraph("Số: <b>415</b>/QĐ-UBND", S["hdr"]),
         Paragraph("<i>Bắc Kạn, ngày <b>19</b> tháng 3 năm 2018</i>", S["hdr"])],
    ]), Spacer(1, 12)]

    q = find(L, "QUYẾT ĐỊNH")
    story.append(Paragraph(f"<b>{md(L[q])}</b>", S["title"]))
    story.append(Paragraph(f"<b>{md(no_md(L[q + 1]))}<br/>{md(no_md(L[q + 2]))}</b>", S["subject"]))
    story.append(Spacer(1, 6))
    story.append(Paragraph(f"<b>{md(L[q + 3])}</b>", S["title"]))
    qd = find(L, "QUYẾT ĐỊNH:", q + 4)
    for line in L[q + 4:qd]:                       # "Căn cứ ..." / "Theo đề nghị ..."
        story.append(Paragraph(f"<i>{md(line)}</i>", S["body"]))
    story.append(Paragraph(f"<b>{md(L[qd])}</b>", S["title"]))
    nn = find(L, "Nơi nhận:", qd)
    articles = []
    for line in L[qd + 1:nn]:                      # Điều 1, Điều 2
        m = re.match(r"(Điều \d+\.)(.*)", line)
        articles.append(Paragraph(f"<b>{md(m.group(1))}</b>{md(m.group(2))}" if m else md(line),
                                  S["body"]))
    story += articles[:-1]

    tm = find(L, "**TM. ỦY BAN NHÂN DÂN", nn)
    name = find(L, "Phạm Duy Hưng", tm)
    left = [Paragraph("<b><i>Nơi nhận:</i></b>", S["small"])]
    left += [Paragraph(md(x), S["small"]) for x in L[nn + 1:tm]]
    right = [Paragraph("<b>" + "<br/>".join(md(no_md(x)) for x in L[tm:name]) + "</b>", S["sign"]),
             Spacer(1, 60), Paragraph(f"<b>{md(L[name])}</b>", S["sign"])]
    # Keep the last article with the signature block, as printed decisions do.
    story += [KeepTogether([articles[-1], Spacer(1, 10), plain_table([[left, right]], (8, 8))]),
              PageBreak()]

    # The plan attached to the decision.
    kh = find(L, "KẾ HOẠCH", name)
    story.append(Paragraph(f"<b>{md(L[kh])}</b>", S["title"]))
    story.append(Paragraph(f"<b>{md(no_md(L[kh + 1]))}<br/>{md(no_md(L[kh + 2]))}</b>", S["subject"]))
    story.append(Paragraph(f"<i>{md(L[kh + 3])}</i>", S["center"]))
    story.append(Spacer(1, 8))
    end = find(L, "Trên đây là Kế hoạch", kh)
    section = ""
    for line in L[kh + 4:end]:
        if ROMAN.match(line):
            section = line.split(".")[0]
            story.append(Paragraph(f"<b>{md(line)}</b>", S["head"]))
        elif NUMBERED.match(line) and section == "II":   # sub-headings of "II. NỘI DUNG"
            story.append(Paragraph(f"<b>{md(line)}</b>", S["head"]))
        else:
            story.append(Paragraph(md(line), S["body"]))
    story.append(Paragraph(md(L[end]), S["body"]))
    sig = L[end + 1:]
    assert sig[-1] == "Phạm Duy Hưng" and len(sig) == 4
    right = [Paragraph("<b>" + "<br/>".join(md(x) for x in sig[:-1]) + "</b>", S["sign"]),
             Spacer(1, 60), Paragraph(f"<b>{md(sig[-1])}</b>", S["sign"])]
    story += [Spacer(1, 10), plain_table([["", right]], (8, 8))]

    pdf_doc(out, "Quyết định 415/QĐ-UBND").build(story)


# --------------------------------------------------------------------------
# Document 003: Bộ Xây dựng 2017 guidance letter (text PDF)
# --------------------------------------------------------------------------
RECIPIENTS_003 = ["- Như trên;", "- Bộ trưởng Phạm Hồng Hà (để b/c);",
                  "- UBQG Vì sự tiến bộ của PNVN (thay b/c);", "- Bộ LĐ-TB&XH (thay b/c);",
                  "- Các thành viên Ban VSTBCPNBXD;", "- CĐXDVN (p/h);", "- Lưu: VT, Vụ TCCB."]
SIGNER_003 = ["TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ TỔ CHỨC CÁN BỘ", "(đã ký)", "Nguyễn Văn Sinh",
              "Phó Trưởng ban Thường trực", "Ban Vì sự tiến bộ của phụ nữ Bộ Xây dựng"]


def make_003(seeds: Path, out: Path) -> None:
    L = seed_lines(seeds, "003_a1ba57f347578f65")
    S = styles()
    # The seed interleaves the two signature columns; they are re-separated
    # here, so check every hard-coded piece against the seed first.
    check_in_seed(L, *RECIPIENTS_003, *SIGNER_003, "Hà Nội, ngày 11 tháng 4 năm 2017")
    hs = ParagraphStyle("vv", parent=S["hdr"], fontSize=11)
    story = [plain_table([[Paragraph(md(L[0]), hs),
                           Paragraph(f"<i>{md(L[1])}</i>", S["hdr"])]]), Spacer(1, 14)]
    k = find(L, "Kính gửi:")
    story.append(Paragraph(md(L[k]), S["center"]))
    story.append(Spacer(1, 6))
    co = find(L, "(Có mẫu hướng dẫn báo cáo kèm theo).", k)
    for line in L[k + 1:co]:
        head = NUMBERED.match(line)
        story.append(Paragraph(f"<b>{md(line)}</b>" if head else md(line),
                               S["head"] if head else S["body"]))
    story.append(Paragraph(f"<i>{md(L[co])}</i>", S["body"]))
    story.append(Paragraph(md(L[co + 1]), S["body"]))

    left = [Paragraph("<b><i>Nơi nhận:</i></b>", S["small"])]
    left += [Paragraph(md(x), S["small"]) for x in RECIPIENTS_003]
    right = [Paragraph(f"<b>{md(SIGNER_003[0])}<br/>{md(SIGNER_003[1])}</b>", S["sign"]),
             Spacer(1, 8), Paragraph(f"<i>{md(SIGNER_003[2])}</i>", S["sign"]), Spacer(1, 30),
             Paragraph(f"<b>{md(SIGNER_003[3])}</b>", S["sign"]),
             Paragraph(md(SIGNER_003[4]), S["sign"]), Paragraph(md(SIGNER_003[5]), S["sign"])]
    story += [Spacer(1, 10), plain_table([[left, right]], (7, 9)), PageBreak()]

    # Attached report template.
    b = find(L, "BỘ XÂY DỰNG", co)
    assert L[b + 1].startswith("ĐƠN VỊ:") and L[b + 4] == "Số:"
    story.append(plain_table([
        [Paragraph(f"{md(L[b])}<br/><b>{md(L[b + 1])}</b>", S["hdr"]),
         Paragraph(f"<b>{md(L[b + 2])}<br/>{md(L[b + 3])}</b>", S["hdr"])],
        [Paragraph(md(L[b + 4]), S["hdr"]),
         Paragraph("<i>……, ngày      tháng      năm 2017</i>", S["hdr"])],
    ]))
    story.append(Spacer(1, 12))
    story.append(Paragraph(f"<b>{md(L[b + 6])}<br/>{md(L[b + 7])}</b>", S["title"]))
    story.append(Spacer(1, 6))
    for line in L[b + 8:-1]:
        bold = ROMAN.match(line) or NUMBERED.match(line)
        story.append(Paragraph(f"<b>{md(line)}</b>" if bold else md(line),
                               S["head"] if bold else S["body"]))
    assert L[-1] == "THỦ TRƯỞNG ĐƠN VỊ"
    story += [Spacer(1, 12), plain_table([["", Paragraph(f"<b>{md(L[-1])}</b>", S["sign"])]], (8, 8))]

    pdf_doc(out, "V/v hướng dẫn công tác bình đẳng giới năm 2017").build(story)


# --------------------------------------------------------------------------
# Broken and odd-encoding fixtures
# --------------------------------------------------------------------------
def make_encrypted_pdf(path: Path, text: str) -> None:
    """One-page PDF encrypted with a user password (RC4 40-bit, reportlab default).

    Deterministic because rl_config.invariant makes both the document ID and
    pdfencrypt's "random" bytes fixed.
    """
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1,
                      encrypt=StandardEncryption("secret", canPrint=0))
    c.setFont("DejaVuSerif", 12)
    c.drawString(3 * cm, 27 * cm, text)
    c.showPage()
    c.save()


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258.

    cp1258 has a few precomposed letters (â ê ô ă ơ ư đ and some with tones)
    plus the five combining tone marks.  Encode each NFC character directly
    if possible, otherwise split it into a base letter (NFC without tone
    marks, which is encodable) followed by its combining tone mark(s).
    """
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        marks = "".join(c for c in parts if c in tones)
        out += base.encode("cp1258") + marks.encode("cp1258")
    data = bytes(out)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == unicodedata.normalize("NFC", text)
    return data


def first_lines(path: Path, n: int) -> str:
    text = path.read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[:n])


def make_fixtures(seeds: Path, root: Path, pdf_001: Path) -> None:
    bad = root / "tests" / "fixtures" / "bad"
    good = root / "tests" / "fixtures" / "good"
    bad.mkdir(parents=True, exist_ok=True)
    good.mkdir(parents=True, exist_ok=True)

    (bad / "empty.pdf").write_bytes(b"")
    data = pdf_001.read_bytes()
    (bad / "truncated.pdf").write_bytes(data[: len(data) * 40 // 100])
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + random.Random(1).randbytes(4096))
    l001 = seed_lines(seeds, "001_89f15b59531895c9")
    plan_title = no_md(l001[find(l001, "**Thực hiện công tác")])
    make_encrypted_pdf(bad / "encrypted.pdf", plan_title)
    (bad / "not-a-zip.docx").write_bytes(
        b"This is plain text, not a Word document.\nDay la van ban thuong.\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        zi = zipfile.ZipInfo("hello.txt", date_time=FIXED_TIME)
        zi.compress_type, zi.create_system = zipfile.ZIP_DEFLATED, 0
        z.writestr(zi, b"hello\n")
    (bad / "zip-not-docx.docx").write_bytes(buf.getvalue())
    (bad / "random.bin").write_bytes(random.Random(2).randbytes(8192))
    # Invalid UTF-8, many bytes undefined in cp1258, plus C0 control bytes.
    chunk = bytes([0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x00, 0x01, 0x81, 0x8A, 0x8D,
                   0x8E, 0x8F, 0x90, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
    (bad / "undecodable.txt").write_bytes(chunk * 200)
    (bad / "old-word.doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))

    # Valid text in non-UTF-8 encodings.
    t002 = first_lines(seeds / "002_33a9c2a794accc47.txt", 40)
    (good / "utf16.txt").write_bytes(b"\xff\xfe" + t002.encode("utf-16-le"))
    t000 = unicodedata.normalize("NFC", first_lines(seeds / "000_0ac4f819f4ce37fc.txt", 40))
    (good / "cp1258.txt").write_bytes(to_cp1258(t000))


# --------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--root", type=Path, default=REPO, help="repository root")
    args = ap.parse_args()
    register_fonts()
    src = args.root / "source_docs"
    src.mkdir(parents=True, exist_ok=True)
    make_000(args.seeds, src / "000_0ac4f819f4ce37fc.docx")
    make_001(args.seeds, src / "001_89f15b59531895c9.pdf")
    shutil.copyfile(args.seeds / "002_33a9c2a794accc47.txt", src / "002_33a9c2a794accc47.txt")
    make_003(args.seeds, src / "003_a1ba57f347578f65.pdf")
    make_fixtures(args.seeds, args.root, src / "001_89f15b59531895c9.pdf")
    for p in sorted([*src.iterdir(), *(args.root / "tests" / "fixtures").rglob("*")]):
        if p.is_file():
            print(f"{p.stat().st_size:>9}  {p.relative_to(args.root)}")


if __name__ == "__main__":
    main()
