"""Machine-readable files for portals (docs/api/) and the number resolver's
index (docs/tra-cuu/so-hieu.json). URLs are relative to the site root
("van-ban/2019/.../"): resolve them against the address the site is served
from. Schemas: schemas/catalog.schema.json, schemas/citations.schema.json."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict

from ..vntext import fold
from .citeform import document_citation, entry_citation
from .paths import page_url

CATALOG_VERSION = 1


def _dump(data: dict) -> str:
    """The object with one record of each list per line: readable in a diff,
    and written by json's C encoder (indent= falls back to the pure-Python
    one, seconds for a large archive's catalog on every build)."""
    def one(value) -> str:
        return json.dumps(value, ensure_ascii=False)
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            parts.append(f" {one(key)}: [\n" + ",\n".join("  " + one(x) for x in value) + "\n ]")
        else:
            parts.append(f" {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _targets(p) -> list[str]:
    return sorted({c.target for c in p.doc.citations if c.target and c.target != p.id and c.kind != "self"})


def catalog_cited_by(placed) -> dict[str, list[str]]:
    """id -> the ids of the archived documents citing it."""
    cited_by: dict[str, set[str]] = defaultdict(set)
    for p in placed:
        for t in _targets(p):
            cited_by[t].add(p.id)
    return {t: sorted(ids) for t, ids in cited_by.items()}


def document_records(p, extra: dict, cited_by: list[str]) -> tuple[dict, list[dict]]:
    """A document's catalog record and its attachments'. extra: {"calendar":
    url|None, "templates": {attachment index: url}}."""
    d = p.doc
    attachments = []
    for i, a in enumerate(d.attachments):
        url = page_url(p.attachment_page(i))
        attachments.append({"id": url[len("van-ban/"):].rstrip("/"), "url": url, "document_id": p.id,
                            "kind": a.kind, "label": a.label, "title": a.title,
                            "template_docx": extra.get("templates", {}).get(i)})
    return {
        "id": p.id, "url": page_url(p.page), "type_name": d.type_name, "number": d.number,
        "code_number": d.code_number, "code_notation": d.code_notation, "issued_date": d.issued_date,
        "year": d.year, "organ_name": d.organ_name, "parent_organ_name": d.parent_organ_name,
        "place": d.place, "subject": d.subject, "title": d.title,
        "signer": {"authority": d.signer_info.authority, "position": d.signer_info.position,
                   "full_name": d.signer_info.full_name},
        "citation": document_citation(d),
        "original": {"url": p.original, "format": d.source["format"], "sha256": d.source["sha256"],
                     "pages": d.source.get("pages")},
        "attachments": [a["id"] for a in attachments],
        "deadlines": [{"date": x.date, "kind": x.kind} for x in d.deadlines],
        "events": [{"start": e.start, "end": e.end, "name": e.name} for e in d.events],
        "calendar": extra.get("calendar"),
        "cites": _targets(p), "cited_by": cited_by,
        "provenance": dict(sorted(d.provenance.items())),
    }, attachments


def entry_record(eid: str, e) -> dict:
    from ..render import target_page
    return {"id": eid, "url": page_url(target_page(eid)), "type_name": e.type_name, "number": e.number,
            "name": e.name, "organ_name": e.issuer, "issued_date": e.issued_date, "year": e.year,
            "subject": e.subject, "status": e.status, "citation": entry_citation(e),
            "cited_by": e.citing, "citation_count": len(e.mentions)}


# A record's share of the three files, made once: a build keeps each
# document's and entry's part under its render key (render.Parts) and joins
# them. (catalog.json lines of the record and of its attachments, their CSV
# rows, so-hieu.json item or None.)
Part = tuple[list[str], list[str], str, str, "dict | None"]


def document_part(p, extra: dict, cited_by: list[str]) -> Part:
    record, attachments = document_records(p, extra, cited_by)
    return ([_one(record)], [_one(a) for a in attachments], csv_rows([_document_row(record)]),
            csv_rows([_attachment_row(a) for a in attachments]), _resolver_item("van_ban", record))


def entry_part(eid: str, e) -> Part:
    record = entry_record(eid, e)
    return [_one(record)], [], csv_rows([_entry_row(record)]), "", _resolver_item("dan_chieu", record)


def catalog_files(document_parts: list[Part], entry_parts: list[Part]) -> tuple[str, bytes, str]:
    """catalog.json, danh-muc.csv and so-hieu.json of the parts (documents in
    id order, then entries in id order): in catalog.json and the CSV file,
    every document, then every attachment, then every entry."""
    lines = {"documents": [x for part in document_parts for x in part[0]],
             "attachments": [x for part in document_parts for x in part[1]],
             "registry": [x for part in entry_parts for x in part[0]]}
    fields = [f' {_one("version")}: {_one(CATALOG_VERSION)}']
    for key, items in lines.items():
        fields.append(f" {_one(key)}: [\n" + ",\n".join("  " + x for x in items) + "\n ]" if items
                      else f" {_one(key)}: []")
    catalog = "{\n" + ",\n".join(fields) + "\n}\n"
    table = "".join(["\ufeff", csv_rows([CSV_HEADER])] + [part[2] for part in document_parts]
                    + [part[3] for part in document_parts] + [part[2] for part in entry_parts])
    items = [part[4] for part in document_parts + entry_parts if part[4] is not None]
    return catalog, table.encode("utf-8"), resolver_index(items)


def _one(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def citation_edges(p, entries) -> list[str]:
    """The lines of api/citations.json for one citing document: one edge per
    cited document (how often, which pins, as written), in target order."""
    from ..render import target_page
    edges: dict[str, dict] = {}
    for c in p.doc.citations:
        if c.kind == "self" or not c.target or c.target == p.id:
            continue
        edge = edges.get(c.target)
        if edge is None:       # built once per pair, not per citation (a large archive has 100,000s)
            edge = edges[c.target] = {
                "from": p.id, "from_url": page_url(p.page), "to": c.target,
                "to_url": page_url(target_page(c.target)),
                "to_kind": "registry" if c.target in entries else "document",
                "status": c.status, "count": 0, "pins": set(), "written": set()}
        edge["count"] += 1
        if c.pin:
            edge["pins"].add(c.pin)
        edge["written"].add(c.text)
        if c.status == "incomplete":
            edge["status"] = "incomplete"
    return ["  " + json.dumps(dict(e, pins=sorted(e["pins"]), written=sorted(e["written"])), ensure_ascii=False)
            for _, e in sorted(edges.items())]


def citations_json(placed, entries, edges=citation_edges) -> str:
    """Every citing document's edges (_dump's layout); edges(p, entries): the
    lines of one document, which a build may keep from the last one."""
    lines = [line for p in sorted(placed, key=lambda p: p.id) for line in edges(p, entries)]
    if not lines:
        return _dump({"version": CATALOG_VERSION, "edges": []})
    return '{\n "version": %d,\n "edges": [\n%s\n ]\n}\n' % (CATALOG_VERSION, ",\n".join(lines))


CSV_HEADER = ["Loại bản ghi", "Mã", "Địa chỉ", "Loại văn bản", "Số, ký hiệu", "Ngày ban hành", "Năm",
              "Cơ quan ban hành", "Trích yếu / tiêu đề", "Kèm theo văn bản"]
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value) -> str:
    """Spreadsheet cell: text that Excel would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def _document_row(d: dict) -> tuple:
    return ("Văn bản", d["id"], d["url"], d["type_name"], d["number"], d["issued_date"],
            d["year"], d["organ_name"], d["subject"] or d["title"], "")


def _attachment_row(a: dict) -> tuple:
    return ("Văn bản kèm theo", a["id"], a["url"], a["label"], "", "", "", "", a["title"], a["document_id"])


def _entry_row(e: dict) -> tuple:
    return ("Văn bản được dẫn chiếu", e["id"], e["url"], e["type_name"], e["number"],
            e["issued_date"], e["year"], e["organ_name"], e["subject"] or e["name"], "")


def csv_rows(rows) -> str:
    """Rows of a CSV file for Excel (which reads it as UTF-8 after a BOM):
    CRLF, cells it would run as formulas neutralised."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([_cell(x) for x in row] for row in rows)
    return buf.getvalue()


# --- the number resolver's index ------------------------------------------------

def _code(number: str | None) -> str | None:
    m = re.match(r"\s*0*(\d{1,5})", number or "")
    return (m.group(1) or "0") if m else None


def _resolver_item(kind: str, r: dict) -> dict | None:
    if not r["number"]:
        return None
    return {"url": r["url"], "title": r.get("title") or r["citation"], "type": r["type_name"],
            "number": r["number"], "date": r["issued_date"], "year": r["year"], "organ": r["organ_name"], "kind": kind}


def resolver_index(items: list[dict]) -> str:
    """number key -> items, bare code number -> items, plus the folding data
    the page's JavaScript needs to read a number the way search does
    (scripts/vnkb/search/query.py: number_key(canonical_number_of(text)))."""
    from ..cite.lexicon import citation_data
    from ..parse.lexicon import doc_types
    from ..search.query import number_key
    numbers, codes = defaultdict(list), defaultdict(list)
    for i, item in enumerate(items):
        numbers[number_key(item["number"])].append(i)
        code = _code(item["number"])
        if code:
            codes[code].append(i)
    types = {fold(n): n for n in doc_types()["by_name"].values()}
    for abbr, name in citation_data()["type_abbreviations"].items():
        types.setdefault(fold(abbr), name)
    party = sorted(c for c, v in citation_data()["issuers"].items() if v.get("party"))
    return json.dumps({"version": CATALOG_VERSION, "party_codes": party, "types": dict(sorted(types.items())),
                       "items": items, "numbers": dict(sorted(numbers.items())), "codes": dict(sorted(codes.items()))},
                      ensure_ascii=False, separators=(",", ":")) + "\n"
