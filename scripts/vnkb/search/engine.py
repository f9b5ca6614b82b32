"""The archive's authoritative search: a Whoosh index in index/.

Whoosh stays behind this one module (build_index, search, get_document) so the
engine can be swapped. Package: whoosh-reloaded 2.7.5 (same `whoosh` import
name and index format as Whoosh 2.7.4, which raises SyntaxError under -W error
on Python 3.11+ once its bytecode is recompiled).

Each text is indexed twice: folded (no diacritics, đ→d) so "binh dang gioi"
finds "bình đẳng giới", and accented (lower case only) so an accented query
ranks exact-accent matches first ("bàn" above "bản").

Queries are fast on large archives because per-posting work stays small in
pure Python: the body's words and the adjacent word pairs of title and body
have positionless fields (their posting blocks decode several times faster
than positional ones, and a pair term stands in for a two-word phrase); the
matching set is built by set operations on whole posting lists; scores are
summed a posting block at a time (_blocks reads Whoosh 2.7's decoded blocks);
facets count cached sortable columns.

The index is built in a temporary folder next to index/ and swapped in whole;
an existing index with the same schema version is copied there first and
only documents whose content changed are re-indexed (update by id).
"""
from __future__ import annotations

import gc
import hashlib
import heapq
import json
import multiprocessing as mp
import pickle
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from functools import lru_cache
from pathlib import Path

from whoosh import index as windex
from whoosh import query as Q
from whoosh import searching
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, ShingleFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer
from whoosh.writing import PostingPool, SegmentWriter
from whoosh.highlight import ContextFragmenter, HtmlFormatter

from ..forked import processes
from ..swap import swap_in, temp_for
from ..vntext import fold
from .query import ParsedQuery, QueryError, has_marks, parse_query, type_key

SCHEMA_VERSION = "5"
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


def pair_analyzer():
    """Folded words two by two ("ke hoach"): adjacency without positions."""
    return folded_analyzer() | ShingleFilter(2, " ")    # (BiWordFilter fails on a text without words)


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        url=STORED,
        title=TEXT(stored=True, analyzer=folded_analyzer(), field_boost=3.0),
        title_exact=TEXT(analyzer=accent_analyzer(), field_boost=3.0, phrase=False),
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
        body_exact=TEXT(analyzer=accent_analyzer(), phrase=False),
        # Positionless (postings without positions read several times faster), for
        # matching and scoring: the body's words, and the title's adjacent word
        # pairs ("words next to each other"). Not the body's pairs: every distinct
        # pair is a term, and they doubled the time to build the index.
        body_words=TEXT(analyzer=folded_analyzer(), phrase=False),
        title_pairs=TEXT(analyzer=pair_analyzer(), phrase=False),
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
    doc["body_words"] = rec.get("body", "")
    doc["title_pairs"] = rec.get("title", "")
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


def build_index(index_dir: Path, recs: list[dict], procs: int = 0) -> IndexStats:
    """Bring index_dir up to date with recs, atomically (temp folder + swap).

    A new index is written by `procs` processes (0: one per core, at most 2);
    an existing one is updated in place by one writer (few documents change)."""
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
    wanted = {r["id"]: r for r in recs}
    try:
        if reuse:
            _update(ix, wanted, stats)
        else:
            _commit_segments(ix, _parallel_segments(ix, [_fields(wanted[rid]) for rid in sorted(wanted)], procs))
            stats.added = len(wanted)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / "SCHEMA_VERSION").write_text(SCHEMA_VERSION + "\n")
    swap_in(tmp, index_dir)
    return stats


def _update(ix, wanted: dict[str, dict], stats: IndexStats) -> None:
    """Bring an existing index to the records of `wanted` by one writer: a
    record whose content hash it already holds is left as it is."""
    with ix.searcher() as s:
        existing = {fields["id"]: fields.get("content_hash", "") for fields in s.all_stored_fields()}
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
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


