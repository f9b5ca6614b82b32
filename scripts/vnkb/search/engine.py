"""The archive's authoritative search: a Whoosh index in index/.

Whoosh stays behind this one module (build_index, search, get_document) so the
engine can be swapped. Package: whoosh-reloaded 2.7.5 (same `whoosh` import
name and index format as Whoosh 2.7.4, which raises SyntaxError under -W error
on Python 3.11+ once its bytecode is recompiled).

Each text is indexed twice: folded (no diacritics, đ→d) so "binh dang gioi"
finds "bình đẳng giới", and accented (lower case only) so an accented query
ranks exact-accent matches first ("bàn" above "bản").

The index is built in a temporary folder next to index/ and swapped in whole;
an existing index with the same schema version is copied there first and
only documents whose content changed are re-indexed (update by id).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import index as windex
from whoosh import query as Q
from whoosh import sorting
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter

from ..swap import swap_in, temp_for
from ..vntext import fold
from .query import ParsedQuery, QueryError, parse_query, type_key

SCHEMA_VERSION = "3"
TOKEN = r"\w+(?:[./-]\w+)*"
PAGE_SIZE_MAX = 50


@lru_cache(maxsize=200_000)
def _fold_token(text: str) -> str:
    return fold(text)


class FoldFilter(Filter):
    """Token text -> folded (diacritics off, đ→d). Words repeat a lot: cached."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = _fold_token(t.text)
            yield t


def folded_analyzer():
    return RegexTokenizer(TOKEN) | LowercaseFilter() | FoldFilter()


def accent_analyzer():
    return RegexTokenizer(TOKEN) | LowercaseFilter()


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        url=STORED,
        title=TEXT(stored=True, analyzer=folded_analyzer(), field_boost=3.0),
        title_exact=TEXT(analyzer=accent_analyzer(), field_boost=3.0),
        number=STORED,
        number_key=ID,
        code_number=ID,
        type=ID(stored=True, sortable=True),
        type_key=ID,
        organ=TEXT(stored=True, analyzer=folded_analyzer(), field_boost=1.5),
        organ_facet=ID(stored=True, sortable=True),
        signer=TEXT(stored=True, analyzer=folded_analyzer()),
        year=NUMERIC(stored=True, sortable=True, signed=False),
        issued_date=ID(stored=True, sortable=True),
        subject=TEXT(stored=True, analyzer=folded_analyzer(), field_boost=2.0),
        body=TEXT(stored=True, analyzer=folded_analyzer()),
        body_exact=TEXT(analyzer=accent_analyzer()),
        attachment_kind=ID(stored=True),
        cites=KEYWORD(stored=True, commas=True),
        parent=ID(stored=True),
        content_hash=STORED,
    )


# --- documents to index ----------------------------------------------------------

def records(placed: list, entries: dict) -> list[dict]:
    """One record per document, attachment and registry entry (plain dicts)."""
    from ..render import target_page

    def url(page: str) -> str:
        return "/" + page[: -len("index.md")] if page.endswith("index.md") else "/" + page[:-3] + "/"

    out = []
    for p in placed:
        d = p.doc
        base = {"number": d.number or "", "number_key": fold(d.number or "").replace(" ", ""),
                "code_number": (d.code_number or "").lstrip("0") or "", "organ": d.organ_name or "",
                "organ_facet": d.organ_name or "", "year": d.year, "issued_date": d.issued_date or "",
                "signer": d.signer_info.full_name or ""}
        body = "\n".join(d.body + d.to + d.distribution)
        out.append(dict(base, id=p.id, kind="van_ban", url=url(p.page), title=d.title or "",
                        type=d.type_name or "", subject=d.subject or "", body=body,
                        cites=",".join(sorted({c.target for c in d.citations if c.target})),
                        attachment_kind="", parent=""))
        for i, a in enumerate(d.attachments):
            out.append(dict(base, id=f"{p.id}#{i}", kind="dinh_kem", url=url(p.attachment_page(i)),
                            title=f"{a.label}: {a.title}", type=re.sub(r"\s+[IVXLC\d]+$", "", a.label),
                            subject=a.title, body="\n".join(a.lines), cites="", attachment_kind=a.kind,
                            parent=p.id, number=""))
    for eid, e in entries.items():
        out.append({"id": eid, "kind": "dan_chieu", "url": url(target_page(eid)), "title": e.label,
                    "number": e.number or "", "number_key": fold(e.number or "").replace(" ", ""),
                    "code_number": (e.number or "").split("/")[0].split("-")[0].lstrip("0"),
                    "type": e.type_name or "", "organ": e.issuer or "", "organ_facet": e.issuer or "",
                    "year": e.year, "issued_date": e.issued_date or "", "subject": e.subject or e.name or "",
                    "body": "\n".join(m.citation.sentence for m in e.mentions), "signer": "", "cites": "",
                    "attachment_kind": "", "parent": ""})
    return out


