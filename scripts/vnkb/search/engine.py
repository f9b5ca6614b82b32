"""The archive's authoritative search: a Whoosh index in index/.

Whoosh stays behind this one module (build_index, search, get_document) so the
engine can be swapped. Package: whoosh-reloaded 2.7.5 (same `whoosh` import
name and index format as Whoosh 2.7.4, which raises SyntaxError under -W error
on Python 3.11+ once its bytecode is recompiled).

Each text is indexed twice: folded (no diacritics, đ→d) so "binh dang gioi"
finds "bình đẳng giới", and accented (lower case only) so an accented query
ranks exact-accent matches first ("bàn" above "bản").

Queries are fast on large archives because no work is done per posting in
Python: the body's words and the adjacent word pairs of the title have
positionless fields (their posting blocks decode several times faster than
positional ones, and a pair term stands in for a two-word phrase); posting
blocks are large and hold packed arrays (_Codec); each term's postings are
decoded once per query into numpy arrays, the matching set is built by
boolean array operations and BM25F summed over whole arrays (Whoosh's
arithmetic, so its scores); facets count cached sortable columns; a snippet
highlights only the stretch of a long body where the query's words are.

The index is built in a temporary folder next to index/ and swapped in whole;
an existing index with the same schema version is copied there first and
only documents whose content changed are re-indexed (update by id).
"""
from __future__ import annotations

import copy
import json
import multiprocessing as mp
import os
import pickle
import re
import shutil
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as Q
from whoosh import searching
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, ShingleFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.util.numlists import delta_encode
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer
from whoosh.writing import PostingPool, SegmentWriter
from whoosh.highlight import ContextFragmenter, HtmlFormatter

from ..cache import value_digest
from ..forked import frozen, processes
from ..swap import swap_in, temp_for
from ..vntext import fold
from .query import ParsedQuery, QueryError, has_marks, parse_query, type_key

SCHEMA_VERSION = "7"     # (also: a change of what content_hash digests)
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


# --- indexing: the same words in one pass ------------------------------------------
#
# Whoosh passes every word of every field through a chain of generators
# (tokenizer, lower case, fold: a Token object's attributes set and read at
# each step), which was most of the time to build the index. The segment
# writers use a copy of the schema whose formats list the words of a field
# analysed by folded_analyzer or accent_analyzer in one pass: the same regex
# matches, lower-cased and folded one by one as those filters do, so the same
# terms, frequencies, weights and positions (tests/test_search.py compares
# them). The index's own schema (in its table of contents) is untouched.

@lru_cache(maxsize=200_000)
def _folded_word(word: str) -> str:
    """A token as folded_analyzer leaves it: lower case, then folded."""
    return _fold_token(word.lower())


def _folded_words(text: str) -> list[str]:
    return [_folded_word(w) for w in _TOKEN_RE.findall(text)]


def _accented_words(text: str) -> list[str]:
    return [w.lower() for w in _TOKEN_RE.findall(text)]


_TOKEN_RE = re.compile(TOKEN)


class _OnePass:
    """A format's word_values with the words of a text listed by `words`
    (other values go through the format's own analysis)."""

    def __init__(self, words, field_boost: float = 1.0, **options):
        super().__init__(field_boost=field_boost, **options)
        self.words = words

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        return self.values_of(self.words(value))


class _PositionsOnePass(_OnePass, Positions):
    def values_of(self, words: list[str]):
        poses: dict[str, list[int]] = defaultdict(list)
        for pos, word in enumerate(words):
            poses[word].append(pos)
        fb = self.field_boost
        # a word's weight: Whoosh sums a boost of 1.0 per occurrence
        return ((w, len(p), float(len(p)) * fb, self.encode(p)) for w, p in poses.items())


class _FrequencyOnePass(_OnePass, Frequency):
    def values_of(self, words: list[str]):
        fb = self.field_boost
        return ((w, n, float(n) * fb, pack_uint(n)) for w, n in Counter(words).items())


