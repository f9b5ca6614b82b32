"""render: Documents -> Markdown pages with YAML front matter (pure: returns
{relative path: content}; build.py writes them).

Generated trees under docs/ (kept apart from hand-written pages):
  van-ban/<year>/<organ>/<number>/index.md    one page per document
  van-ban/<year>/<organ>/<number>/<label>.md  one page per attachment
  goc/<sha12>/<name>                          the original file, for download
  danh-muc/*.md                               listings and the build report
Slugs are ASCII and derived from organ, year and number (docs/README: URLs).
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass

from .markdown import front_matter, inline, link, rich, table
from .models import Attachment, Document, FileResult
from .parse.outline import as_heading
from .search.browser import attachment_filters, document_filters, entry_filters, filter_options, search_block
from .vntext import fold, slugify

REGISTRY_DIR = "dan-chieu"
GENERATED_DIRS = ("van-ban", "goc", "danh-muc", REGISTRY_DIR)
NO_YEAR, NO_ORGAN, NO_NUMBER = "khong-ro-nam", "khong-ro-co-quan", "khong-so"
PROVENANCE_NOTE = {"inferred": " *(suy luận)*", "override": " *(hiệu chỉnh thủ công)*"}
DEADLINE_KIND = {"so_ket": "Báo cáo sơ kết", "tong_ket": "Báo cáo tổng kết", "bao_cao": "Báo cáo"}
ORIGINAL_EXT = {"pdf": ".pdf", "docx": ".docx", "text": ".txt"}


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


def attachment_slug(attachments: list[Attachment], index: int) -> str:
    base = slugify(attachments[index].label)
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
    stem = doc.source["path"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ext = ORIGINAL_EXT.get(doc.source["format"], ".bin")
    return f"goc/{doc.source['sha256'][:12]}/{slugify(stem, 60)}{ext}"


def rel(from_page: str, to_path: str) -> str:
    """Relative link between two files under docs/ (what MkDocs validates)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_page) or ".")


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
    }


def _field(doc: Document, name: str, value: str | None) -> str:
    if not value:
        return "*không có trong văn bản*" if doc.provenance.get(name) == "missing" else ""
    return inline(value) + PROVENANCE_NOTE.get(doc.provenance.get(name, ""), "")


def _signer(doc: Document) -> str:
    s = doc.signer_info
    parts = [p for p in (s.authority, s.position) if p]
    text = " – ".join(inline(p) for p in parts)
    if s.full_name:
        text = f"**{inline(s.full_name)}**" + (f" ({text})" if text else "")
    return text + PROVENANCE_NOTE.get(doc.provenance.get("signer_info", ""), "")


Spans = dict[int, list[tuple[int, int, str | None, bool]]]


def body_markdown(lines: list[str], top_level: int = 3, spans: Spans | None = None) -> list[str]:
    """Body lines -> Markdown blocks: numbered headings, "-"/"+" lists, paragraphs;
    citations (spans per line) become links."""
    spans = spans or {}
    out: list[str] = []
    in_list = False
    headings = [as_heading(text) for text in lines]
    base = min((h.level for h in headings if h), default=1)   # no "I." -> "1." is the top level
    for i, (text, heading) in enumerate(zip(lines, headings)):
        line_spans = spans.get(i, [])
        if heading is not None:
            level = min(6, top_level + heading.level - base)
            offset = len(text) - len(text.lstrip()) + text.lstrip().find(heading.title) if heading.title else len(text)
            title = rich(text[offset:], line_spans, offset) if heading.title in text else inline(heading.title)
            out.append(f"\n{'#' * level} {heading.marker} {title}\n")
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


def citations_section(placed: "Placed") -> str:
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
    return "## Văn bản được dẫn chiếu\n\n" + table(["Văn bản", "Điều, khoản", "Tình trạng", "Số lần"], table_rows) + "\n"