SEGMENT_LIMIT_MB = 512      # a segment writer's posting buffer before it spills sorted runs to disk


def _parallel_segments(ix, docs: list[dict], procs: int) -> list:
    """Index docs (in id order) as one segment per process, forked, each over a
    contiguous run of them: Whoosh analyses and sorts postings in pure Python,
    so one writer uses one core. The segments are listed in run order, so the
    document numbers (which break ties between equal scores) are those a
    single writer gives; scores are the same too (a searcher reads term and
    length statistics across its segments)."""
    procs = max(1, min(processes(procs), len(docs)))
    if procs == 1:
        return [_segment(ix, docs)]
    ctx = mp.get_context("fork")
    jobs = []
    # the children's garbage collector leaves the parent's objects alone (walking
    # them would copy every page they share with it)
    gc.freeze()
    try:
        for run in _runs(docs, procs):
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_segment_worker, args=(ix, run, child), daemon=True)
            proc.start()
            child.close()
            jobs.append((proc, parent))
    finally:
        gc.unfreeze()
    segments, errors = [], []
    for proc, conn in jobs:
        try:
            status, value = conn.recv()
        except EOFError:
            status, value = "error", None
        proc.join()
        if value is None:
            value = f"an index writer process died (exit code {proc.exitcode})"
        (segments if status == "ok" else errors).append(value)
    if errors:
        raise RuntimeError("; ".join(errors))
    return segments


def _runs(docs: list[dict], n: int) -> list[list[dict]]:
    """docs cut into n contiguous runs of about the same amount of text (the
    work of indexing; documents run from a line to hundreds of pages)."""
    sizes = [len(d.get("body", "")) + len(d.get("title", "")) + len(d.get("subject", "")) + 200 for d in docs]
    total, runs, start, acc = sum(sizes), [], 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if len(runs) < n - 1 and acc * n >= total * (len(runs) + 1):
            runs.append(docs[start:i + 1])
            start = i + 1
    runs.append(docs[start:])
    return [run for run in runs if run]


class _BlockPool(PostingPool):
    """Whoosh's posting pool, spilling its sorted runs in blocks: the stock
    pool pickles every posting on its own to disk and back (a 5,000-document
    segment holds some ten million), which cost more than the indexing."""
    BLOCK = 1 << 16

    def _write_run(self, f, items):
        items = iter(items)
        while block := list(islice(items, self.BLOCK)):
            pickle.dump(block, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    block = pickle.load(f)
                except EOFError:
                    return
                yield from block
        finally:
            f.close()
            self._remove_run(path)


def _segment(ix, docs: list[dict]):
    """docs written as one new, finished segment of ix (not yet listed in its TOC)."""
    writer = SegmentWriter(ix, _lk=False, limitmb=SEGMENT_LIMIT_MB)
    writer.pool = _BlockPool(writer._tempstorage, writer.newsegment, limitmb=SEGMENT_LIMIT_MB)
    for doc in docs:
        writer.add_document(**doc)
    return writer._finalize_segment()


def _segment_worker(ix, docs: list[dict], conn) -> None:
    try:
        conn.send(("ok", _segment(ix, docs)))
    except BaseException as exc:       # reported by the parent, which cancels the build of the index
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _commit_segments(ix, segments: list) -> None:
    """List the segments in a new TOC of ix (Whoosh's multi-process writer
    does the same with its sub-writers' segments)."""
    writer = ix.writer()
    try:
        writer._close_segment()         # its own segment stays empty
        writer._commit_toc(segments)
    finally:
        writer._finish()


# --- queries ---------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(TOKEN, text.lower())


def _word(term: str, accented: bool, ranked: bool = True) -> Q.Query:
    """One query word, in any text field, each with its weight; the body's
    words read from `body_words` (no positions to read). The accented fields
    only rank: they hold no document the folded ones miss."""
    f = fold(term)
    options = [Q.Term("title", f, boost=3.0), Q.Term("subject", f, boost=2.0), Q.Term("body_words", f),
               Q.Term("organ", f, boost=1.5), Q.Term("signer", f)]
    if accented and ranked:
        options += [Q.Term("title_exact", term, boost=4.0), Q.Term("body_exact", term, boost=2.0)]
    return Q.Or(options)


PAIRS = {"title": "title_pairs"}


def _phrase(fieldname: str, words: list[str], boost: float = 1.0) -> Q.Query:
    """The folded words next to each other in a field: two words are one term
    of its pairs field (the same documents, no positions to read)."""
    if len(words) == 2 and fieldname in PAIRS:
        return Q.Term(PAIRS[fieldname], " ".join(words), boost=boost)
    return Q.Phrase(fieldname, words, boost=boost)


def _near(fieldname: str, words: list[str], boost: float) -> Q.Query:
    """Every adjacent pair of the words in the field: a positionless stand-in
    for the phrase (the same for two words), for ranking only; the boost is
    shared among the pairs, so that long queries are not boosted more."""
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:])]
    return Q.And([Q.Term(PAIRS[fieldname], pair) for pair in pairs], boost=boost / len(pairs))


