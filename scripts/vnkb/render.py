"""render: Documents -> Markdown pages with YAML front matter (pure: returns
{relative path: content}; build.py writes them).

Generated trees under docs/ (kept apart from hand-written pages):
  van-ban/<year>/<organ>/<number>/index.md    one page per document
  van-ban/<year>/<organ>/<number>/<label>.md  one page per attachment
  goc/<sha12>/<name>                          the original file, for download
  danh-muc/*.md                               listings, comparisons and the build report
  api/, tra-cuu/, lich/                       catalog files, number resolver, calendar
Slugs are ASCII and derived from organ, year and number (README: URLs);
headings carry explicit ASCII anchors ({#3-to-chuc-trien-khai-...}).
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field

from . import paging
from .markdown import front_matter, inline, link, rel, rich, table
from .models import Attachment, Document, Heading
from .parse.outline import as_heading
from .parse.patterns import SUBJECT_LETTER as P_SUBJECT_LETTER
from .publish import graph, template
from .publish.citeform import document_citation
from .search.browser import attachment_filters, document_filters, entry_filters, filter_options, search_block
from .vntext import fold, slugify

REGISTRY_DIR = "dan-chieu"
API_DIR, RESOLVER_DIR, CALENDAR_DIR = "api", "tra-cuu", "lich"
GENERATED_DIRS = ("van-ban", "goc", "danh-muc", REGISTRY_DIR, API_DIR, RESOLVER_DIR, CALENDAR_DIR)
CALENDAR_FILE = "lich-bao-cao.ics"
COMPARE_PAGE = "danh-muc/so-sanh-mau-bao-cao.md"
NO_YEAR, NO_ORGAN, NO_NUMBER = "khong-ro-nam", "khong-ro-co-quan", "khong-so"
PROVENANCE_NOTE = {"inferred": " *(suy luận)*", "override": " *(hiệu chỉnh thủ công)*"}
DEADLINE_KIND = {"so_ket": "Báo cáo sơ kết", "tong_ket": "Báo cáo tổng kết", "bao_cao": "Báo cáo"}
ORIGINAL_EXT = {"pdf": ".pdf", "docx": ".docx", "text": ".txt", "doc": ".doc", "rtf": ".rtf", "odt": ".odt"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}
FIELD_ABSENT = {"missing": "*không có trong văn bản*", "unreadable": "*không đọc được từ bản quét*"}


@dataclass
class Placed:
    """A document and where it lives on the site."""
    doc: Document
    id: str            # "2019/ban-vi-su-tien-bo-cua-phu-nu-tinh-ha-tinh/01-hd-bvstbcpn"
    dir: str           # "van-ban/" + id
    original: str      # "goc/<sha12>/<name>"

    @property
    def page(self) -> str:
        return f"{self.dir}/index.md"

    def attachment_page(self, index: int) -> str:
        return f"{self.dir}/{attachment_slug(self.doc.attachments, index)}.md"

    def template_file(self, index: int) -> str:
        """The fillable .docx of a report template, next to its page."""
        return f"{self.dir}/{attachment_slug(self.doc.attachments, index)}.docx"

    @property
    def calendar_file(self) -> str:
        return f"{self.dir}/{CALENDAR_FILE}"

    @property
    def has_calendar(self) -> bool:
        return bool(self.doc.deadlines or self.doc.events)


def attachment_slug(attachments: list[Attachment], index: int) -> str:
    base = slugify(attachments[index].label)
    if re.fullmatch(r"trang-\d+", base):      # the name of a long text's page 2, 3 ... (render.paged)
        base = "kem-theo-" + base
    same = [i for i, a in enumerate(attachments) if slugify(a.label) == base]
    return base if len(same) == 1 else f"{base}-{same.index(index) + 1}"


def document_id(doc: Document) -> str:
    year = str(doc.year) if doc.year else NO_YEAR
    organ = slugify(doc.organ_name, 60) if doc.organ_name else NO_ORGAN
    if doc.number:
        number = slugify(doc.number, 60)
    else:
        number = f"{NO_NUMBER}-{doc.issued_date}" if doc.issued_date else NO_NUMBER
    return f"{year}/{organ}/{number}"


def place_documents(docs: list[Document]) -> list[Placed]:
    """Ids from identity (organ, year, number); documents that would share one
    (an unnumbered letter, a number repeated by mistake) get their file's
    sha256 prefix appended, so no page ever overwrites another."""
    by_id: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        by_id[document_id(doc)].append(doc)
    placed = []
    for ident, group in sorted(by_id.items()):
        for doc in sorted(group, key=lambda d: d.source["sha256"]):
            final = ident if len(group) == 1 else f"{ident}-{doc.source['sha256'][:8]}"
            placed.append(Placed(doc=doc, id=final, dir=f"van-ban/{final}",
                                 original=original_path(doc)))
    return placed


def original_path(doc: Document) -> str:
    name = doc.source["path"].rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if doc.source["format"] == "image":
        ext = suffix if suffix in IMAGE_EXT else ".img"   # a known suffix only: names are data
    else:
        ext = ORIGINAL_EXT.get(doc.source["format"], ".bin")
    return f"goc/{doc.source['sha256'][:12]}/{slugify(stem, 60)}{ext}"


def vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


# --- document pages -----------------------------------------------------------

def metadata(placed: Placed) -> dict:
    """Front matter: Decree 30 Phụ lục VI names in snake_case."""
    d = placed.doc
    return {
        "title": d.title,
        "id": placed.id,
        "type_name": d.type_name,
        "number": d.number,
        "code_number": d.code_number,
        "code_notation": d.code_notation,
        "issued_date": d.issued_date,
        "year": d.year,
        "organ_name": d.organ_name,
        "parent_organ_name": d.parent_organ_name,
        "place": d.place,
        "subject": d.subject,
        "signer_info": {"authority": d.signer_info.authority, "position": d.signer_info.position,
                        "full_name": d.signer_info.full_name},
        "to": list(d.to),
        "distribution": list(d.distribution),
        "language": "vi",
        "page_amount": d.source.get("pages"),
        "attachments": [{"kind": a.kind, "label": a.label, "title": a.title,
                         "page": rel(placed.page, placed.attachment_page(i))}
                        for i, a in enumerate(d.attachments)],
        "deadlines": [{"date": x.date, "kind": x.kind} for x in d.deadlines],
        "cites": sorted({c.target for c in d.citations if c.target and c.target != placed.id}),
        "provenance": dict(sorted(d.provenance.items())),
        "source": {"path": d.source["path"], "sha256": d.source["sha256"],
                   "format": d.source["format"], "pages": d.source.get("pages")},
    } | _ocr_meta(d)


def _ocr_meta(d: Document) -> dict:
    pages, conf = ocr_summary(d)
    if not pages:
        return {}
    return {"ocr": {"pages": pages, "confidence": conf,
                    "corrections": len(d.source.get("ocr_corrections", []))}}


def ocr_summary(doc: Document) -> tuple[list[int], int | None]:
    """(pages read by OCR, their mean Tesseract confidence in %)."""
    pages = [s for s in doc.source.get("page_sources", []) if s.get("source") == "ocr"]
    confs = [s["confidence"] for s in pages if s.get("confidence") is not None]
    return [s["page"] for s in pages], (round(sum(confs) / len(confs)) if confs else None)


def page_ranges(pages: list[int]) -> str:
    """[1, 2, 3, 5] -> '1–3, 5'"""
    out: list[str] = []
    for p in sorted(pages):
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def _field(doc: Document, name: str, value: str | None) -> str:
    if not value:
        return FIELD_ABSENT.get(doc.provenance.get(name, ""), "")
    return inline(value) + PROVENANCE_NOTE.get(doc.provenance.get(name, ""), "")


def _signer(doc: Document) -> str:
    s = doc.signer_info
    parts = [p for p in (s.authority, s.position) if p]
    text = " – ".join(inline(p) for p in parts)
    if s.full_name:
        text = f"**{inline(s.full_name)}**" + (f" ({text})" if text else "")
    return text + PROVENANCE_NOTE.get(doc.provenance.get("signer_info", ""), "")


Spans = dict[int, list[tuple[int, int, str | None, bool]]]


def anchor(text: str, used: set[str]) -> str:
    """A stable ASCII anchor from a Vietnamese heading, unique on its page:
    '3. Tổ chức triển khai Tháng hành động' -> '3-to-chuc-trien-khai-thang-hanh-dong'."""
    base = slugify(text, 80)
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}-{n}"
    used.add(name)
    return name


def heading(level: int, text_md: str, plain: str, used: set[str]) -> str:
    """A Markdown heading with an explicit id (attr_list); text_md is escaped
    Markdown (escape_fragment escapes '{' and '}', so only this id is an attribute list)."""
    return f"{'#' * level} {text_md} {{#{anchor(plain, used)}}}"


def body_markdown(lines: list[str], top_level: int = 3, spans: Spans | None = None,
                  used: set[str] | None = None, heading_of=as_heading) -> list[str]:
    """Body lines -> Markdown blocks: numbered headings (with anchors), "-"/"+"
    lists, paragraphs; citations (spans per line) become links."""
    spans = spans or {}
    used = set() if used is None else used
    out: list[str] = []
    in_list = False
    headings = [heading_of(text) for text in lines]
    base = min((h.level for h in headings if h), default=1)   # no "I." -> "1." is the top level
    for i, (text, hd) in enumerate(zip(lines, headings)):
        line_spans = spans.get(i, [])
        if hd is not None:
            level = min(6, top_level + hd.level - base)
            offset = len(text) - len(text.lstrip()) + text.lstrip().find(hd.title) if hd.title else len(text)
            title = rich(text[offset:], line_spans, offset) if hd.title in text else inline(hd.title)
            out.append("\n" + heading(level, f"{hd.marker} {title}", f"{hd.marker} {hd.title}", used) + "\n")
            in_list = False
        elif text[:1] in "-+•–" and len(text) > 1:
            indent = "    " if text[0] == "+" else ""
            offset = 1 + len(text[1:]) - len(text[1:].lstrip())
            out.append(("" if in_list else "\n") + f"{indent}- {rich(text[offset:], line_spans, offset)}")
            in_list = True
        else:
            out.append(f"\n{rich(text, line_spans)}\n")
            in_list = False
    return [block for block in out if block.strip()]


def citation_spans(placed: "Placed", where: str, from_page: str) -> Spans:
    out: Spans = defaultdict(list)
    for c in placed.doc.citations:
        if c.where != where:
            continue
        target = None
        if c.target:
            target = rel(from_page, target_page(c.target))
        out[c.line].append((c.start, c.end, target, c.status == "incomplete"))
    return out


def target_page(target: str) -> str:
    """Page of a citation target: an archived document or a registry entry."""
    return f"{target}.md" if target.startswith(REGISTRY_DIR + "/") else f"van-ban/{target}/index.md"


STATUS_LABEL = {"archive": "có trong kho", "known": "văn bản thường được dẫn chiếu",
                "registry": "chỉ có trong danh mục dẫn chiếu", "incomplete": "⚠ trích dẫn chưa đầy đủ"}


def citations_section(placed: "Placed", used: set[str]) -> str:
    """Distinct documents this one cites, with pin cites and status."""
    rows: dict[str, list] = {}
    for c in placed.doc.citations:
        if c.kind == "self":
            continue
        key = c.target or f"?{c.text}"
        label = (f"{c.type_name} số {c.number}" if c.number and c.type_name else c.number) or c.name or c.text
        row = rows.setdefault(key, [label, c.target, set(), c.status, 0])
        row[4] += 1
        if c.pin:
            row[2].add(c.pin)
    if not rows:
        return ""
    table_rows = []
    for key, (label, target, pins, status, count) in sorted(rows.items(), key=lambda kv: fold(kv[1][0])):
        cell = link(label, rel(placed.page, target_page(target))) if target else inline(label)
        table_rows.append([cell, inline("; ".join(sorted(pins))), STATUS_LABEL.get(status, status), str(count)])
    return (heading(2, "Văn bản được dẫn chiếu", "Văn bản được dẫn chiếu", used) + "\n\n"
            + table(["Văn bản", "Điều, khoản", "Tình trạng", "Số lần"], table_rows) + "\n")


@dataclass
class Context:
    """The archive around one page: who cites whom (ids), for diagrams and related lists."""
    by_id: dict = field(default_factory=dict)          # document id -> Placed
    entries: dict = field(default_factory=dict)        # registry id -> Entry
    targets: dict = field(default_factory=dict)        # document id -> ids it cites
    cited_by: dict = field(default_factory=dict)       # id -> document ids citing it

    @classmethod
    def of(cls, placed: list[Placed], entries: dict) -> "Context":
        targets = {p.id: {c.target for c in p.doc.citations if c.target and c.target != p.id and c.kind != "self"}
                   for p in placed}
        cited_by: dict[str, set[str]] = defaultdict(set)
        for pid, ts in targets.items():
            for t in ts:
                cited_by[t].add(pid)
        return cls({p.id: p for p in placed}, entries, targets, dict(cited_by))

    def label(self, target: str) -> str:
        if target in self.by_id:
            return short_label(self.by_id[target].doc)
        entry = self.entries.get(target)
        return entry.label if entry else target


def short_label(doc: Document) -> str:
    if doc.number:
        return f"{doc.type_name or 'Văn bản'} {doc.number}"
    return doc.title or "Văn bản"


def attr(value) -> str:
    return html.escape(str(value or ""), quote=True)


def cite_button(citation: str) -> str:
    """The Decree 30 citation, as an escaped attribute; docs/assets/kb.js copies it."""
    return ('<div class="kb-actions">\n'
            f'<button type="button" class="md-button kb-cite" data-citation="{attr(citation)}">Sao chép trích dẫn</button>\n'
            '<span class="kb-cite__status" role="status" aria-live="polite"></span>\n</div>\n')


def _upper(text: str | None) -> str:
    return attr((text or "").upper())


def letterhead(d: Document) -> str:
    """Print-only Decree 30 header (docs/assets/kb.css): issuing organ and number on
    the left, national motto and place/date on the right, then the type and subject."""
    left = []
    if d.parent_organ_name:
        left.append(f"<p>{_upper(d.parent_organ_name)}</p>")
    left.append(f"<p><strong>{_upper(d.organ_name or '')}</strong></p>")
    left.append(f"<p>Số: {attr(d.number or '……')}</p>")
    letter_subject = d.subject and P_SUBJECT_LETTER.match(d.subject)
    if letter_subject:
        left.append(f'<p class="kb-letterhead__vv">{attr(d.subject)}</p>')
    date = ""
    if d.issued_date:
        y, m, dd = d.issued_date.split("-")
        date = f"{attr(d.place or '……')}, ngày {dd} tháng {m} năm {y}"
    right = ["<p><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong></p>",
             "<p><strong>Độc lập - Tự do - Hạnh phúc</strong></p>", f"<p><em>{date}</em></p>" if date else ""]
    title = ""
    if not letter_subject and (d.type_name or d.subject):
        title = (f'<p class="kb-letterhead__type"><strong>{_upper(d.type_name)}</strong></p>\n'
                 f'<p class="kb-letterhead__subject"><strong>{attr(d.subject or "")}</strong></p>\n')
    return ('<div class="kb-letterhead kb-print-only">\n<div class="kb-letterhead__left">\n' + "\n".join(left)
            + '\n</div>\n<div class="kb-letterhead__right">\n' + "\n".join(x for x in right if x)
            + "\n</div>\n</div>\n" + (f'<div class="kb-letterhead__title kb-print-only">\n{title}</div>\n' if title else ""))


def print_recipients(d: Document) -> str:
    if not d.to:
        return ""
    items = "\n".join(f"<li>{attr(t)}</li>" for t in d.to)
    return f'<div class="kb-print-only kb-print-to">\n<p>Kính gửi:</p>\n<ul>\n{items}\n</ul>\n</div>\n'


def print_signature(d: Document) -> str:
    s = d.signer_info
    left = "".join(f"<li>{attr(x)}</li>" for x in d.distribution)
    right = "".join(f"<p><strong>{attr(x)}</strong></p>" for x in (s.authority, s.position) if x)
    if s.full_name:
        right += f'<p class="kb-print-sign__name"><strong>{attr(s.full_name)}</strong></p>'
    return ('<div class="kb-print-only kb-print-sign">\n'
            f'<div class="kb-print-sign__to"><p><strong><em>Nơi nhận:</em></strong></p><ul>{left}</ul></div>\n'
            f'<div class="kb-print-sign__by">{right}</div>\n</div>\n')


def screen_only(markdown_text: str) -> str:
    """Markdown shown on screen and left out of print (md_in_html)."""
    return f'<div class="kb-screen-only" markdown="1">\n\n{markdown_text}\n\n</div>\n'


def events_section(d: Document, placed: Placed, used: set[str]) -> str:
    parts = []
    if d.deadlines:
        parts.append(heading(2, "Thời hạn báo cáo", "Thời hạn báo cáo", used) + "\n\n" + "\n".join(
            f"- **{vn_date(x.date)}** – {DEADLINE_KIND.get(x.kind, 'Báo cáo')}: “{inline(x.text)}”"
            for x in d.deadlines) + "\n")
    if d.events:
        parts.append(heading(2, "Sự kiện, đợt hoạt động", "Sự kiện, đợt hoạt động", used) + "\n\n" + "\n".join(
            f"- **{vn_date(e.start)} – {vn_date(e.end)}**: {inline(e.name)}" for e in d.events) + "\n")
    if parts:
        parts.append(link("Thêm vào lịch (tệp .ics)", rel(placed.page, placed.calendar_file))
                     + " · " + link("Lịch báo cáo của cả kho", rel(placed.page, f"{CALENDAR_DIR}/index.md")) + "\n")
    return "\n".join(parts)


def relations_section(page: str, center: str, self_id: str, ctx: Context, used: set[str],
                      citers: list[str], cites: list[str], related: list[tuple[str, str, list[str]]]) -> str:
    """Mermaid diagram (what cites this, what this cites) and the related list."""
    sort = lambda ids: sorted(ids, key=lambda t: (fold(ctx.label(t)), t))  # noqa: E731
    cites, citers = sort(cites), sort(citers)
    fence = graph.diagram(center, [ctx.label(t) for t in cites], [ctx.label(t) for t in citers])
    if not fence and not related:
        return ""
    parts = [heading(2, "Quan hệ với văn bản khác", "Quan hệ với văn bản khác", used) + "\n"]
    if fence:
        parts.append("Sơ đồ: văn bản dẫn chiếu đến văn bản này (bên trái) và văn bản được văn bản này dẫn chiếu (bên phải).\n")
        parts.append(fence)
    if related:
        parts.append(heading(3, "Văn bản liên quan", "Văn bản liên quan", used) + "\n")
        lines = []
        for other, reason, shared in related:
            names = ", ".join(inline(ctx.label(t)) for t in shared[:3]) + (" …" if len(shared) > 3 else "")
            lines.append(f"- {link(ctx.label(other) if other not in ctx.by_id else (ctx.by_id[other].doc.title or other), rel(page, target_page(other)))}"
                         f" – {reason}" + (f": {names}" if names else ""))
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


class Parts:
    """Parts of the archive-wide files, one per document or registry entry
    (its lines of catalog.json and citations.json, its CSV rows): made each
    time here. A build keeps them from the last under the render keys
    (build.KeptParts): after one change, the catalog of 10,000 documents is
    joined, not made again."""

    def get(self, kind: str, item: str, salt: str, make):
        """make(), the part of kind for item (a document id, or "entry:" and
        an entry id); salt: what it depends on beyond the item's render key."""
        return make()

    def save(self, kind: str) -> None:
        pass