def _hash(rec: dict) -> str:
    return hashlib.sha256(json.dumps(rec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _fields(rec: dict) -> dict:
    doc = {k: v for k, v in rec.items() if v not in (None, "")}
    doc["type_key"] = type_key(rec["type"]) if rec.get("type") else None
    doc["title_exact"] = rec.get("title", "")
    doc["body_exact"] = rec.get("body", "")
    doc["content_hash"] = _hash(rec)
    if rec.get("year") is None:
        doc.pop("year", None)
    return {k: v for k, v in doc.items() if v is not None}


@dataclass
class IndexStats:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


def build_index(index_dir: Path, recs: list[dict]) -> IndexStats:
    """Bring index_dir up to date with recs, atomically (temp folder + swap)."""
    stats = IndexStats()
    tmp = temp_for(index_dir)
    version_file = index_dir / "SCHEMA_VERSION"
    reuse = version_file.is_file() and version_file.read_text().strip() == SCHEMA_VERSION \
        and windex.exists_in(str(index_dir))
    if reuse:
        shutil.copytree(index_dir, tmp)
        (tmp / "MAIN_WRITELOCK").unlink(missing_ok=True)   # a lock left by a killed build
        ix = windex.open_dir(str(tmp))
    else:
        tmp.mkdir(parents=True)
        ix = windex.create_in(str(tmp), schema())
    existing: dict[str, str] = {}
    if reuse:
        with ix.searcher() as s:
            for fields in s.all_stored_fields():
                existing[fields["id"]] = fields.get("content_hash", "")
    wanted = {r["id"]: r for r in recs}
    writer = ix.writer(limitmb=256)
    try:
        for rid in sorted(set(existing) - set(wanted)):
            writer.delete_by_term("id", rid)
            stats.deleted += 1
        for rid in sorted(wanted):
            fields = _fields(wanted[rid])
            if existing.get(rid) == fields["content_hash"]:
                stats.unchanged += 1
                continue
            if rid in existing:
                stats.updated += 1
            else:
                stats.added += 1
            writer.update_document(**fields)
        writer.commit(optimize=not reuse)
    except BaseException:
        writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / "SCHEMA_VERSION").write_text(SCHEMA_VERSION + "\n")
    swap_in(tmp, index_dir)
    return stats


# --- queries ---------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(TOKEN, text.lower())


def build_query(pq: ParsedQuery, loose: bool = False) -> Q.Query:
    must: list[Q.Query] = []
    for term in pq.terms:
        f = fold(term)
        options = [Q.Term("title", f, boost=3.0), Q.Term("subject", f, boost=2.0), Q.Term("body", f),
                   Q.Term("organ", f, boost=1.5), Q.Term("signer", f)]
        if pq.accented:
            options += [Q.Term("title_exact", term, boost=4.0), Q.Term("body_exact", term, boost=2.0)]
        must.append(Q.Or(options))
    for phrase in pq.phrases:
        words = _words(phrase)
        folded = [fold(w) for w in words]
        options = [Q.Phrase("body", folded), Q.Phrase("title", folded, boost=3.0), Q.Phrase("subject", folded, boost=2.0)]
        if pq.accented:
            options.append(Q.Phrase("body_exact", words, boost=2.0))
        must.append(Q.Or(options))
    if pq.number:
        # the document with that number first, then those that cite it
        must.append(Q.Or([Q.Term("number_key", pq.number, boost=10.0), Q.Term("body", pq.number)]))
    if pq.code_number:
        must.append(Q.Term("code_number", pq.code_number.lstrip("0") or "0"))
    if pq.type_name:
        must.append(Q.Or([Q.Term("type_key", type_key(pq.type_name)),
                          Q.Phrase("title", [fold(w) for w in _words(pq.type_name)])]))
    if pq.organ:
        must.append(Q.Phrase("organ", [fold(w) for w in _words(pq.organ)]))
    if pq.year:
        year_q = Q.NumericRange("year", pq.year, pq.year)
        must.append(year_q if pq.year_required else Q.Or([year_q, Q.Term("body", str(pq.year))]))
    if pq.date_from or pq.date_to:
        must.append(Q.TermRange("issued_date", pq.date_from, pq.date_to))
    if pq.kind:
        must.append(Q.Term("kind", pq.kind))
    if not must:
        return Q.Every()
    if loose and len(pq.terms) > 1:
        # nothing has every word: rank by how many words match
        fixed = must[len(pq.terms):]
        return Q.And([Q.Or(must[: len(pq.terms)])] + fixed) if fixed else Q.Or(must[: len(pq.terms)])
    query = Q.And(must) if len(must) > 1 else must[0]
    # Optional boosts, read only for documents the query matched: a document
    # ranks a little above its attachments and registry entries, and the words
    # next to each other rank higher (the query itself is evaluated once).
    boosts: list[Q.Query] = [Q.Term("kind", "van_ban", boost=2.0)]
    if len(pq.terms) > 1:
        words = [fold(t) for t in pq.terms]
        boosts += [Q.Phrase("title", words, boost=4.0), Q.Phrase("body", words, boost=2.0)]
    return Q.AndMaybe(query, Q.Or(boosts))


@dataclass
class Results:
    total: int
    hits: list[dict]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    page: int = 1
    page_size: int = 10
    loose: bool = False
    query: dict = field(default_factory=dict)


def open_index(index_dir: Path):
    if not windex.exists_in(str(index_dir)):
        raise FileNotFoundError(f"no search index in {index_dir}: run `python scripts/kb.py build`")
    return windex.open_dir(str(index_dir))


def search(ix, q: str, *, type_name: str | None = None, year: int | None = None, organ: str | None = None,
           page: int = 1, page_size: int = 10, sort: str = "relevance", highlight: bool = True,
           searcher=None) -> Results:
    """Run a query; `searcher` (an open Whoosh searcher) saves opening one per query."""
    pq = parse_query(" ".join(x for x in [q or "",
                                          f'loai:"{type_name}"' if type_name else "",
                                          f"nam:{year}" if year else "",
                                          f'co_quan:"{organ}"' if organ else ""] if x))
    if page < 1 or page_size < 1:
        raise QueryError("trang và cỡ trang phải là số dương")
    page_size = min(page_size, PAGE_SIZE_MAX)
    facets = sorting.Facets()
    facets.add_field("type")
    facets.add_field("year")
    facets.add_field("organ_facet")
    from contextlib import nullcontext
    with (nullcontext(searcher) if searcher is not None else ix.searcher()) as s:
        kwargs = {"groupedby": facets, "maptype": sorting.Count}
        if sort == "date":
            kwargs.update(sortedby="issued_date", reverse=True)
        loose = False
        r = s.search_page(build_query(pq), page, pagelen=page_size, **kwargs)
        if r.total == 0 and len(pq.terms) > 1:
            loose = True
            r = s.search_page(build_query(pq, loose=True), page, pagelen=page_size, **kwargs)
        r.results.fragmenter = ContextFragmenter(maxchars=220, surround=60)
        r.results.formatter = HtmlFormatter(tagname="mark", between=" … ")
        hits = []
        for hit in r:
            item = {k: hit.get(k) for k in ("id", "kind", "url", "title", "number", "type", "organ", "year",
                                            "issued_date", "subject", "attachment_kind", "parent")}
            item["score"] = round(hit.score, 4) if sort != "date" and isinstance(hit.score, float) else None
            if highlight:
                item["snippet"] = _snippet(hit, pq)
            hits.append(item)
        groups = {name: {str(k): v for k, v in r.results.groups(name).items() if k not in (None, "")}
                  for name in ("type", "year", "organ_facet")}
        suggestion = _suggest(s, pq) if r.total == 0 or loose else None
        return Results(total=r.total, hits=hits, facets={"type": groups["type"], "year": groups["year"],
                                                         "organ": groups["organ_facet"]},
                       suggestion=suggestion, page=page, page_size=page_size, loose=loose,
                       query={"terms": pq.terms, "number": pq.number, "type": pq.type_name,
                              "code_number": pq.code_number, "year": pq.year})


SNIPPET_WINDOW = 4000     # characters of a long body around the first match that the highlighter reads


def _window(text: str, pq: ParsedQuery) -> str:
    """The part of a long text around the first word of the query it holds:
    highlighting tokenizes the text it gets, and bodies run to tens of KB."""
    if len(text) <= 2 * SNIPPET_WINDOW:
        return text
    folded = fold(text)
    if len(folded) != len(text):          # a character folded to two: no safe offsets
        return text
    words = [fold(w) for w in pq.terms] + [fold(w) for p in pq.phrases for w in _words(p)]
    hits = [m.start() for w in words if w for m in [re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", folded)] if m]
    at = min(hits) if hits else 0
    start = max(0, at - SNIPPET_WINDOW // 4)
    return text[start:start + SNIPPET_WINDOW]


def _snippet(hit, pq: ParsedQuery) -> str:
    """Up to two highlighted fragments of the first field that has a match."""
    for f in ("body", "subject", "title"):
        text = hit.get(f)
        if not text:
            continue
        fragments = hit.highlights(f, text=_window(text, pq), top=2)
        if fragments:
            return fragments
    return ""


def _suggest(searcher, pq: ParsedQuery) -> str | None:
    """'Did you mean': each word missing from the index replaced by its nearest one."""
    if not pq.terms:
        return None
    corrector = searcher.corrector("body")
    changed = False
    words = []
    for term in pq.terms:
        f = fold(term)
        if searcher.doc_frequency("body", f) == 0:
            options = corrector.suggest(f, limit=1, maxdist=2)
            if options:
                words.append(options[0])
                changed = True
                continue
        words.append(term)
    return " ".join(words) if changed else None


def get_document(ix, doc_id: str) -> dict | None:
    with ix.searcher() as s:
        fields = s.document(id=doc_id)
    if not fields:
        return None
    fields.pop("content_hash", None)
    return fields