def _conditions(pq: ParsedQuery) -> list[Q.Query]:
    """What a document must match besides the free words."""
    must: list[Q.Query] = []
    for phrase in pq.phrases:
        folded = [fold(w) for w in _words(phrase)]
        must.append(Q.Or([_phrase("body", folded), _phrase("title", folded, boost=3.0),
                          Q.Phrase("subject", folded, boost=2.0)]))
    if pq.number:
        # the document with that number first, then those that cite it
        must.append(Q.Or([Q.Term("number_key", pq.number, boost=10.0), Q.Term("body", pq.number)]))
    if pq.code_number:
        must.append(Q.Term("code_number", pq.code_number.lstrip("0") or "0"))
    if pq.type_name:
        must.append(Q.Or([Q.Term("type_key", type_key(pq.type_name)),
                          _phrase("title", [fold(w) for w in _words(pq.type_name)])]))
    if pq.organ:
        must.append(Q.Phrase("organ", [fold(w) for w in _words(pq.organ)]))
    if pq.year:
        year_q = Q.NumericRange("year", pq.year, pq.year)
        must.append(year_q if pq.year_required else Q.Or([year_q, Q.Term("body", str(pq.year))]))
    if pq.date_from or pq.date_to:
        must.append(Q.TermRange("issued_date", pq.date_from, pq.date_to))
    if pq.kind:
        must.append(Q.Term("kind", pq.kind))
    return must


def _boosts(pq: ParsedQuery) -> list[Q.Query]:
    """Optional boosts, read only for documents the query matched: a document
    ranks a little above its attachments and registry entries, the words next
    to each other rank higher, and so do a phrase's exact accents."""
    boosts: list[Q.Query] = [Q.Term("kind", "van_ban", boost=2.0)]
    if len(pq.terms) > 1:
        words = [fold(t) for t in pq.terms]
        boosts.append(_near("title", words, boost=4.0))
    for phrase in pq.phrases:
        words = _words(phrase)
        if has_marks(phrase) and words:
            boosts.append(Q.And([Q.Term("body_exact", w) for w in words], boost=2.0))
    return boosts