def _one_pass_words(analyzer):
    """The one-pass word lister of an analyzer this module builds (None for others)."""
    parts = [type(x) for x in getattr(analyzer, "items", ())]
    tokenizer = analyzer.items[0] if parts else None
    if not parts or parts[0] is not RegexTokenizer or tokenizer.gaps or tokenizer.expression.pattern != TOKEN:
        return None
    if parts[1:] == [LowercaseFilter, FoldFilter]:
        return _folded_words
    if parts[1:] == [LowercaseFilter]:
        return _accented_words
    return None


def _indexing_schema(schema: Schema) -> Schema:
    """A copy of schema for a segment writer: one-pass formats where they apply."""
    fast = copy.deepcopy(schema)
    for name in fast.names():
        field = fast[name]
        words = _one_pass_words(getattr(field, "analyzer", None))
        fmt = getattr(field, "format", None)
        if words is None or type(fmt) not in (Positions, Frequency):
            continue
        one_pass = _PositionsOnePass if type(fmt) is Positions else _FrequencyOnePass
        field.format = one_pass(words, fmt.field_boost, **fmt.options)
    return fast


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
    return [r for p in placed for r in _document_records(p)] + [_entry_record(eid, e) for eid, e in entries.items()]


@dataclass
class Group:
    """Records made from the same inputs (a document and its attachments, an
    entry): key digests those inputs, so a group the index holds under its key
    is not made again (a build passes its documents' model keys)."""
    key: str
    ids: list[str]
    make: Callable[[], list[dict]]


def record_groups(placed: list, entries: dict, keys: dict[str, str]) -> list[Group]:
    """records() as groups: a document's under keys[its id] (a build's model
    keys, which digest all its records are made from; without one, under its
    records' hash); an entry's under its record's hash (an entry's record
    changes with few of its many inputs)."""
    groups = []
    for p in placed:
        if p.id in keys:
            groups.append(Group(keys[p.id], [p.id] + [f"{p.id}#{i}" for i in range(len(p.doc.attachments))],
                                partial(_document_records, p)))
        else:
            recs = _document_records(p)
            groups.append(Group(_hash(recs), [r["id"] for r in recs], partial(list, recs)))
    return groups + [_group(_entry_record(eid, e)) for eid, e in entries.items()]


def _group(rec: dict) -> Group:
    return Group(_hash(rec), [rec["id"]], partial(list, (rec,)))


def _url(page: str) -> str:
    return "/" + page[: -len("index.md")] if page.endswith("index.md") else "/" + page[:-3] + "/"


def _document_records(p) -> list[dict]:
    """A document's record, then one per attachment."""
    d = p.doc
    base = {"number": d.number or "", "number_key": fold(d.number or "").replace(" ", ""),
            "code_number": (d.code_number or "").lstrip("0") or "", "organ": d.organ_name or "",
            "organ_facet": d.organ_name or "", "year": d.year, "issued_date": d.issued_date or "",
            "signer": d.signer_info.full_name or ""}
    body = "\n".join(d.body + d.to + d.distribution)
    out = [dict(base, id=p.id, kind="van_ban", url=_url(p.page), title=d.title or "",
                type=d.type_name or "", subject=d.subject or "", body=body,
                cites=",".join(sorted({c.target for c in d.citations if c.target})),
                attachment_kind="", parent="")]
    for i, a in enumerate(d.attachments):
        out.append(dict(base, id=f"{p.id}#{i}", kind="dinh_kem", url=_url(p.attachment_page(i)),
                        title=f"{a.label}: {a.title}", type=re.sub(r"\s+[IVXLC\d]+$", "", a.label),
                        subject=a.title, body="\n".join(a.lines), cites="", attachment_kind=a.kind,
                        parent=p.id, number=""))
    return out


def _entry_record(eid: str, e) -> dict:
    from ..render import target_page
    return {"id": eid, "kind": "dan_chieu", "url": _url(target_page(eid)), "title": e.label,
            "number": e.number or "", "number_key": fold(e.number or "").replace(" ", ""),
            "code_number": (e.number or "").split("/")[0].split("-")[0].lstrip("0"),
            "type": e.type_name or "", "organ": e.issuer or "", "organ_facet": e.issuer or "",
            "year": e.year, "issued_date": e.issued_date or "", "subject": e.subject or e.name or "",
            "body": "\n".join(m.citation.sentence for m in e.mentions), "signer": "", "cites": "",
            "attachment_kind": "", "parent": ""}


