"""Report templates (Mẫu báo cáo / đề cương): their structure, a fillable .docx
laid out per Decree 30/2020/NĐ-CP, and a comparison of templates of one kind.

A template attachment reads, in order: the issuing unit (left column), the
national motto (right column), "Số:" and "..., ngày ... tháng ... năm", the
title in capitals, numbered sections (I., 1., 1.1.) with guidance under them,
and the signature ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu)").
"""
from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field

from ..parse import patterns as P
from ..parse.outline import heading_level
from ..vntext import collapse_spaces, fold, is_upper_line

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_DATE_LINE = re.compile(r"^(?P<before>.*?)(?P<date>[^,;]{0,40},?\s*ngày\b.*\bnăm\b.*)$", re.IGNORECASE)
_TITLE_PREFIX = re.compile(r"^(?:MẪU|ĐỀ CƯƠNG)\s+(?=BÁO CÁO\b)", re.IGNORECASE)
_SIGN_HINT = re.compile(r"^\(.*(?:ký|đóng dấu).*\)$", re.IGNORECASE)
_END_MARK = re.compile(r"\s*\.?/\.\s*$")


@dataclass
class Section:
    level: int           # 1 = top (I., or 1. when there is no I.)
    marker: str          # "I.", "2.1."
    title: str
    notes: list[str] = field(default_factory=list)   # guidance under the heading


@dataclass
class Template:
    unit_lines: list[str] = field(default_factory=list)     # left column of the header
    number_line: str = "Số: ……"
    date_line: str = "……, ngày … tháng … năm ……"
    title_lines: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)       # "THỦ TRƯỞNG ĐƠN VỊ"
    signature_hint: str = "(Ký, ghi rõ họ tên, đóng dấu)"


def is_template(attachment) -> bool:
    return attachment.kind == "mau_bao_cao"


def _section(text: str) -> tuple[str, str] | None:
    m = P.HEADING.match(text)
    if not m or not m["title"].strip():
        return None
    title = m["title"].strip()
    if title[:1].islower():
        return None
    return m["marker"].strip(), _END_MARK.sub("", collapse_spaces(title))


def parse_template(lines: list[str], title: str = "") -> Template:
    t = Template()
    lines = [collapse_spaces(x) for x in lines if x.strip()]
    if lines and title and fold(lines[0]) in fold(title) and not _section(lines[0]):
        lines = lines[1:]
    first = next((i for i, x in enumerate(lines) if _section(x)), len(lines))
    head, body = lines[:first], lines[first:]
    motto = [i for i, x in enumerate(head) if P.NATIONAL_MOTTO.match(fold(x))]
    start = motto[-1] + 1 if motto else 0
    t.unit_lines = head[:motto[0]] if motto else []
    rest = head[start:]
    for text in rest:
        m_num = P.NUMBER_LINE.match(text)
        m_date = _DATE_LINE.match(text)
        if m_num:
            # "Số:………… ………………, ngày tháng năm 2021": number and date on one line
            rest_text = m_num["rest"]
            if m_date and "ngày" in rest_text:
                dm = _DATE_LINE.match(rest_text)
                t.number_line = f"Số: {dm['before'].strip() or '……'}"
                t.date_line = dm["date"].strip()
            else:
                t.number_line = f"Số: {rest_text.strip() or '……'}"
        elif m_date and not t.title_lines:
            t.date_line = m_date["date"].strip()
        elif is_upper_line(text):
            t.title_lines.append(text)
        else:
            t.intro.append(text)
    if t.title_lines:
        t.title_lines[0] = _TITLE_PREFIX.sub("", t.title_lines[0])
    # signature: capitals and "(Ký ...)" at the very end
    tail: list[str] = []
    while body and not _section(body[-1]) and (is_upper_line(body[-1]) or _SIGN_HINT.match(body[-1])
                                               or fold(body[-1]).startswith("noi nhan")):
        tail.insert(0, body.pop())
    for text in tail:
        if _SIGN_HINT.match(text):
            t.signature_hint = text
        elif is_upper_line(text):
            t.signature.append(text)
    t.signature = t.signature or ["THỦ TRƯỞNG ĐƠN VỊ"]
    sections: list[Section] = []
    for text in body:
        found = _section(text)
        if found:
            sections.append(Section(level=heading_level(found[0]), marker=found[0], title=found[1]))
        elif sections:
            sections[-1].notes.append(re.sub(r"^[-+•–]\s*", "", text))
        else:
            t.intro.append(text)
    base = min((s.level for s in sections), default=1)
    for s in sections:
        s.level = min(4, s.level - base + 1)
    t.sections = sections
    return t