def build_query(pq: ParsedQuery, loose: bool = False, *, ranked: bool = True) -> Q.Query:
    """The query for pq; ranked=False: without the optional boosts (the same documents)."""
    words = [_word(t, pq.accented, ranked) for t in pq.terms]
    fixed = _conditions(pq)
    if not words and not fixed:
        return Q.Every()
    if loose and len(words) > 1:
        # nothing has every word: rank by how many words match
        return Q.And([Q.Or(words)] + fixed) if fixed else Q.Or(words)
    must = words + fixed
    query = Q.And(must) if len(must) > 1 else must[0]
    return Q.AndMaybe(query, Q.Or(_boosts(pq))) if ranked else query


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
    """Run a query; `searcher` (an open Whoosh searcher) saves opening one per query.

    The matching documents are found once, unscored (set algebra, below): they
    give the exact total and facet counts. They are then scored a posting list
    at a time (BM25F, the sums of Whoosh's matchers) or sorted by date, and only
    the requested page is read and highlighted."""
    pq = parse_query(" ".join(x for x in [q or "",
                                          f'loai:"{type_name}"' if type_name else "",
                                          f"nam:{year}" if year else "",
                                          f'co_quan:"{organ}"' if organ else ""] if x))
    if page < 1 or page_size < 1:
        raise QueryError("trang và cỡ trang phải là số dương")
    page_size = min(page_size, PAGE_SIZE_MAX)
    from contextlib import nullcontext
    with (nullcontext(searcher) if searcher is not None else ix.searcher()) as s:
        loose = False
        docs = _docset(s, build_query(pq, ranked=False))
        if not docs and len(pq.terms) > 1:
            loose = True
            docs = _docset(s, build_query(pq, loose=True, ranked=False))
        first, last = (page - 1) * page_size, page * page_size
        if sort == "date":
            dates = _column(s, "issued_date")
            # newest first; the same date in index order
            top = [(None, d) for d in sorted(docs, key=lambda d: (dates[d] or "", -d), reverse=True)[:last]]
        else:
            top = _rank(s, build_query(pq, loose), docs, last)
        page_hits = _hits(s, pq, top[first:last], first)
        hits = []
        for hit in page_hits:
            item = {k: hit.get(k) for k in ("id", "kind", "url", "title", "number", "type", "organ", "year",
                                            "issued_date", "subject", "attachment_kind", "parent")}
            item["score"] = round(hit.score, 4) if isinstance(hit.score, float) else None
            if highlight:
                item["snippet"] = _snippet(hit, pq)
            hits.append(item)
        suggestion = _suggest(s, pq) if not docs or loose else None
        return Results(total=len(docs), hits=hits, facets=_facets(s, docs),
                       suggestion=suggestion, page=page, page_size=page_size, loose=loose,
                       query={"terms": pq.terms, "number": pq.number, "type": pq.type_name,
                              "code_number": pq.code_number, "year": pq.year})


def _docset(searcher, q: Q.Query) -> set[int]:
    """The documents q matches, unscored: And/Or as set operations over whole
    posting lists (run in C) instead of stepping a matcher tree document by
    document in Python; any other query through Whoosh's docs_for_query."""
    if isinstance(q, Q.And):
        result = None
        for sub in sorted(q.subqueries, key=lambda sub: sub.estimate_size(searcher.reader())):
            found = _docset(searcher, sub)
            result = found if result is None else result & found
            if not result:
                break
        return result or set()
    if isinstance(q, Q.Or):
        return set().union(*(_docset(searcher, sub) for sub in q.subqueries))
    if isinstance(q, Q.Term):
        return _term_docs(searcher, q)
    return set(searcher.docs_for_query(q))


def _term_docs(searcher, q: Q.Term) -> set[int]:
    """The documents that have a term, a posting block at a time."""
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        text = leaf.schema[q.fieldname].to_bytes(q.text)
        if (q.fieldname, text) not in reader:
            continue
        docs: set[int] = set()
        for ids, _weights in _blocks(_unfiltered(reader.postings(q.fieldname, text))):
            docs.update(ids)
        if reader.has_deletions():
            docs -= _deleted(reader)
        found.update((d + offset for d in docs) if offset else docs)
    return found


def _deleted(reader) -> set[int]:
    """A segment's deleted documents (cached: a segment only gains deletions,
    so their count tells its set)."""
    segment = reader.segment()
    return _segment_cached(reader, f"deleted:{segment.deleted_count()}",
                           lambda r: {d for d in range(r.doc_count_all()) if r.is_deleted(d)})