def _hash(recs: dict | list[dict]) -> str:
    """A digest of records by value (4x faster than JSON)."""
    return value_digest([sorted(r.items()) for r in (recs if isinstance(recs, list) else [recs])])


def _fields(rec: dict, content_hash: str) -> dict:
    doc = {k: v for k, v in rec.items() if v not in (None, "")}
    doc["type_key"] = type_key(rec["type"]) if rec.get("type") else None
    doc["title_exact"] = rec.get("title", "")
    doc["body_exact"] = rec.get("body", "")
    doc["body_words"] = rec.get("body", "")
    doc["title_pairs"] = rec.get("title", "")
    doc["content_hash"] = content_hash
    if rec.get("year") is None:
        doc.pop("year", None)
    return {k: v for k, v in doc.items() if v is not None}


@dataclass
class IndexStats:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


# An update rewrites changed records one by one through Whoosh's analyzers;
# past this many (a code change keys every page anew), a new index written in
# parallel is faster.
UPDATE_MAX = 500


def build_index(index_dir: Path, recs: list[dict] | list[Group], procs: int = 0) -> IndexStats:
    """Bring index_dir up to date with recs (records, or groups of them),
    atomically (temp folder + swap).

    A new index is written by `procs` processes (0: one per core, at most 2);
    an existing one is updated in place by one writer when few records change."""
    groups = [g if isinstance(g, Group) else _group(g) for g in recs]
    stats = IndexStats()
    tmp = temp_for(index_dir)
    existing = _held(index_dir)
    if existing is not None:
        changed = sum(len(g.ids) for g in groups if any(existing.get(i) != g.key for i in g.ids))
        if changed > max(UPDATE_MAX, len(existing) // 4):
            existing = None
    if existing is not None:
        shutil.copytree(index_dir, tmp, copy_function=_link_segment)
        (tmp / "MAIN_WRITELOCK").unlink(missing_ok=True)   # a lock left by a killed build
        ix = windex.open_dir(str(tmp))
    else:
        tmp.mkdir(parents=True)
        ix = windex.create_in(str(tmp), schema())
    try:
        if existing is not None:
            hashes = _update(ix, groups, existing, stats)
        else:
            docs = sorted((_fields(r, g.key) for g in groups for r in _made(g)), key=lambda d: d["id"])
            hashes = {d["id"]: d["content_hash"] for d in docs}
            _commit_segments(ix, _parallel_segments(ix, docs, procs))
            stats.added = len(docs)
            del docs
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / "SCHEMA_VERSION").write_text(SCHEMA_VERSION + "\n")
    (tmp / HASHES).write_text(json.dumps(hashes, sort_keys=True), encoding="utf-8")
    swap_in(tmp, index_dir)
    return stats


def _made(group: Group) -> list[dict]:
    made = group.make()
    if [r["id"] for r in made] != group.ids:
        raise ValueError(f"records {[r['id'] for r in made]} made for a group of {group.ids}")
    return made


HASHES = "content-hashes.json"     # id -> content hash of every record indexed: read instead of the stored fields