def relation_state(placed: list[Placed], ctx: Context) -> dict:
    """What the relations sections read of each document (what it cites, its
    label, its title) and of each registry entry (its label)."""
    state: dict = {p.id: (tuple(sorted(ctx.targets.get(p.id, ()))), short_label(p.doc), p.doc.title or p.id)
                   for p in placed}
    state.update((eid, e.label) for eid, e in ctx.entries.items())
    return state


def relations_touched(old: dict, new: dict, common: int = graph.COMMON) -> set[str]:
    """Documents whose relations section (diagram, related documents) may read
    differently with `new` than with `old` (relation_state's). A document's
    section reads the labels of what it cites and of what cites it, and
    the related documents: those sharing a target cited by at most `common`
    documents, what they cite, their titles. So a change to x touches x, what
    cites x, what x cites, and what cites any target x cites (or cited) that
    makes candidates on either side. (Computing every related list again takes
    15 s at 10,000 documents; this, a few ms.)"""
    def citers_of(state: dict) -> dict[str, set[str]]:
        cited: dict[str, set[str]] = defaultdict(set)
        for i, value in state.items():
            if isinstance(value, tuple):
                for t in value[0]:
                    cited[t].add(i)
        return cited
    before, after = citers_of(old), citers_of(new)
    changed = {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
    touched = set(changed)
    for x in changed:
        touched |= before.get(x, set()) | after.get(x, set())
        for value in (old.get(x), new.get(x)):
            if isinstance(value, tuple):
                for t in value[0]:
                    touched.add(t)
                    was, now = before.get(t, set()), after.get(t, set())
                    if min(len(was), len(now)) <= common:
                        touched |= was | now
    return touched


def document_page(placed: Placed, citers: list | None = None, ctx: Context | None = None) -> list[tuple[str, str]]:
    """The document's page: (path, Markdown), and more pages when its text is long."""
    d = placed.doc
    ctx = ctx or Context.of([placed], {})
    used: set[str] = set()
    rows = [
        ["Loại văn bản", _field(d, "type_name", d.type_name)],
        ["Số, ký hiệu", _field(d, "number", d.number)],
        ["Cơ quan ban hành", _field(d, "organ_name", d.organ_name)],
        ["Cơ quan chủ quản", _field(d, "parent_organ_name", d.parent_organ_name)],
        ["Nơi ban hành", _field(d, "place", d.place)],
        ["Ngày ban hành", _field(d, "issued_date", vn_date(d.issued_date))
         or (f"năm {d.year}{PROVENANCE_NOTE.get(d.provenance.get('year', ''), '')}" if d.year else "")],
        ["Trích yếu", _field(d, "subject", d.subject)],
        ["Người ký", _signer(d)],
        ["Bản gốc", link(f"Tải bản gốc ({placed.original.rsplit('.', 1)[-1].upper()}, {d.source.get('pages') or '?'} trang)",
                         rel(placed.page, placed.original))],
    ]
    ocr_pages, conf = ocr_summary(d)
    if ocr_pages:
        rows.append(["Nguồn văn bản", f"bản quét, nhận dạng tự động (OCR) trang {page_ranges(ocr_pages)}"
                     + (f", độ tin cậy trung bình {conf}%" if conf is not None else "")])
    parts = [front_matter(metadata(placed)), heading(1, inline(d.title or "Văn bản"), d.title or "Văn bản", used) + "\n",
             letterhead(d)]
    top = [table(["Thông tin", "Giá trị"], [r for r in rows if r[1]]) + "\n", cite_button(document_citation(d))]
    if ocr_pages:
        fixes = len(d.source.get("ocr_corrections", []))
        top.append("!!! info \"Văn bản được nhận dạng tự động từ bản quét\"\n"
                   f"    {len(ocr_pages)}/{d.source.get('pages') or len(ocr_pages)} trang được đọc bằng nhận dạng "
                   "ký tự quang học (OCR, Tesseract)"
                   + (f", độ tin cậy trung bình {conf}%" if conf is not None else "")
                   + (f"; {fixes} lỗi nhận dạng đã được tự động sửa" if fixes else "")
                   + ". Văn bản có thể còn lỗi nhận dạng: hãy đối chiếu với bản gốc.\n")
    if d.warnings:
        top.append("!!! warning \"Lưu ý khi đọc văn bản\"\n" +
                   "\n".join(f"    - {inline(w)}" for w in d.warnings) + "\n")
    if d.repairs:
        fixed = sum(1 for r in d.repairs if r.applied)
        top.append("!!! info \"Văn bản đã được sửa lỗi trích xuất\"\n"
                   f"    {fixed} chỗ đã sửa, {len(d.repairs) - fixed} chỗ cần kiểm tra: "
                   f"{link('xem chi tiết', rel(placed.page, 'danh-muc/sua-loi-van-ban.md'))}.\n")
    if d.to:
        top.append(heading(2, "Kính gửi", "Kính gửi", used) + "\n\n" + "\n".join(f"- {inline(t)}" for t in d.to) + "\n")
    top.append(events_section(d, placed, used))
    if d.attachments:
        lines = []
        for i, a in enumerate(d.attachments):
            label = f"{a.label}: {a.title}" if fold(a.title) != fold(a.label) else a.label
            line = f"- {link(label, rel(placed.page, placed.attachment_page(i)))}"
            if template.is_template(a):
                line += f" – {link('tải mẫu để điền (.docx)', rel(placed.page, placed.template_file(i)))}"
            lines.append(line)
        top.append(heading(2, "Văn bản kèm theo", "Văn bản kèm theo", used) + "\n\n" + "\n".join(lines) + "\n")
    top.append(heading(2, "Nội dung", "Nội dung", used) + "\n")
    parts.append(screen_only("\n".join(x for x in top if x)))
    parts.append(print_recipients(d))
    body = body_markdown(d.body, spans=citation_spans(placed, "body", placed.page), used=used)
    bottom = []
    if d.distribution:
        bottom.append(heading(2, "Nơi nhận", "Nơi nhận", used) + "\n\n" + "\n".join(f"- {inline(x)}" for x in d.distribution) + "\n")
    bottom.append(citations_section(placed, used))
    citing_ids = sorted(ctx.cited_by.get(placed.id, set()))
    bottom.append(relations_section(
        placed.page, short_label(d), placed.id, ctx, used, citing_ids, sorted(ctx.targets.get(placed.id, set())),
        graph.related_documents(placed.id, ctx.targets, ctx.cited_by)))
    if citers:
        bottom.append(heading(2, "Được dẫn chiếu bởi", "Được dẫn chiếu bởi", used) + "\n\n" + "\n".join(
            f"- {link(title, rel(placed.page, target_page(cid)))}: “{inline(c.sentence)}”"
            for cid, title, c in sorted(citers, key=lambda x: (x[0], x[2].line, x[2].start))) + "\n")
    search = search_block(
        d.title or "Văn bản",
        document_filters(d),
        {"loai": d.type_name, "so": d.number, "ngay": vn_date(d.issued_date), "co_quan": d.organ_name},
        [d.subject or ""] + d.body)
    title = d.title or "Văn bản"

    def continued(k: int, n: int, path: str) -> list[str]:
        return [front_matter({"title": f"{title} (trang {k}/{n})", "document_id": placed.id,
                              "document_number": d.number, "part": k, "parts": n}),
                heading(1, inline(title), title, used) + "\n",
                screen_only(f"Nội dung của {link(short_label(d), rel(path, placed.page))}, trang {k}/{n}.")]
    return paged(placed.page, parts, body, print_signature(d), [x for x in bottom if x], search, continued)


def paged(page: str, head: list[str], body: list[str], end: str, bottom: list[str] | None,
          search: str, continued) -> list[tuple[str, str]]:
    """A page's Markdown, cut into pages (paging.cut) when it is long: (path, Markdown).
    head: front matter, title and facts, on the first page with the hidden
    search block (Pagefind indexes that page only); body: its blocks; end:
    print-only, after the last body block; bottom: screen-only sections after
    it (None: none). Page k >= 2 is paging.page_names'; continued(k, n, path): its head."""
    def one(blocks: list[str]) -> str:
        return "\n".join(blocks) + "\n" if blocks else ""
    pieces = [b for x in bottom or [] for b in paging.split_list(x)]
    blocks = [("body", b) for b in body] + ([("end", end)] if end else []) + [("bottom", b) for b in pieces]
    first = sum(paging.html_cost(x) for x in head[1:]) + paging.html_cost(search)
    cuts = paging.cut([paging.html_cost(b) for _, b in blocks], paging.BUDGET, first,
                      breaks=[kind == "body" and paging.is_heading(b) for kind, b in blocks])
    if len(cuts) == 1:
        tail = [] if bottom is None else [screen_only("\n".join(bottom))]
        return [(page, "\n".join(x for x in head + ["\n".join(body) + "\n", end] + tail + [search] if x))]
    paths = paging.page_names(page, len(cuts))
    out = []
    for k, (path, idx) in enumerate(zip(paths, cuts), 1):
        mine = [(kind, paging.rebase_links(b, page, path)) for kind, b in (blocks[i] for i in idx)]
        bodies = [b for kind, b in mine if kind == "body"]
        ends = [b for kind, b in mine if kind == "end"]
        below = [b for kind, b in mine if kind == "bottom"]
        parts = head if k == 1 else continued(k, len(cuts), path)
        parts = parts + [one(bodies)] + ends + ([screen_only("\n".join(below))] if below else [])
        parts.append(screen_only(paging.pager(paths, k - 1) + "\n"))
        if k == 1:
            parts.append(search)
        out.append((path, "\n".join(x for x in parts if x)))
    return _link_anchors(out)


_ANCHOR = re.compile(r"\{#([a-z0-9-]+)\}")
_TO_ANCHOR = re.compile(r"\]\(#([a-z0-9-]+)\)")


def _link_anchors(pages: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Links to a heading of the same text (a template's outline) that the
    cut put on another page point to that page."""
    where = {a: path for path, text in pages for a in _ANCHOR.findall(text)}

    def fix(path: str, m: re.Match) -> str:
        there = where.get(m.group(1), path)
        return m.group(0) if there == path else f"]({rel(path, there)}#{m.group(1)})"
    return [(path, _TO_ANCHOR.sub(lambda m: fix(path, m), text)) for path, text in pages]


def template_heading(text: str) -> Heading | None:
    """In a report template every numbered line is a section to write."""
    found = template._section(text)
    if not found:
        return None
    from .parse.outline import heading_level
    return Heading(level=heading_level(found[0]), marker=found[0], title=found[1])


def attachment_page(placed: Placed, index: int) -> list[tuple[str, str]]:
    """An attachment's page: (path, Markdown), and more pages when it is long."""
    d = placed.doc
    a = d.attachments[index]
    page = placed.attachment_page(index)
    used: set[str] = set()
    meta = {"title": f"{a.label}: {a.title}" if fold(a.title) != fold(a.label) else a.label,
            "kind": a.kind, "label": a.label, "attachment_title": a.title,
            "document_id": placed.id, "document_number": d.number, "document_title": d.title,
            "year": d.year, "organ_name": d.organ_name}
    parts = [front_matter(meta), heading(1, inline(meta["title"]), meta["title"], used) + "\n",
             f"Kèm theo: {link(d.title or 'văn bản', rel(page, placed.page))}\n"]
    skip = 1 if a.lines and fold(a.lines[0]) in fold(a.title) else 0
    spans = citation_spans(placed, f"attachment:{index}", page)
    shifted = {line - skip: v for line, v in spans.items() if line >= skip}
    heading_of = as_heading
    if template.is_template(a):
        heading_of = template_heading
        parts.append(template_intro(placed, index, used))
    parts.append(cite_button(f"{a.label} kèm theo {document_citation(d)}"))
    body = body_markdown(a.lines[skip:], top_level=2, spans=shifted, used=used, heading_of=heading_of)
    search = search_block(
        meta["title"],
        attachment_filters(d, a),
        {"loai": a.label, "so": d.number, "ngay": vn_date(d.issued_date), "co_quan": d.organ_name},
        a.lines)

    def continued(k: int, n: int, path: str) -> list[str]:
        return [front_matter({"title": f"{meta['title']} (trang {k}/{n})", "document_id": placed.id,
                              "document_number": d.number, "part": k, "parts": n}),
                heading(1, inline(meta["title"]), meta["title"], used) + "\n",
                screen_only(f"{link(meta['title'], rel(path, page))}, trang {k}/{n}; kèm theo "
                            f"{link(d.title or 'văn bản', rel(path, placed.page))}.")]
    return paged(page, parts, body, "", None, search, continued)


def template_intro(placed: Placed, index: int, used: set[str]) -> str:
    """A template's fillable .docx, its outline (linking to the sections below)
    and the comparison with templates of the same kind."""
    a = placed.doc.attachments[index]
    page = placed.attachment_page(index)
    t = template.parse_template(a.lines, a.title)
    # anchors of the body's headings, computed the way body_markdown will
    probe: set[str] = set()
    outline_ids = [anchor(f"{s.marker} {s.title}", probe) for s in t.sections]
    used_for_intro = {"dan-y-mau-bao-cao"}
    lines = [screen_only(
        f"**Mẫu để điền:** {link(f'Tải {a.label.lower()} (.docx)', rel(page, placed.template_file(index)))}"
        f" – khổ A4, phông Times New Roman 13, đủ phần tiêu đề theo Nghị định 30/2020/NĐ-CP, "
        f"đề mục đánh số và dòng trống để điền. "
        f"{link('So sánh với các mẫu cùng loại', rel(page, COMPARE_PAGE))}.\n\n"
        + heading(2, "Dàn ý mẫu báo cáo", "Dàn ý mẫu báo cáo", used_for_intro) + "\n\n"
        + "\n".join(f"{'    ' * (s.level - 1)}- {link(f'{s.marker} {s.title}', '#' + aid)}"
                     for s, aid in zip(t.sections, outline_ids)) + "\n")]
    used |= used_for_intro
    return "\n".join(lines)


def document_pages(p: Placed, citers: list | None = None, ctx: Context | None = None) -> list[tuple[str, str]]:
    """A document's pages and its attachments' pages: (path, Markdown)."""
    return document_page(p, citers, ctx) + [x for i in range(len(p.doc.attachments)) for x in attachment_page(p, i)]


def render_all(placed: list[Placed], entries: dict | None = None, citers: dict | None = None,
               findings: list | None = None, skip: set[str] | None = None,
               skip_entries: set[str] | None = None, ctx: "Context | None" = None,
               sink=None, parts: Parts | None = None) -> dict[str, str | bytes | bool]:
    """Every generated file under docs/: Markdown pages (str) and the files
    pages link to: templates (.docx), calendars (.ics), api/ and tra-cuu/ data.
    Documents whose id is in `skip`, and registry entries in `skip_entries`,
    are left out (their pages on disk are known to be current). ctx: the
    archive's Context when the caller has it already. sink(path, data): takes
    each file as it is made (document and entry pages are rendered in forked
    processes in a large archive, and an archive-wide job's files go to it from
    the process that ran the job) and says whether it changed a file; the
    result then maps every path to that.
    parts: see Parts."""
    from . import forked
    from .render_listings import listing_pages
    from .render_publish import publish_jobs
    from .render_registry import QUALITY_CSV, QUALITY_PAGE, index_pages, quality_csv, quality_page, registry_entry_pages
    from .render_repairs import repairs_pages
    entries, citers, skip, findings = entries or {}, citers or {}, skip or set(), findings or []
    ctx = ctx or Context.of(placed, entries)
    pages: dict[str, str | bytes | bool] = {}

    def take(path: str, data: str | bytes) -> None:
        pages[path] = data if sink is None else sink(path, data)
    todo = [p for p in placed if p.id not in skip]
    for made in forked.forked_map(lambda i: document_pages(todo[i], citers.get(todo[i].id, []), ctx),
                                  range(len(todo))):
        for path, text in made:
            take(path, text)
    for path, text in registry_entry_pages(placed, entries, ctx, skip_entries):
        take(path, text)
    # The archive-wide files, each independent of the others (jobs giving
    # (path, data) pairs): in a large archive they are made
    # side by side by this process and a forked one (an incremental build
    # spends most of its rendering time here).
    parts = parts or Parts()
    jobs = publish_jobs(placed, entries, skip, parts) + [
        lambda: listing_pages(placed).items(),
        lambda: [(QUALITY_CSV, quality_csv(placed, findings, parts)), (QUALITY_PAGE, quality_page(placed, findings))],
        lambda: index_pages(entries).items(),
        lambda: repairs_pages(placed).items(),
        lambda: [("danh-muc/bo-loc-tim-kiem.json", filter_options(
            [document_filters(p.doc) for p in placed]
            + [attachment_filters(p.doc, a) for p in placed for a in p.doc.attachments]
            + [entry_filters(e) for e in entries.values()]))]]
    def made(job) -> list:
        # with a sink, the files go to it from the process that made them
        # (catalog.json, citations.json ... are 200 MB at 10,000 documents)
        return list(job()) if sink is None else [(path, sink(path, data)) for path, data in job()]
    run = forked.two_way_map if len(placed) >= forked.PARALLEL_FROM else map
    for files in run(made, jobs):
        pages.update(files)
    return pages


__all__ = ["render_all", "document_pages", "place_documents", "Placed", "GENERATED_DIRS", "Context", "Parts",
           "relation_state", "relations_touched"]