def _rank(searcher, q: Q.Query, docs: set[int], limit: int) -> list[tuple[float, int]]:
    """The `limit` best of docs as (score, docnum), best first; equal scores in index order."""
    scores = _scores(searcher, q, docs)
    best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
    return [(score, docnum) for docnum, score in best]


def _scores(searcher, q: Q.Query, docs: set[int]) -> dict[int, float]:
    """Whoosh's score of each document of docs that q matches, computed a whole
    posting list at a time: the same sums as its matcher tree (Or and And add
    their parts, AndMaybe adds b where it matches), without stepping every
    matcher of the tree for every document."""
    if isinstance(q, Q.Term):
        return _term_scores(searcher, q, docs)
    if isinstance(q, Q.AndMaybe):
        scores = _scores(searcher, q.a, docs)
        for docnum, score in _scores(searcher, q.b, docs).items():
            if docnum in scores:
                scores[docnum] += score
        return _boosted(scores, q.boost)
    if isinstance(q, (Q.And, Q.Or)):
        parts = [_scores(searcher, sub, docs) for sub in q.subqueries]
        scores: dict[int, float] = {}
        for part in parts:
            for docnum, score in part.items():
                scores[docnum] = scores.get(docnum, 0.0) + score
        if isinstance(q, Q.And):
            common = set(parts[0]).intersection(*parts[1:])
            if len(common) < len(scores):
                scores = {d: scores[d] for d in common}
        return _boosted(scores, q.boost)
    # anything else (phrases, ranges): its own matcher, document by document
    scores = {}
    for leaf, offset in searcher.leaf_searchers():
        m = q.matcher(leaf, leaf.context())
        while m.is_active():
            if m.id() + offset in docs:
                scores[m.id() + offset] = m.score()
            m.next()
    return scores


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    return scores if boost == 1.0 else {d: v * boost for d, v in scores.items()}


def _term_scores(searcher, q: Q.Term, docs: set[int]) -> dict[int, float]:
    """BM25F of one term (times its boost) for the documents of docs that have it."""
    scores: dict[int, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        fieldobj = leaf.schema[q.fieldname]
        text = fieldobj.to_bytes(q.text)
        if (q.fieldname, text) not in leaf.reader():
            continue
        m = _unfiltered(leaf.postings(q.fieldname, text))
        boost, scorer = q.boost, m.scorer
        if isinstance(scorer, BM25FScorer):
            # whoosh.scoring.bm25 written out (the same operations, so the same
            # floats): a common word has a posting in most documents, and two
            # calls per posting were half of a query's time
            lengths = _lengths(leaf, q.fieldname)
            idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            for ids, weights in _blocks(m):
                for docnum, tf in zip(ids, weights):
                    if docnum + offset in docs:
                        scores[docnum + offset] = boost * (
                            idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[docnum] / avgfl))))
            continue
        if isinstance(scorer, WeightLengthScorer):
            score, lengths = scorer._score, _lengths(leaf, q.fieldname)
        else:
            score, lengths = (lambda weight, length: weight), None
        for ids, weights in _blocks(m):
            for docnum, weight in zip(ids, weights):
                if docnum + offset in docs:
                    scores[docnum + offset] = boost * score(weight, lengths[docnum] if lengths else 1)
    return scores


def _unfiltered(m):
    """A term's postings without the filter of the segment's deleted documents:
    scoring only reads documents of a match set, which holds none of them."""
    return m.child if isinstance(m, FilterMatcher) else m


def _blocks(m):
    """A term's postings as (docnums, weights) blocks. Whoosh 2.7's on-disk
    matcher hands over each decoded block whole (a block's arrays instead of
    three method calls per posting); any other matcher one posting at a time."""
    if isinstance(m, W3LeafMatcher):
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            yield m._ids, m._weights
            m._next_block()
        return
    while m.is_active():
        yield (m.id(),), (m.weight(),)
        m.next()