def document_page(placed: Placed, citers: list | None = None) -> str:
    d = placed.doc
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
        ["Bản gốc", link(f"Tải bản gốc ({d.source['format'].upper()}, {d.source.get('pages') or '?'} trang)",
                         rel(placed.page, placed.original))],
    ]
    parts = [front_matter(metadata(placed)), f"# {inline(d.title or 'Văn bản')}\n",
             table(["Thông tin", "Giá trị"], [r for r in rows if r[1]]) + "\n"]
    if d.warnings:
        parts.append("!!! warning \"Lưu ý khi đọc văn bản\"\n" +
                     "\n".join(f"    - {inline(w)}" for w in d.warnings) + "\n")
    if d.repairs:
        fixed = sum(1 for r in d.repairs if r.applied)
        parts.append("!!! info \"Văn bản đã được sửa lỗi trích xuất\"\n"
                     f"    {fixed} chỗ đã sửa, {len(d.repairs) - fixed} chỗ cần kiểm tra: "
                     f"{link('xem chi tiết', rel(placed.page, 'danh-muc/sua-loi-van-ban.md'))}.\n")
    if d.to:
        parts.append("## Kính gửi\n\n" + "\n".join(f"- {inline(t)}" for t in d.to) + "\n")
    if d.deadlines:
        parts.append("## Thời hạn báo cáo\n\n" + "\n".join(
            f"- **{vn_date(x.date)}** – {DEADLINE_KIND.get(x.kind, 'Báo cáo')}: “{inline(x.text)}”"
            for x in d.deadlines) + "\n")
    if d.attachments:
        parts.append("## Văn bản kèm theo\n\n" + "\n".join(
            f"- {link(f'{a.label}: {a.title}' if fold(a.title) != fold(a.label) else a.label, rel(placed.page, placed.attachment_page(i)))}"
            for i, a in enumerate(d.attachments)) + "\n")
    parts.append("## Nội dung\n\n" + "\n".join(
        body_markdown(d.body, spans=citation_spans(placed, "body", placed.page))) + "\n")
    if d.distribution:
        parts.append("## Nơi nhận\n\n" + "\n".join(f"- {inline(x)}" for x in d.distribution) + "\n")
    section = citations_section(placed)
    if section:
        parts.append(section)
    parts.append(search_block(
        document_filters(d),
        {"loai": d.type_name, "so": d.number, "ngay": vn_date(d.issued_date), "co_quan": d.organ_name},
        [d.title or "", d.subject or ""] + d.body))
    if citers:
        parts.append("## Được dẫn chiếu bởi\n\n" + "\n".join(
            f"- {link(title, rel(placed.page, target_page(cid)))}: “{inline(c.sentence)}”"
            for cid, title, c in sorted(citers, key=lambda x: (x[0], x[2].line, x[2].start))) + "\n")
    return "\n".join(parts)


def attachment_page(placed: Placed, index: int) -> str:
    d = placed.doc
    a = d.attachments[index]
    page = placed.attachment_page(index)
    meta = {"title": f"{a.label}: {a.title}" if fold(a.title) != fold(a.label) else a.label,
            "kind": a.kind, "label": a.label, "attachment_title": a.title,
            "document_id": placed.id, "document_number": d.number, "document_title": d.title,
            "year": d.year, "organ_name": d.organ_name}
    parts = [front_matter(meta), f"# {inline(meta['title'])}\n",
             f"Kèm theo: {link(d.title or 'văn bản', rel(page, placed.page))}\n"]
    skip = 1 if a.lines and fold(a.lines[0]) in fold(a.title) else 0
    spans = citation_spans(placed, f"attachment:{index}", page)
    shifted = {line - skip: v for line, v in spans.items() if line >= skip}
    parts.append("\n".join(body_markdown(a.lines[skip:], top_level=2, spans=shifted)) + "\n")
    parts.append(search_block(
        attachment_filters(d, a),
        {"loai": a.label, "so": d.number, "ngay": vn_date(d.issued_date), "co_quan": d.organ_name},
        [a.title] + a.lines))
    return "\n".join(parts)


# --- listings -----------------------------------------------------------------

def _doc_row(placed: Placed, page: str) -> list[str]:
    d = placed.doc
    return [link(d.number or "(không số)", rel(page, placed.page)), vn_date(d.issued_date) or str(d.year or ""),
            inline(d.organ_name or ""), inline(d.subject or d.title or "")]


