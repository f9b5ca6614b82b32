"""After MkDocs: the Atom feed of documents (api/van-ban-moi.xml), newest
first by issued date, built from site/api/catalog.json with the absolute
addresses of mkdocs.yml's site_url. Dates come from the documents, never from
the clock, so the same sources give the same feed."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

ATOM = "http://www.w3.org/2005/Atom"
FEED_PATH = "api/van-ban-moi.xml"
MAX_ENTRIES = 50
TZ = "+07:00"          # Vietnam; documents carry a date only


def _when(doc: dict) -> str | None:
    date = doc["issued_date"] or (f"{doc['year']}-01-01" if doc["year"] else None)
    return f"{date}T00:00:00{TZ}" if date else None


def atom_feed(catalog: dict, site_url: str) -> bytes:
    base = site_url.rstrip("/") + "/"
    docs = [d for d in catalog["documents"] if _when(d)]
    docs.sort(key=lambda d: (_when(d), d["id"]), reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "title", "Kho văn bản bình đẳng giới – văn bản mới")
    sub(feed, "id", base + FEED_PATH)
    sub(feed, "link", rel="self", href=base + FEED_PATH, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=base, type="text/html")
    sub(feed, "updated", _when(docs[0]) if docs else "2000-01-01T00:00:00" + TZ)
    author = sub(feed, "author")
    sub(author, "name", "Kho văn bản")
    for d in docs[:MAX_ENTRIES]:
        entry = sub(feed, "entry")
        sub(entry, "title", d["title"] or d["citation"])
        sub(entry, "id", base + d["url"])
        sub(entry, "link", rel="alternate", href=base + d["url"], type="text/html")
        sub(entry, "published", _when(d))
        sub(entry, "updated", _when(d))
        if d["organ_name"]:
            sub(sub(entry, "author"), "name", d["organ_name"])
        if d["type_name"]:
            sub(entry, "category", term=d["type_name"])
        sub(entry, "summary", d["citation"])
    ET.indent(feed, space=" ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"


def site_url(project: Path) -> str:
    """mkdocs.yml's site_url as MkDocs reads it (with !ENV resolved)."""
    from mkdocs.config import load_config
    return load_config(str(project / "mkdocs.yml")).site_url or ""


def write_feed(site: Path, url: str) -> Path | None:
    catalog_path = site / "api" / "catalog.json"
    if not catalog_path.is_file() or not url:
        return None
    out = site / FEED_PATH
    out.write_bytes(atom_feed(json.loads(catalog_path.read_text(encoding="utf-8")), url))
    return out