_cache: dict[tuple, object] = {}


def _segment_cached(reader, name: str, read):
    """read(reader) cached per segment (a segment never changes; its deleted
    documents are in no match set); bounded: cleared when it grows large."""
    key = (reader.segment().segment_id(), name)
    if key not in _cache:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = read(reader)
    return _cache[key]


def _lengths(leaf, fieldname: str) -> list:
    """Each document's length of the field, as Whoosh's scorers read it."""
    return _segment_cached(leaf.reader(), "length:" + fieldname,
                           lambda r: [r.doc_field_length(d, fieldname, 1) for d in range(r.doc_count_all())])


FACETS = {"type": "type", "year": "year", "organ": "organ_facet"}    # facet -> sortable field


def _column(searcher, fieldname: str) -> list:
    """A sortable field's value for every document number."""
    values: list = []
    for leaf, _offset in searcher.leaf_searchers():
        values += _segment_cached(leaf.reader(), "column:" + fieldname,
                                  lambda r: list(r.column_reader(fieldname, translate=True)))
    return values


def _facets(searcher, docs: set[int]) -> dict[str, dict[str, int]]:
    """Exact counts per type, year and organ over every matching document."""
    out = {}
    for name, fieldname in FACETS.items():
        counts = Counter(map(_column(searcher, fieldname).__getitem__, docs))
        out[name] = {str(k): n for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
                     if k not in (None, "")}
    return out


def _hits(searcher, pq: ParsedQuery, top: list, first: int) -> list:
    """Whoosh hits for (score, docnum) pairs; their highlights mark the query's
    words in body, subject and title."""
    results = searching.Results(searcher, _marked(pq), top)
    results.fragmenter = ContextFragmenter(maxchars=220, surround=60)
    results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    return [searching.Hit(results, docnum, first + i, score) for i, (score, docnum) in enumerate(top)]


def _marked(pq: ParsedQuery) -> Q.Query:
    """The terms a snippet marks (a query only read for its terms)."""
    words = [fold(t) for t in pq.terms] + [fold(w) for p in pq.phrases for w in _words(p)]
    terms = [Q.Term(f, w) for f in ("body", "subject", "title") for w in words]
    terms += [Q.Term("title", fold(w)) for w in _words(pq.type_name or "")]
    if pq.number:
        terms.append(Q.Term("body", pq.number))
    if pq.year and not pq.year_required:
        terms.append(Q.Term("body", str(pq.year)))
    return Q.Or(terms)


SNIPPET_WINDOW = 4000     # characters of a long body around the first match that the highlighter reads


def _window(text: str, pq: ParsedQuery) -> str:
    """The part of a long text around the first word of the query it holds:
    highlighting tokenizes the text it gets, and bodies run to tens of KB."""
    if len(text) <= 2 * SNIPPET_WINDOW:
        return text
    words = [fold(w) for w in pq.terms] + [fold(w) for p in pq.phrases for w in _words(p)]
    at = _first_match(text, [w for w in words if w])
    if at is None:                        # a character folded to two: no safe offsets
        return text
    start = max(0, at - SNIPPET_WINDOW // 4)
    return text[start:start + SNIPPET_WINDOW]


def _first_match(text: str, words: list[str]) -> int | None:
    """Where the first of the folded words starts in text (0: none does),
    folding a chunk at a time: matches are mostly near the start, and folding
    a whole long body costs more than highlighting it."""
    if not words:
        return 0
    rx = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    step = 2 * SNIPPET_WINDOW
    for start in range(0, len(text), step):
        lead = 1 if start else 0          # the character before, for the lookbehind
        chunk = text[start - lead:start + step + 64]    # + 64: a word across the chunk's end
        folded = fold(chunk)
        if len(folded) != len(chunk):
            return None
        m = rx.search(folded, lead)
        if m:
            return start - lead + m.start()
    return 0


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