def _grouped(placed: list[Placed], key, page: str, title: str, intro: str, reverse: bool = False) -> str:
    groups: dict[str, list[Placed]] = defaultdict(list)
    for p in placed:
        groups[key(p.doc)].append(p)
    parts = [f"# {title}\n", intro + "\n"]
    for name in sorted(groups, key=fold, reverse=reverse):
        items = sorted(groups[name], key=lambda p: (p.doc.issued_date or str(p.doc.year or ""), p.id), reverse=True)
        parts.append(f"## {inline(name)} ({len(items)})\n")
        parts.append(table(["Số, ký hiệu", "Ngày", "Cơ quan ban hành", "Trích yếu"],
                           [_doc_row(p, page) for p in items]) + "\n")
    if not groups:
        parts.append("Chưa có văn bản nào.\n")
    return "\n".join(parts)


def listing_pages(placed: list[Placed]) -> dict[str, str]:
    return {
        "danh-muc/theo-loai.md": _grouped(placed, lambda d: d.type_name or "Chưa rõ loại", "danh-muc/theo-loai.md",
                                         "Văn bản theo loại", f"Kho có {len(placed)} văn bản."),
        "danh-muc/theo-nam.md": _grouped(placed, lambda d: str(d.year) if d.year else "Chưa rõ năm",
                                        "danh-muc/theo-nam.md", "Văn bản theo năm", f"Kho có {len(placed)} văn bản.",
                                        reverse=True),
        "danh-muc/theo-co-quan.md": _grouped(placed, lambda d: d.organ_name or "Chưa rõ cơ quan",
                                            "danh-muc/theo-co-quan.md", "Văn bản theo cơ quan ban hành",
                                            f"Kho có {len(placed)} văn bản."),
    }


STATUS_VI = {"ok": "đã xuất bản", "failed": "lỗi, bỏ qua", "duplicate": "trùng lặp, bỏ qua",
             "kept": "lỗi, giữ bản đã xuất bản trước", "skipped": "bỏ qua"}


def report_page(results: list[FileResult], repairs: dict[str, tuple[int, int]] | None = None) -> str:
    """repairs: source path -> (changes made, suspect spots left) by the repair stage."""
    repairs = repairs or {}
    rows = [[inline(r.path), STATUS_VI.get(r.status, r.status), inline(r.stage), inline(r.reason),
             "{} / {}".format(*repairs[r.path]) if r.path in repairs else ""]
            for r in sorted(results, key=lambda r: r.path)]
    bad = sum(1 for r in results if r.status not in ("ok",))
    fixed = sum(a for a, _ in repairs.values())
    left = sum(b for _, b in repairs.values())
    return "\n".join([
        "# Báo cáo xây dựng kho\n",
        f"{len(results)} tệp gốc; {len(results) - bad} được xuất bản; {bad} cần xử lý.\n",
        f"Sửa lỗi trích xuất: {fixed} chỗ đã sửa, {left} chỗ cần kiểm tra "
        f"({link('Sửa lỗi văn bản', 'sua-loi-van-ban.md')}).\n",
        table(["Tệp gốc", "Trạng thái", "Bước", "Lý do", "Đã sửa / cần kiểm tra"], rows) + "\n",
    ])


def render_all(placed: list[Placed], entries: dict | None = None, citers: dict | None = None,
               findings: list | None = None) -> dict[str, str]:
    from .render_registry import quality_page, registry_pages
    entries, citers = entries or {}, citers or {}
    pages: dict[str, str] = {}
    pages.update(registry_pages(placed, entries))
    pages["danh-muc/kiem-tra-du-lieu.md"] = quality_page(placed, findings or [])
    from .render_repairs import PAGE, repairs_page
    pages[PAGE] = repairs_page(placed)
    for p in placed:
        pages[p.page] = document_page(p, citers.get(p.id, []))
        for i in range(len(p.doc.attachments)):
            pages[p.attachment_page(i)] = attachment_page(p, i)
    pages.update(listing_pages(placed))
    pages["danh-muc/bo-loc-tim-kiem.json"] = filter_options(
        [document_filters(p.doc) for p in placed]
        + [attachment_filters(p.doc, a) for p in placed for a in p.doc.attachments]
        + [entry_filters(e) for e in entries.values()])
    return pages


__all__ = ["render_all", "place_documents", "report_page", "Placed", "GENERATED_DIRS"]