# --- .docx --------------------------------------------------------------------

def _no_borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "none")
        borders.append(el)
    tbl_pr = table._tbl.tblPr
    anchor = tbl_pr.find(qn("w:tblLayout"))
    if anchor is None:
        anchor = tbl_pr.find(qn("w:tblLook"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)


def _para(container, text: str, *, bold=False, italic=False, size=13, align=None, space_after=0, indent=None):
    from docx.shared import Cm, Pt
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if indent is not None:
        p.paragraph_format.first_line_indent = Cm(indent)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
    return p


def _fonts(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title"):
        style = doc.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        style.font.color.rgb = RGBColor(0, 0, 0)
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), "Times New Roman")
        style.paragraph_format.space_before = Pt(6 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(3 if name.startswith("Heading") else 0)
        if name.startswith("Heading"):
            style.font.bold = True
            style.font.italic = name in ("Heading 3", "Heading 4")
    doc.styles["Normal"].paragraph_format.line_spacing = 1.15


def _write_lines(doc, count: int, width_cm: float) -> None:
    """Dotted lines to write on: an empty paragraph with a right tab and a dot leader."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Cm, Pt
    for _ in range(count):
        p = doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(width_cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        p.paragraph_format.space_after = Pt(4)
        p.add_run("\t")


def template_docx(t: Template, *, title: str, subject: str, when: str | None, source_note: str) -> bytes:
    """A fillable .docx (A4, Times New Roman 13, Decree 30 header block,
    numbered headings as Word headings, dotted lines under each item),
    byte-identical for the same input."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Docx()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    text_width = 21 - 3 - 1.5
    _fonts(doc)
    center = WD_ALIGN_PARAGRAPH.CENTER

    header = doc.add_table(rows=1, cols=2)
    header.autofit = False
    _no_borders(header)
    widths = (6.5, text_width - 6.5)
    for cell, w in zip(header.rows[0].cells, widths):
        cell.width = Cm(w)
    left, right = header.rows[0].cells
    units = t.unit_lines or ["TÊN CƠ QUAN, ĐƠN VỊ"]
    left.paragraphs[0].text = ""
    for i, text in enumerate(units):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        p.alignment = center
        run = p.add_run(text.upper())
        run.bold = i == len(units) - 1
        run.font.size = Pt(12)
    _para(left, "———", align=center, size=10)
    _para(left, t.number_line, align=center, size=13)
    right.paragraphs[0].alignment = center
    run = right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    run.bold, run.font.size = True, Pt(12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, align=center, size=13)
    _para(right, "———————————", align=center, size=10)
    _para(right, t.date_line, italic=True, align=center, size=13)

    _para(doc, "", size=13)
    title_lines = t.title_lines or ["BÁO CÁO"]
    for text in title_lines:
        _para(doc, text, bold=True, align=center, size=14)
    _para(doc, "", size=13)
    for text in t.intro:
        _para(doc, text, italic=True, indent=1, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    for i, s in enumerate(t.sections):
        doc.add_heading(f"{s.marker} {s.title}", level=s.level)
        for note in s.notes:
            _para(doc, note, italic=True, size=12, indent=1, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        leaf = i + 1 == len(t.sections) or t.sections[i + 1].level <= s.level
        _write_lines(doc, 4 if leaf else 1, text_width)

    _para(doc, "", size=13)
    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    _no_borders(sign)
    for cell, w in zip(sign.rows[0].cells, (text_width / 2, text_width / 2)):
        cell.width = Cm(w)
    left, right = sign.rows[0].cells
    p = left.paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for text in ("- ……;", "- Lưu: VT, ……"):
        _para(left, text, size=11)
    for i, text in enumerate(t.signature):
        p = right.paragraphs[0] if i == 0 else right.add_paragraph()
        p.alignment = center
        run = p.add_run(text)
        run.bold, run.font.size = True, Pt(13)
    _para(right, t.signature_hint, italic=True, align=center, size=12)

    _para(doc, "", size=10)
    _para(doc, source_note, italic=True, size=10)

    when_dt = dt.datetime.combine(dt.date.fromisoformat(when), dt.time()) if when else dt.datetime(2000, 1, 1)
    cp = doc.core_properties
    cp.title, cp.subject = title[:250], subject[:250]
    cp.author = cp.last_modified_by = "Kho văn bản"
    cp.comments = ""
    cp.language = "vi-VN"
    cp.created = cp.modified = cp.last_printed = when_dt
    cp.revision = 1
    return deterministic_zip(doc)


def deterministic_zip(doc) -> bytes:
    """Re-zip python-docx's output with fixed entry times, attributes and order."""
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zin:
        items = sorted((i.filename, zin.read(i.filename)) for i in zin.infolist())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type, zi.create_system, zi.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            zout.writestr(zi, data)
    return out.getvalue()


# --- comparison ---------------------------------------------------------------

_YEARS = re.compile(r"\b(?:19|20)\d{2}\b")


def heading_key(title: str) -> str:
    """Folded words of a heading without years and punctuation (for matching)."""
    return " ".join(re.findall(r"\w+", _YEARS.sub(" ", fold(title))))


def _stopwords(titles: list[str]) -> frozenset[str]:
    """Words in a quarter or more of the headings compared ("công", "tác", "phụ",
    "nữ" in these templates) say little about which section is which."""
    counts: dict[str, int] = {}
    for title in titles:
        for w in set(heading_key(title).split()):
            counts[w] = counts.get(w, 0) + 1
    limit = max(3, len(titles) // 4)
    return frozenset(w for w, c in counts.items() if c >= limit)


def similarity(a: str, b: str, stop: frozenset[str] = frozenset()) -> float:
    """0..1: word overlap of the telling words, a heading contained in the other
    ("Tổ chức và hoạt động" in "Tổ chức và hoạt động thường xuyên của Ban"),
    and characters (robust to lost glyphs: "t n tại" for "tồn tại")."""
    wa = [w for w in heading_key(a).split() if w not in stop] or heading_key(a).split()
    wb = [w for w in heading_key(b).split() if w not in stop] or heading_key(b).split()
    if not wa or not wb:
        return 0.0
    words = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    score = words.ratio()
    common = sum(block.size for block in words.get_matching_blocks())
    if min(len(wa), len(wb)) >= 3:        # containment of a short heading says little
        score = max(score, 0.9 * common / min(len(wa), len(wb)))
    chars = difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb), autojunk=False).ratio()
    return max(score, chars if chars >= 0.8 else 0.0)


@dataclass
class Change:
    kind: str                  # same | renamed | added | removed
    old: Section | None
    new: Section | None
    score: float = 0.0


RENAME_THRESHOLD = 0.65          # below: different sections that share some words
SAME_THRESHOLD = 0.95          # above: the same heading with typos or lost glyphs


def compare(old: list[Section], new: list[Section]) -> list[Change]:
    """Match sections by folded-title similarity (best pairs first, one to one,
    levels at most one apart); unmatched old ones are removed, unmatched new
    ones added. The result follows the new template's order, removed
    sections where they stood."""
    stop = _stopwords([s.title for s in old + new])
    pairs = sorted(((similarity(a.title, b.title, stop), i, j) for i, a in enumerate(old) for j, b in enumerate(new)
                    if abs(a.level - b.level) <= 1),
                   key=lambda x: (-x[0], x[1], x[2]))
    match_old: dict[int, tuple[int, float]] = {}
    used_new: set[int] = set()
    for score, i, j in pairs:
        if score < RENAME_THRESHOLD:
            break
        if i in match_old or j in used_new:
            continue
        match_old[i] = (j, score)
        used_new.add(j)
    by_new = {j: (i, s) for i, (j, s) in match_old.items()}
    out: list[Change] = []
    pending_removed = sorted(set(range(len(old))) - set(match_old))
    for j, b in enumerate(new):
        if j in by_new:
            i, score = by_new[j]
            while pending_removed and pending_removed[0] < i:
                out.append(Change("removed", old[pending_removed.pop(0)], None))
            same = heading_key(old[i].title) == heading_key(b.title) or score >= SAME_THRESHOLD
            out.append(Change("same" if same else "renamed", old[i], b, score))
        else:
            out.append(Change("added", None, b))
    out.extend(Change("removed", old[i], None) for i in pending_removed)
    return out


def template_family(title: str) -> str:
    """Templates of one kind share a title up to years and issuer wording:
    the key is the folded title without years and the leading 'mẫu/đề cương'."""
    key = heading_key(_TITLE_PREFIX.sub("", title))
    return re.sub(r"^(?:mau|de cuong)\s+", "", key)


def same_family(a: str, b: str, threshold: float = 0.6) -> bool:
    return difflib.SequenceMatcher(None, template_family(a).split(), template_family(b).split(),
                                   autojunk=False).ratio() >= threshold