def _link_segment(src: str, dst: str) -> None:
    """A segment file is never written again once made (Whoosh writes new
    segments, a new table of contents and new lock files): the copy of the
    index to update shares it by a hard link instead of copying hundreds of
    MB. Anything else is copied."""
    if src.endswith(".seg"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _held(index_dir: Path) -> dict[str, str] | None:
    """id -> content hash of what an index of this schema holds: the file
    kept beside it, or (an index written before it was kept) its stored
    fields. None: no index that can be updated."""
    version_file = index_dir / "SCHEMA_VERSION"
    if not (version_file.is_file() and version_file.read_text().strip() == SCHEMA_VERSION
            and windex.exists_in(str(index_dir))):
        return None
    try:
        return json.loads((index_dir / HASHES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        with windex.open_dir(str(index_dir)).searcher() as s:
            return {fields["id"]: fields.get("content_hash", "") for fields in s.all_stored_fields()}


def _update(ix, groups: list[Group], existing: dict[str, str], stats: IndexStats) -> dict[str, str]:
    """Bring an existing index to `groups` by one writer: a group whose
    records it holds under the group's key is left as it is (and not made).
    Returns what it then holds (HASHES)."""
    hashes: dict[str, str] = {}
    changed: list[dict] = []
    for g in groups:
        if all(existing.get(i) == g.key for i in g.ids):
            hashes.update(dict.fromkeys(g.ids, g.key))
            stats.unchanged += len(g.ids)
        else:
            changed += (_fields(r, g.key) for r in _made(g))
    writer = ix.writer(limitmb=256, codec=_Codec())
    try:
        for rid in sorted(set(existing) - {i for g in groups for i in g.ids}):
            writer.delete_by_term("id", rid)
            stats.deleted += 1
        for fields in sorted(changed, key=lambda d: d["id"]):
            rid = fields["id"]
            hashes[rid] = fields["content_hash"]
            if rid in existing:
                stats.updated += 1
            else:
                stats.added += 1
            writer.update_document(**fields)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return hashes


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
    with frozen():
        for run in _runs(docs, procs):
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_segment_worker, args=(ix, run, child), daemon=True)
            proc.start()
            child.close()
            jobs.append((proc, parent))
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


POSTING_BLOCK = 1024        # postings per block on disk (Whoosh's default: 128)


class _Packed(array):
    """A posting block's document-number gaps or weights, pickled as the
    array's bytes: Whoosh pickles blocks with protocol 2, which would rebuild
    an array (or the tuple it writes) one Python number per posting. It
    unpickles as `array(typecode, bytes)`, which Whoosh's own matchers read."""

    def __reduce_ex__(self, protocol):
        return array, (self.typecode, self.tobytes())


class _PostingsWriter(W3PostingsWriter):
    """Whoosh 2.7's postings writer with packed blocks."""

    def _mini_ids(self):
        return super()._mini_ids() if self._byteids else _Packed("I", delta_encode(self._ids))

    def _mini_weights(self):
        weights = super()._mini_weights()
        return _Packed("f", self._weights) if isinstance(weights, tuple) else weights


class _Lengths:
    """A new segment's field lengths, as Whoosh's field writer asks for them
    (once per posting, to keep each block's shortest and longest document):
    each field's read once from the segment's column instead of once per
    posting (a seek and a read in the column file each)."""

    def __init__(self, reader):
        self.reader = reader
        self.fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        lengths = self.fields.get(fieldname)
        if lengths is None:
            lengths = self.fields[fieldname] = [self.reader.doc_field_length(n, fieldname, default)
                                                for n in range(self.reader.doc_count_all())]
        return lengths[docnum]


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, _Lengths(lengths) if lengths else lengths, items)


class _Codec(W3Codec):
    """Whoosh 2.7's codec writing larger, packed posting blocks: decoding a
    block cost more than its postings (a common word has one in most
    documents); its field writer reads the field lengths once (_Lengths).
    The blocks are in its format, so the index's table of contents names the
    stock codec (__reduce__), which reads them."""

    def __init__(self, blocklimit: int | None = None, compression: int = 3, inlinelimit: int = 1):
        super().__init__(blocklimit or POSTING_BLOCK, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def __reduce__(self):
        return W3Codec, (self._blocklimit, self._compression, self._inlinelimit)


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
    writer = SegmentWriter(ix, _lk=False, limitmb=SEGMENT_LIMIT_MB, codec=_Codec())
    writer.schema = _indexing_schema(writer.schema)
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

    The matching documents are found once, unscored (set algebra on whole
    posting lists, below): they give the exact total and facet counts. They
    are then scored (BM25F, the sums of Whoosh's matchers, a posting list at a
    time) or sorted by date, and only the requested page is read and highlighted."""
    pq = parse_query(" ".join(x for x in [q or "",
                                          f'loai:"{type_name}"' if type_name else "",
                                          f"nam:{year}" if year else "",
                                          f'co_quan:"{organ}"' if organ else ""] if x))
    if page < 1 or page_size < 1:
        raise QueryError("trang và cỡ trang phải là số dương")
    page_size = min(page_size, PAGE_SIZE_MAX)
    from contextlib import nullcontext
    with (nullcontext(searcher) if searcher is not None else ix.searcher()) as s:
        run = _Run(s)
        loose = False
        docs = _docset(run, build_query(pq, ranked=False))
        if not docs.any() and len(pq.terms) > 1:
            loose = True
            docs = _docset(run, build_query(pq, loose=True, ranked=False))
        matched = np.flatnonzero(docs).tolist()
        first, last = (page - 1) * page_size, page * page_size
        if sort == "date":
            dates = _column(s, "issued_date")
            # newest first; the same date in index order
            top = [(None, d) for d in sorted(matched, key=lambda d: (dates[d] or "", -d), reverse=True)[:last]]
        else:
            top = _rank(run, build_query(pq, loose), docs, last)
        page_hits = _hits(s, pq, top[first:last], first)
        hits = []
        for hit in page_hits:
            item = {k: hit.get(k) for k in ("id", "kind", "url", "title", "number", "type", "organ", "year",
                                            "issued_date", "subject", "attachment_kind", "parent")}
            item["score"] = round(hit.score, 4) if isinstance(hit.score, float) else None
            if highlight:
                item["snippet"] = _snippet(hit, pq)
            hits.append(item)
        suggestion = _suggest(s, pq) if not matched or loose else None
        return Results(total=len(matched), hits=hits, facets=_facets(s, matched),
                       suggestion=suggestion, page=page, page_size=page_size, loose=loose,
                       query={"terms": pq.terms, "number": pq.number, "type": pq.type_name,
                              "code_number": pq.code_number, "year": pq.year})


# --- matching and scoring -------------------------------------------------------------
#
# Document sets are boolean arrays over the searcher's document numbers and
# scores float arrays beside them (numpy: a common word has a posting in most
# documents, and a Python operation per posting was most of a query's time).
# The arithmetic is Whoosh's, operation for operation, so the floats are the
# ones its matchers give (tests/test_search.py compares them).

class _Run:
    """One query's reads: each term's postings are decoded once, then shared by
    matching and scoring."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.leaves = searcher.leaf_searchers()
        self._postings: dict[tuple, list] = {}

    def postings(self, q: Q.Term):
        """[(leaf, offset, ids, weights)] of the term in each segment that has
        it: segment document numbers (deleted ones included) and term weights."""
        key = (q.fieldname, q.text)
        if key not in self._postings:
            found = []
            for leaf, offset in self.leaves:
                text = leaf.schema[q.fieldname].to_bytes(q.text)
                if (q.fieldname, text) in leaf.reader():
                    ids, weights = _arrays(_unfiltered(leaf.postings(q.fieldname, text)))
                    found.append((leaf, offset, ids, weights))
            self._postings[key] = found
        return self._postings[key]

    def none(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)


def _docset(run: _Run, q: Q.Query) -> np.ndarray:
    """The documents q matches, unscored: And/Or as operations on whole
    boolean arrays instead of stepping a matcher tree document by document in
    Python; any other query through Whoosh's docs_for_query."""
    if isinstance(q, Q.And):
        result = None
        for sub in sorted(q.subqueries, key=lambda sub: sub.estimate_size(run.searcher.reader())):
            found = _docset(run, sub)
            result = found if result is None else result & found
            if not result.any():
                break
        return run.none() if result is None else result
    if isinstance(q, Q.Or):
        result = run.none()
        for sub in q.subqueries:
            result |= _docset(run, sub)
        return result
    result = run.none()
    if isinstance(q, Q.Term):
        for leaf, offset, ids, _weights in run.postings(q):
            result[ids + offset] = True
            reader = leaf.reader()
            if reader.has_deletions():
                result[_deleted(reader) + offset] = False
        return result
    result[list(run.searcher.docs_for_query(q))] = True
    return result


def _deleted(reader) -> np.ndarray:
    """A segment's deleted documents (cached: a segment only gains deletions,
    so their count tells its set)."""
    segment = reader.segment()
    return _segment_cached(reader, f"deleted:{segment.deleted_count()}",
                           lambda r: np.array([d for d in range(r.doc_count_all()) if r.is_deleted(d)],
                                              dtype=np.int64))


def _rank(run: _Run, q: Q.Query, docs: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The `limit` best of docs as (score, docnum), best first; equal scores in index order."""
    scores, has = _scores(run, q, docs)
    found = np.flatnonzero(has)
    best = found[np.lexsort((found, -scores[found]))[:limit]]
    return [(float(scores[d]), int(d)) for d in best]


def _scores(run: _Run, q: Q.Query, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's score of each document of docs that q matches, as (scores,
    matched) arrays, computed a whole posting list at a time: the same sums as
    its matcher tree (Or and And add their parts, AndMaybe adds b where it
    matches), without stepping every matcher of the tree for every document.
    A score where nothing matched is 0.0, and x + 0.0 is x: adding the parts
    in order gives the matchers' floats."""
    if isinstance(q, Q.Term):
        return _term_scores(run, q, docs)
    if isinstance(q, Q.AndMaybe):
        scores, has = _scores(run, q.a, docs)
        extra, extra_has = _scores(run, q.b, docs)
        both = has & extra_has
        scores[both] += extra[both]
        return _boosted(scores, q.boost), has
    if isinstance(q, (Q.And, Q.Or)):
        scores = np.zeros(run.size)
        has = None
        for sub in q.subqueries:
            part, part_has = _scores(run, sub, docs)
            scores += part
            has = part_has if has is None else (has & part_has if isinstance(q, Q.And) else has | part_has)
        if has is None:
            return scores, run.none()
        if isinstance(q, Q.And):
            scores[~has] = 0.0        # a document some part misses has no score to pass up
        return _boosted(scores, q.boost), has
    # anything else (phrases, ranges): its own matcher, document by document
    scores, has = np.zeros(run.size), run.none()
    for leaf, offset in run.leaves:
        m = q.matcher(leaf, leaf.context())
        while m.is_active():
            if docs[m.id() + offset]:
                scores[m.id() + offset] = m.score()
                has[m.id() + offset] = True
            m.next()
    return scores, has


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    return scores if boost == 1.0 else scores * boost


def _term_scores(run: _Run, q: Q.Term, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BM25F of one term (times its boost) for the documents of docs that have it."""
    scores, has = np.zeros(run.size), run.none()
    for leaf, offset, ids, weights in run.postings(q):
        keep = docs[ids + offset]
        ids, tf = ids[keep], weights[keep]
        if not len(ids):
            continue
        scorer = leaf.weighting.scorer(leaf, q.fieldname, leaf.schema[q.fieldname].to_bytes(q.text))
        lengths = _lengths(leaf, q.fieldname)
        if isinstance(scorer, BM25FScorer):
            # whoosh.scoring.bm25, the same operations in the same order
            idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            value = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[ids] / avgfl)))
        elif isinstance(scorer, WeightLengthScorer):
            value = np.array([scorer._score(w, n) for w, n in zip(tf.tolist(), lengths[ids].tolist())])
        else:               # a field without lengths (WeightScorer): the weight itself
            value = tf
        scores[ids + offset] = q.boost * value
        has[ids + offset] = True
    return scores, has


def _unfiltered(m):
    """A term's postings without the filter of the segment's deleted documents:
    the callers drop deleted documents themselves (set operations, not a test per posting)."""
    return m.child if isinstance(m, FilterMatcher) else m


def _arrays(m) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings as (docnums, weights) arrays. Whoosh 2.7's on-disk
    matcher stores each block as pickled document-number gaps and weights
    (arrays, _Packed, or tuples, as its own codec writes them): decoded here in
    whole arrays (its own matcher adds the gaps in a Python generator); any
    other matcher one posting at a time."""
    ids, weights = [], []
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        while m.is_active():
            if m._data is None:
                m._read_data()
            gaps, w = m._data[0], m._data[1]        # arrays (_Packed) or tuples
            ids.append(np.cumsum(np.asarray(gaps, dtype=np.int64)))
            n = len(gaps)
            # no weights: each is 1.0; one float: all the same (Whoosh keeps
            # them in array("f"), so rounded to single precision)
            if w is None or isinstance(w, float):
                weights.append(np.full(n, float(np.float32(1.0 if w is None else w))))
            else:
                weights.append(np.asarray(w, dtype=np.float64))
            m._next_block()
    else:
        i, w = [], []
        while m.is_active():
            i.append(m.id())
            w.append(m.weight())
            m.next()
        ids.append(np.array(i, dtype=np.int64))
        weights.append(np.array(w, dtype=np.float64))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


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


def _lengths(leaf, fieldname: str) -> np.ndarray:
    """Each document's length of the field, as Whoosh's scorers read it."""
    return _segment_cached(leaf.reader(), "length:" + fieldname,
                           lambda r: np.array([r.doc_field_length(d, fieldname, 1) for d in range(r.doc_count_all())],
                                              dtype=np.float64))


FACETS = {"type": "type", "year": "year", "organ": "organ_facet"}    # facet -> sortable field


def _column(searcher, fieldname: str) -> list:
    """A sortable field's value for every document number."""
    values: list = []
    for leaf, _offset in searcher.leaf_searchers():
        values += _segment_cached(leaf.reader(), "column:" + fieldname,
                                  lambda r: list(r.column_reader(fieldname, translate=True)))
    return values


def _facets(searcher, docs: list[int]) -> dict[str, dict[str, int]]:
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


def _query_words(pq: ParsedQuery) -> list[str]:
    """The query's free words and phrase words, folded."""
    return [fold(t) for t in pq.terms] + [fold(w) for p in pq.phrases for w in _words(p)]


def _named(pq: ParsedQuery) -> list[str]:
    """What the body is marked for besides the words: the number the query
    names and a year it mentions."""
    return ([pq.number] if pq.number else []) + ([str(pq.year)] if pq.year and not pq.year_required else [])


def _marked(pq: ParsedQuery) -> Q.Query:
    """The terms a snippet marks (a query only read for its terms)."""
    words = _query_words(pq)
    terms = [Q.Term(f, w) for f in ("body", "subject", "title") for w in words]
    terms += [Q.Term("title", fold(w)) for w in _words(pq.type_name or "")]
    terms += [Q.Term("body", w) for w in _named(pq)]
    return Q.Or(terms)


SNIPPET_WINDOW = 1500     # characters of a long text that the highlighter reads
LEAD = 200                # of them before the window's first match: a fragment's context (60)
SCAN = 8000               # characters read for the best window: matches are mostly near the start


def _window(text: str, pq: ParsedQuery) -> str:
    """The part of a long text where the most of the query's words are:
    highlighting tokenizes (and folds) every word of the text it gets, bodies
    run to tens of KB, and two fragments of 220 characters are shown."""
    if len(text) <= SNIPPET_WINDOW:
        return text
    words = [w for w in _query_words(pq) + _named(pq) if w]
    spots = _spots(text, words)
    if spots is None:                     # a character folded to two: no safe offsets
        return text
    start = max(0, _densest(spots, SNIPPET_WINDOW - LEAD) - LEAD)
    return text[start:start + SNIPPET_WINDOW]


def _spots(text: str, words: list[str]) -> list[tuple[int, str]] | None:
    """Where the folded words start in the first SCAN characters of text, as
    (offset, word): the same offsets as long as no character folds to two
    (None then)."""
    if not words:
        return []
    rx = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    head = text[:SCAN + 64]               # + 64: a word across the end
    folded = fold(head)
    if len(folded) != len(head):
        return None
    return [(m.start(), m.group()) for m in rx.finditer(folded) if m.start() < SCAN]


def _densest(spots: list[tuple[int, str]], width: int) -> int:
    """The offset of the spot that starts the stretch of `width` characters
    holding the most different words (the first of equals; 0 without spots)."""
    best, best_at, seen, right = 0, 0, Counter(), 0
    for left, (at, _word) in enumerate(spots):
        while right < len(spots) and spots[right][0] < at + width:
            seen[spots[right][1]] += 1
            right += 1
        if len(seen) > best:
            best, best_at = len(seen), at
        word = spots[left][1]
        seen[word] -= 1
        if not seen[word]:
            del seen[word]
    return best_at


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
