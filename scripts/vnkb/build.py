"""build: the whole pipeline over a source folder, one file at a time.

discover -> extract -> normalize -> parse -> overrides -> render -> write docs/.
A file that fails gets one line in the report (file, stage, reason) and the
batch goes on; a file that fails now but was published before keeps its last
good pages (the manifest remembers which pages came from which original).
"""
from __future__ import annotations

import filecmp
import gc
import hashlib
import json
import os
import pickle
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import paging
from .cache import ResultCache, StatCache, code_version, value_digest
from .cite import archive_findings, cite_document, cited_by, document_findings, link_archive
from .discover import discover, override_path
from .extract import ExtractError, extract
from .models import Document, Extracted, FileResult, SourceFile, share_strings
from .normalize import normalize
from .overrides import OverrideError, apply_override, load_override
from .parse import make_title, parse
from .publish import aliases as url_aliases
from .publish.paths import page_url
from .render import GENERATED_DIRS, Context, Parts, place_documents, relation_state, relations_touched, render_all, target_page
from .render_registry import entry_key
from .render_report import needs_attention, report_pages
from .repair.context import ArchiveEvidence, deps_hold
from .workers import Limits, run_files

MANIFEST = ".kb-manifest.json"
FILE_LIST = "generated-files.json"     # in build/cache: what the generated folders hold


@dataclass
class BuildResult:
    results: list[FileResult] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: int = 0
    removed: int = 0
    findings: list = field(default_factory=list)
    entries: dict = field(default_factory=dict)
    index_stats: object = None
    cached: int = 0

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status not in ("ok",)]


def process_file(root: Path, source: SourceFile, context=None, extracted: Extracted | None = None, log=None
                 ) -> tuple[Document | None, FileResult, dict[str, float]]:
    """One original through extract -> normalize (with repair) -> parse -> overrides -> cite.

    context: the archive's repair evidence (repair.context.archive_context);
    None uses the shipped statistics and known documents only. extracted: the
    reader's output when the caller already has it (the build's first pass)."""
    times: dict[str, float] = {}
    stage = "extract"
    try:
        if extracted is None:
            t = time.perf_counter()
            extracted = extract(root / source.path, source, log=log)
            times["extract"] = time.perf_counter() - t
        stage = "normalize"
        t = time.perf_counter()
        extracted = normalize(extracted, context)
        times["normalize"] = time.perf_counter() - t
        stage = "parse"
        t = time.perf_counter()
        doc = parse(extracted, source)
        doc.warnings = extracted.warnings + doc.warnings
        doc.repairs = extracted.repairs
        times["parse"] = time.perf_counter() - t
    except ExtractError as exc:
        return None, FileResult(path=source.path, status="failed", stage=stage, reason=str(exc),
                                sha256=source.sha256), times
    except MemoryError:
        raise                 # the worker reports the memory limit
    except Exception as exc:  # a reader or parser bug must not stop the batch
        return None, FileResult(path=source.path, status="failed", stage=stage,
                                reason=f"unexpected {type(exc).__name__}: {exc}", sha256=source.sha256), times
    result = FileResult(path=source.path, status="ok", sha256=source.sha256)
    scanned = [s for s in doc.source.get("page_sources", []) if s.get("source") == "ocr"]
    if scanned:
        confs = [s["confidence"] for s in scanned if s.get("confidence") is not None]
        result.ocr_pages = len(scanned)
        result.ocr_confidence = round(sum(confs) / len(confs), 1) if confs else None
    try:
        data = load_override(override_path(root, source))
        if data:
            doc = apply_override(doc, data)
            if "title" not in data:
                doc.title = make_title(doc)
    except OverrideError as exc:
        result.reason = f"override {source.path}.meta.yaml ignored: {exc}"
        result.stage = "overrides"
        doc.warnings.append(f"tệp hiệu chỉnh bị bỏ qua: {exc}")
    t = time.perf_counter()
    try:
        cite_document(doc)
    except Exception as exc:  # a citation bug must not lose the document
        doc.citations = []
        doc.warnings.append(f"không tìm được trích dẫn: {type(exc).__name__}")
        result.reason = (result.reason + "; " if result.reason else "") + f"citations skipped: {type(exc).__name__}: {exc}"
        result.stage = result.stage or "cite"
    times["cite"] = time.perf_counter() - t
    return doc, result, times


def _drop_unrenderable(placed: list, out: BuildResult) -> list:
    from .render import document_pages
    keep = []
    for p in placed:
        try:
            document_pages(p)
            keep.append(p)
        except Exception as exc:
            for r in out.results:
                if r.path == p.doc.source["path"]:
                    r.status, r.stage, r.reason = "failed", "render", f"{type(exc).__name__}: {exc}"
            out.documents.remove(p.doc)
    return keep


def model_digest(doc: Document) -> str:
    """A digest of a model as pass 2 made it (kept in the cache beside it: an
    incremental build does not pickle 10,000 models again to key them)."""
    return hashlib.sha256(pickle.dumps(doc, protocol=4)).hexdigest()


def model_key(p, digest: str) -> str:
    """What a document's own records depend on (its search records): its
    model (digest: model_digest before the archive was linked), what linking
    set on its citations, its id, and the code."""
    linked = [(c.status, c.target, c.key) for c in p.doc.citations]
    return hashlib.sha256(pickle.dumps((code_version(), p.id, digest, linked), protocol=4)).hexdigest()


def render_key(p, citers: list, model: str) -> str:
    """What a document's pages depend on: its model_key, its place and who cites it."""
    return hashlib.sha256(pickle.dumps((model, p.original, citers), protocol=4)).hexdigest()


def _current_pages(placed: list, keys: dict, previous: dict, docs_dir: Path, old_keys: dict) -> set[str]:
    """Ids of documents whose pages on disk were made from the same inputs
    (render keys live in build/cache, not in the committed manifest: they
    depend on the Python build)."""
    current = set()
    base = str(docs_dir)
    for p in placed:
        before = previous.get(p.doc.source["path"])
        if before and old_keys.get(p.id) == keys[p.id] and before.get("id") == p.id \
                and all(os.path.isfile(os.path.join(base, f)) for f in before["outputs"]):
            current.add(p.id)
    return current


def _on_disk_pages(docs_dir: Path, page: str) -> list[str]:
    """A page and the continuation pages (paging.page_names) it has on disk."""
    folder = os.path.dirname(paging.page_names(page, 2)[1])
    found = os.listdir(os.path.join(docs_dir, folder)) if os.path.isdir(os.path.join(docs_dir, folder)) else []
    return [page] + sorted(f"{folder}/{name}" for name in found if name.startswith("trang-") and name.endswith(".md"))


class Kept:
    """A document's result kept from the last build under a key of everything
    it depends on; save() keeps this build's only. Kept in files by the key's
    first character (name-0.pickle ... name-f.pickle): after one change a
    build rewrites one or two of them, not all (the lines of citations.json
    of 10,000 documents are 100 MB)."""

    SHARDS = "0123456789abcdef_"

    def __init__(self, path: Path | None):
        self.path, self.known, self.now, self.made = path, None, {}, set()

    def _shard(self, key: str) -> str:
        return key[:1] if key[:1] in self.SHARDS[:-1] else "_"

    def _file(self, shard: str) -> Path:
        return self.path.with_name(f"{self.path.stem}-{shard}{self.path.suffix}")

    def _load(self) -> None:
        if self.known is None:      # when first asked: not before it is needed
            self.known = {}
            for shard in self.SHARDS if self.path else ():
                self.known.update(_load_pickle(self._file(shard)))

    def get(self, key: str, make):
        self._load()
        if key in self.known:
            value = self.known[key]
        else:
            value = make()
            self.made.add(key)
        self.now[key] = value
        return value

    def save(self) -> None:
        if self.path:
            self._load()
            now: dict[str, dict] = {shard: {} for shard in self.SHARDS}
            for key, value in self.now.items():
                now[self._shard(key)][key] = value
            before: dict[str, set] = {shard: set() for shard in self.SHARDS}
            for key in self.known:
                before[self._shard(key)].add(key)
            touched = {self._shard(key) for key in self.made}
            for shard, values in now.items():
                if shard in touched or values.keys() != before[shard] or not self._file(shard).is_file():
                    _write_if_changed(self._file(shard), pickle.dumps(values, protocol=4))
            self.path.unlink(missing_ok=True)        # (one file, before)
        self.known, self.now, self.made = {}, {}, set()


class KeptParts(Parts):
    """render.Parts kept from the last build: build/cache/parts-<kind>-*.pickle,
    each part under its item's render key and salt. An archive-wide job saves
    its kind in the process that ran it (render_all may fork one)."""

    def __init__(self, folder: Path, keys: dict[str, str]):
        self.folder, self.keys, self.kept = folder, keys, {}

    def get(self, kind: str, item: str, salt: str, make):
        if item not in self.keys:
            return make()
        if kind not in self.kept:
            self.kept[kind] = Kept(self.folder / f"parts-{kind}.pickle")
        return self.kept[kind].get(self.keys[item] + hashlib.sha256(salt.encode()).hexdigest()[:32], make)

    def save(self, kind: str) -> None:
        if kind in self.kept:
            self.kept.pop(kind).save()


def _load_pickle(path: Path | None) -> dict:
    """A cache file of this build's own making (build/cache), or nothing."""
    try:
        return pickle.loads(path.read_bytes()) if path else {}
    except Exception:
        return {}


def _load_json(path: Path | None) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def _usable(hit, path: str, fingerprint: str, context) -> bool:
    """A cached model (ResultCache value) for the original at path, made with
    this archive's repair evidence or with the same values for all it looked up."""
    return hit is not None and len(hit) == 6 and hit[0] is not None and hit[0].source["path"] == path \
        and (hit[3] == fingerprint or deps_hold(hit[4], context))


def _renew_pack(cache: ResultCache, packed: dict, from_pack: set[str], unused: int) -> None:
    """Write this build's models as the next pack when the last pack lacked
    many of them or holds many no longer used (a few changed originals load
    from their own files: rewriting a large archive's pack takes seconds)."""
    slack = max(32, len(packed) // 50)
    if from_pack and len(packed) - len(from_pack) <= slack and unused <= slack:
        return
    if from_pack and len(from_pack) < len(packed):
        table: dict[str, str] = {}      # the models loaded alone share the pack's strings
        for value in packed.values():
            share_strings(value[0], table)
    cache.write_pack(dict(sorted(packed.items())))


def context_fingerprint(context) -> str:
    """A digest of the archive's repair evidence (word counts, cited numbers)
    by value: the same in every process (a set's order follows the process's
    string hashes, and a plain pickle also records which strings are one object)."""
    a, f = context.archive, context.facts
    return value_digest((sorted(a.uni.items()), sorted(a.bi.items()), a.total,
                         sorted((k, sorted(v)) for k, v in f.numbers.items()), sorted(f.dates.items()),
                         list(f.names)))


def _read_manifest(docs_dir: Path) -> dict:
    try:
        return json.loads((docs_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sources": {}}


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    _replace(path, lambda tmp: tmp.write_bytes(data))
    return True


@dataclass(frozen=True)
class _Copy:
    """An original to publish under goc/: copied at write time, never held
    (the originals of 10,000 documents are half a GB)."""
    source: Path


def _copy_if_changed(source: Path, path: Path) -> bool:
    if path.is_file() and path.stat().st_size == source.stat().st_size and filecmp.cmp(source, path, shallow=False):
        return False
    _replace(path, lambda tmp: shutil.copyfile(source, tmp))
    return True


def _replace(path: Path, fill) -> None:
    """path replaced whole by what fill(temporary path) writes beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fill(tmp)
    tmp.replace(path)


def _take_file_list(cache_dir: Path | None, docs_dir: Path) -> set[str] | None:
    """The files the generated folders held when the last build ended, if
    docs/ is still as it left them (the same folder, its manifest unchanged:
    not checked out or cleaned since). The record goes as it is read: a build
    stopped before it writes the next leaves none, and the next build walks
    the folders (walking 20,000 folders not in the system's cache took 2 s)."""
    path = cache_dir / FILE_LIST if cache_dir else None
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else None
        if path:
            path.unlink()
        manifest = hashlib.sha256((docs_dir / MANIFEST).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("docs") != str(docs_dir.resolve()) \
            or data.get("manifest") != manifest or not isinstance(data.get("files"), list):
        return None
    return set(data["files"])


def _save_file_list(cache_dir: Path | None, docs_dir: Path, pages: dict) -> None:
    if cache_dir:
        files = sorted(f for f in pages if f.split("/", 1)[0] in GENERATED_DIRS)
        _write_if_changed(cache_dir / FILE_LIST, json.dumps({
            "docs": str(docs_dir.resolve()), "manifest": hashlib.sha256(pages[MANIFEST]).hexdigest(),
            "files": files}).encode("utf-8"))


def _remove_unlisted(docs_dir: Path, pages, listed: set[str] | None = None) -> int:
    """Remove the files of the generated folders that are not in pages, then
    the folders left empty; the number of files removed. listed: the files
    they held (_take_file_list), or None to walk them."""
    if listed is not None:
        return _remove_listed(docs_dir, pages, listed)
    removed = 0
    skip = len(str(docs_dir)) + 1
    for top in GENERATED_DIRS:
        for folder, dirs, files in os.walk(docs_dir / top, topdown=False):   # (a folder after its contents)
            base = folder[skip:].replace(os.sep, "/")
            for name in files:
                if f"{base}/{name}" not in pages:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
            if base != top and not os.listdir(folder):
                os.rmdir(folder)
    return removed


def _remove_listed(docs_dir: Path, pages, listed: set[str]) -> int:
    removed = 0
    for f in sorted(listed.difference(pages)):
        parts = f.split("/")
        if parts[0] not in GENERATED_DIRS or len(parts) < 2 or {"", ".", ".."} & set(parts):
            continue            # (the record is build/cache's own; still, never outside these folders)
        try:
            os.unlink(docs_dir / f)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue            # (gone, or a folder now: not a file this build left)
        removed += 1
        for k in range(len(parts) - 1, 1, -1):      # the folders it leaves empty, up to the top one
            try:
                os.rmdir(docs_dir.joinpath(*parts[:k]))
            except OSError:
                break
    return removed


def _redirects(docs_dir: Path, placed: list, entries: dict, pages: dict[str, bytes]) -> dict[str, bytes]:
    """Remember today's URLs in docs/.kb-aliases.json and write a redirect page
    for every URL published before that no page occupies today."""
    from .cite.resolve import document_key
    path = docs_dir / url_aliases.ALIASES
    before = url_aliases.load(path.read_text(encoding="utf-8") if path.is_file() else None)
    documents = {}
    for p in placed:
        urls = {page_url(p.page): "document"}
        for i in range(len(p.doc.attachments)):
            urls[page_url(p.attachment_page(i))] = "attachment:" + p.attachment_page(i).rsplit("/", 1)[-1][:-3]
        documents[p.doc.source["path"]] = (p.doc.source["sha256"], urls)
    registry = {e.key: page_url(target_page(eid)) for eid, e in entries.items()}
    archive_by_key = {k: page_url(p.page) for p in placed if (k := document_key(p.doc))}
    live = {page_url(f) for f in pages if f.endswith(".md")}
    after = url_aliases.update(before, documents, registry)
    out = {url_aliases.ALIASES: url_aliases.dump(after).encode("utf-8")}
    for old, new in url_aliases.redirects(after, documents, registry, archive_by_key, live).items():
        out[url_aliases.redirect_path(old)] = url_aliases.redirect_page(old, new).encode("utf-8")
    return out


def build(root: Path, docs_dir: Path, log=None, index_dir: Path | None = None, cache_dir: Path | None = None,
          limits: Limits | None = None) -> BuildResult:
    """Build docs_dir (and the index in index_dir) from the originals under root."""
    enabled = gc.isenabled()
    try:
        return _build(root, docs_dir, log, index_dir, cache_dir, limits)
    finally:
        gc.unfreeze()            # (see pass 2)
        if enabled:
            gc.enable()


def _build(root: Path, docs_dir: Path, log, index_dir: Path | None, cache_dir: Path | None,
           limits: Limits | None) -> BuildResult:
    log = log or (lambda msg: None)
    out = BuildResult()
    t0 = time.perf_counter()
    stat_cache = StatCache(cache_dir / "stat.json" if cache_dir else None)
    sources = discover(root, stat_cache)
    stat_cache.save({s.path for s in sources})
    out.timings["discover"] = time.perf_counter() - t0
    previous = _read_manifest(docs_dir)["sources"]

    t = time.perf_counter()
    cache = ResultCache(cache_dir)
    cache.prune()
    seen: dict[str, str] = {}
    # Pass 1: read every original (worker processes, each file within its time
    # and memory limit; an unchanged original comes from the cache). The cache
    # keeps a reading's repair evidence apart from its text: an unchanged
    # original needs only the evidence, its text is loaded in pass 2 if at all.
    reads: list = []           # per source: ((extracted or None,), None), (None, failed result) or a cache key
    todo: list[SourceFile] = []
    # The archive's evidence for text repair (its words and the numbers it
    # cites in full), kept from the last build: an original whose share is in
    # it and whose text is cached is not looked at again; a new or changed
    # one's share is put in as it arrives.
    state_file = cache.folder / "archive-evidence.pickle" if cache.folder else None
    archive = _load_pickle(state_file)
    archive = archive if isinstance(archive, ArchiveEvidence) else ArchiveEvidence()
    summed: set[str] = set()   # paths whose share the evidence must hold
    stale: list[str] = []      # a share that could not be taken out: sum again
    moved: list[str] = []      # paths whose share went in or out

    def text_key(source: SourceFile) -> str:
        return cache.key("text:" + source.sha256, None)

    def take_out(path: str, sha256: str) -> None:
        """The share put in for path when its original had this sha256."""
        old = cache.get(cache.key("evidence:" + sha256, None))
        if old is None or old[0] is None:
            stale.append(path)
        else:
            archive.remove(path, old[0])
        moved.append(path)

    def put_in(source: SourceFile, evidence) -> None:
        if source.path in archive.members:
            take_out(source.path, archive.members[source.path])
        archive.add(source.path, source.sha256, evidence)
        summed.add(source.path)
        moved.append(source.path)
    for source in sources:
        if source.sha256 in seen:
            reads.append((None, FileResult(path=source.path, status="duplicate", stage="discover",
                                           reason=f"same content as {seen[source.sha256]}", sha256=source.sha256)))
            continue
        seen[source.sha256] = source.path
        if archive.members.get(source.path) == source.sha256 and cache.has(text_key(source)):
            summed.add(source.path)
            reads.append(((None,), None))
            continue
        key = cache.key("evidence:" + source.sha256, None)
        hit = cache.get(key)
        if hit is not None and (hit[1] is not None or cache.has(text_key(source))):
            evidence, failed = hit
            if failed is not None:
                failed.path = source.path
                reads.append((None, failed))
            else:
                put_in(source, evidence)
                reads.append(((None,), None))
        else:
            reads.append(key)
            todo.append(source)
    if todo:
        log(f"reading {len(todo)} originals ({len(sources) - len(todo)} unchanged)")
    fresh = run_files(root, todo, limits, log, job="read")
    for i, slot in enumerate(reads):
        if isinstance(slot, str):
            extracted, failed, times = next(fresh)
            if failed is None or ("time limit" not in failed.reason and "crashed" not in failed.reason):
                if extracted is not None:        # the text first: evidence cached means text cached
                    cache.put(text_key(sources[i]), extracted[0])
                cache.put(slot, (extracted[1] if extracted is not None else None, failed))
            if extracted is not None:
                put_in(sources[i], extracted[1])
                # the text waits in the cache: pass 2's worker loads it (the
                # archive's texts are never all in this process at once)
                extracted = (None if cache.folder else extracted[0],)
            for k, v in times.items():      # CPU seconds summed over the workers
                out.timings[k] = out.timings.get(k, 0.0) + v
            reads[i] = (extracted, failed)
    fresh.close()            # its workers stop
    for path, sha256 in sorted(archive.members.items()):
        if path not in summed:             # removed, failing or now a duplicate
            take_out(path, sha256)
    if stale:
        # a share the cache no longer holds: sum every document's again
        archive = ArchiveEvidence()
        for source in sources:
            hit = cache.get(cache.key("evidence:" + source.sha256, None)) if source.path in summed else None
            if hit is not None and hit[0] is not None:   # (else: read again next time, as not in)
                archive.add(source.path, source.sha256, hit[0])
    if state_file and (moved or stale or not state_file.is_file()):
        _write_if_changed(state_file, pickle.dumps(archive, protocol=pickle.HIGHEST_PROTOCOL))
    out.timings["read_wall"] = time.perf_counter() - t

    t = time.perf_counter()
    context = archive.context()
    archive = None           # (its counts: hundreds of MB in a large archive)
    fingerprint = context_fingerprint(context)
    out.timings["archive"] = time.perf_counter() - t

    # Pass 2: normalize (with repair), parse, cite. A cached model is reused when
    # the archive's evidence is unchanged, or holds the same values for every
    # word, pair and number its repair looked up (repair.context.Recorder).
    t = time.perf_counter()
    # The models are millions of small objects that live to the end of the
    # build: CPython's full collections would walk them all, again and again
    # while they are loaded (a third of this pass for an archive of cached
    # models), and a forked renderer walking them copies the pages they are
    # on. So the collector pauses while they are made (and linked, below),
    # then leaves them be (frozen; build() thaws them).
    gc.disable()
    jobs, slots = [], []
    shared: dict[str, str] = {}     # one copy of each string the documents' citations repeat
    digests: dict[str, str] = {}    # source path -> model_digest
    pack = cache.read_pack()        # the last build's models, their strings shared already
    packed: dict[str, tuple] = {}   # this build's, for the next pack
    from_pack: set[str] = set()
    for source, (read, failed) in zip(sources, reads):
        if read is None:
            slots.append((None, failed, {}, None, None))
            continue
        extracted = read[0]
        ov = override_path(root, source)
        key = cache.key("doc:" + source.sha256, ov.read_bytes() if ov.is_file() else None)
        hit = pack.pop(key, None)
        if _usable(hit, source.path, fingerprint, context):
            from_pack.add(key)
        else:       # (a model made again since the pack was written is in its own file)
            hit = cache.get(key)
        if _usable(hit, source.path, fingerprint, context):
            slots.append(hit[:3] + hit[5:] + (key,))
            packed[key] = hit
            out.cached += 1
        else:
            slots.append(key)
            # the reading, or where the cache keeps its text (loaded by the worker;
            # a text the cache no longer holds: the worker reads the original again)
            jobs.append((source, extracted if extracted is not None else text_key(source)))
    del reads
    fresh = run_files(root, jobs, limits, log, job="process", context=context, cache=cache)
    del jobs
    for slot in slots:
        if isinstance(slot, str):
            key = slot
            first, result, times = next(fresh)
            doc, deps = first if first is not None else (None, None)
            digest = None
            if doc is not None:
                # The normalized text as one string (process_file's result and
                # the goldens have it): no page and no index field reads it,
                # and it is a third of a model the build would cache, hold and
                # key on (a cached model never has it).
                doc.text = ""
                # equal strings one object: pickled once each, the cached model loads faster
                digest = model_digest(share_strings(doc, {}))
            if "time limit" not in result.reason and "crashed" not in result.reason:
                cache.put(slot, (doc, result, times, fingerprint, deps, digest))
                if doc is not None:
                    packed[slot] = (doc, result, times, fingerprint, deps, digest)
            for k, v in times.items():
                out.timings[k] = out.timings.get(k, 0.0) + v
        else:
            doc, result, times, digest, key = slot
        out.results.append(result)
        if doc is not None:
            out.documents.append(doc if key in from_pack else share_strings(doc, shared))
            digests[doc.source["path"]] = digest
    fresh.close()
    del context, shared      # context: the workers' (word and pair counts of the whole archive)
    _renew_pack(cache, packed, from_pack, len(pack))
    del pack, packed, from_pack
    out.timings["process_wall"] = time.perf_counter() - t

    t = time.perf_counter()
    placed = place_documents(out.documents)
    entries = link_archive(placed)
    out.entries = entries
    citers = cited_by(placed)
    models = {p.id: model_key(p, digests[p.doc.source["path"]]) for p in placed}
    keys = {p.id: render_key(p, citers.get(p.id, []), models[p.id]) for p in placed}
    del digests
    # a document's own findings depend on it alone: kept per render key
    own = Kept(cache_dir / "findings.pickle" if cache_dir else None)
    out.findings = [f for p in placed for f in own.get(keys[p.id], lambda: document_findings(p.id, p.doc))] \
        + archive_findings(entries)
    own.save()
    key_file = cache_dir / "render-keys.json" if cache_dir else None
    old_keys = _load_json(key_file)
    current = _current_pages(placed, keys, previous, docs_dir, old_keys)
    ctx = Context.of(placed, entries)
    # A page's relations section reads other documents (their labels, titles,
    # what they cite), which its render key does not hold: the pages whose
    # section may read differently since the last build are made again.
    relations_file = cache_dir / "relations.pickle" if cache_dir else None
    relations, old_relations = relation_state(placed, ctx), _load_pickle(relations_file)
    current -= relations_touched(old_relations, relations) if old_relations else current
    del old_relations
    # registry entries whose page on disk was made from the same inputs
    around: dict[str, str] = {}
    for eid, e in entries.items():
        keys["entry:" + eid] = entry_key(e, ctx, keys, around)
    del around
    current_entries = {eid for eid in entries if old_keys.get("entry:" + eid) == keys["entry:" + eid]
                       and (docs_dir / target_page(eid)).is_file()}
    # So do the archive's links, keys and findings, made since: the
    # collector resumes for what rendering makes, and leaves all these be.
    gc.freeze()
    gc.enable()

    listed = _take_file_list(cache_dir, docs_dir)        # (before anything is written)

    def sink(path: str, data: str | bytes) -> bool:     # every file goes to disk as it is made
        return _write_if_changed(docs_dir / path, data.encode("utf-8") if isinstance(data, str) else data)
    try:
        rendered = render_all(placed, entries, citers, out.findings, skip=current, skip_entries=current_entries,
                              ctx=ctx, sink=sink,
                              parts=KeptParts(cache_dir, keys) if cache_dir else None)
    except Exception:
        # One document's text broke a page: find it, leave it out, publish the rest.
        placed = _drop_unrenderable(placed, out)
        entries = link_archive(placed)
        citers = cited_by(placed)
        out.findings = [f for p in placed for f in document_findings(p.id, p.doc)] + archive_findings(entries)
        rendered = render_all(placed, entries, citers, out.findings, skip=current, sink=sink)
        current_entries = set()
        keys = {k: v for k, v in keys.items() if not k.startswith("entry:")}
        models = {}             # (linked again: the index hashes the records themselves)
    out.written += sum(1 for wrote in rendered.values() if wrote is True)
    pages: dict[str, bytes | _Copy | None] = dict.fromkeys(rendered)    # the sink wrote them
    del rendered
    for eid in current_entries:             # on disk: its page, and the pages its mentions continue on
        for f in _on_disk_pages(docs_dir, target_page(eid)):
            pages[f] = None
    for p in placed:
        if p.id in current:           # unchanged: its files on disk stay as they are
            for f in previous[p.doc.source["path"]]["outputs"]:
                pages[f] = None
        else:
            pages[p.original] = _Copy(root / p.doc.source["path"])
    manifest: dict[str, dict] = {}
    by_path = {p.doc.source["path"]: p for p in placed}
    under: dict[str, list[str]] = defaultdict(list)     # folder -> the files below it
    for f in pages:
        parts = f.split("/")
        for k in range(1, len(parts)):
            under["/".join(parts[:k])].append(f)
    for r in out.results:
        p = by_path.get(r.path)
        if p is not None:
            files = sorted(set(under.get(p.dir, ())) | {p.original})
            r.outputs = files
            manifest[r.path] = {"sha256": r.sha256, "id": p.id, "outputs": files}
        elif r.status == "failed" and r.path in previous:
            # Keep what was published from this original before it broke.
            kept = previous[r.path]
            if all((docs_dir / f).is_file() for f in kept["outputs"]):
                r.status = "kept"
                manifest[r.path] = kept
                for f in kept["outputs"]:
                    pages.setdefault(f, None)          # on disk: stays as it is
    pages.update(_redirects(docs_dir, placed, entries, pages))
    repaired = {p.doc.source["path"]: (sum(1 for r in p.doc.repairs if r.applied),
                                       sum(1 for r in p.doc.repairs if not r.applied)) for p in placed}
    for path, text in report_pages(out.results, repaired).items():
        pages[path] = text.encode("utf-8")
    pages[MANIFEST] = (json.dumps({"sources": manifest}, ensure_ascii=False, indent=1, sort_keys=True)
                       + "\n").encode("utf-8")
    out.timings["render"] = time.perf_counter() - t

    t = time.perf_counter()
    for rel_path, data in sorted(pages.items()):
        if isinstance(data, _Copy):
            out.written += _copy_if_changed(data.source, docs_dir / rel_path)
        elif data is not None:
            out.written += _write_if_changed(docs_dir / rel_path, data)
    out.removed += _remove_unlisted(docs_dir, pages, listed)
    _save_file_list(cache_dir, docs_dir, pages)
    if key_file:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(json.dumps(keys, sort_keys=True), encoding="utf-8")
        _write_if_changed(relations_file, pickle.dumps(relations, protocol=4))
    out.timings["write"] = time.perf_counter() - t
    # what only rendering needed (the archive's links, keys and findings: about
    # a GB at 10,000 documents) goes before the index writers fork
    del pages, ctx, citers, own, under, by_path, manifest, current, relations
    from .search import build_index, record_groups
    t = time.perf_counter()
    # a document's model key digests all its records are made from: the index
    # keeps them under it, and makes only the changed documents' records
    groups = record_groups(placed, entries, models) if index_dir is not None else None
    del models
    keys = None                 # (a name the closure above reads)
    if index_dir is not None:
        out.index_stats = build_index(index_dir, groups)
        out.timings["index"] = time.perf_counter() - t
    out.timings["total"] = time.perf_counter() - t0
    return out


def report_lines(result: BuildResult) -> list[str]:
    lines = []
    for r in result.results:
        if needs_attention(r):
            lines.append(f"{r.status.upper():9} {r.path}: [{r.stage}] {r.reason}")
        if r.ocr_pages:
            conf = f", mean confidence {r.ocr_confidence:.0f}%" if r.ocr_confidence is not None else ""
            lines.append(f"{'OCR':9} {r.path}: {r.ocr_pages} page(s) read by OCR{conf}")
    ok = sum(1 for r in result.results if r.status == "ok")
    lines.append(f"{ok} of {len(result.results)} originals published, {len(result.failed)} need attention; "
                 f"{result.written} files written, {result.removed} removed")
    return lines


def write_json_report(result: BuildResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"files": [r.__dict__ for r in result.results],
            "timings_s": {k: round(v, 4) for k, v in result.timings.items()}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def clean_generated(docs_dir: Path) -> None:
    for top in GENERATED_DIRS:
        shutil.rmtree(docs_dir / top, ignore_errors=True)
    (docs_dir / MANIFEST).unlink(missing_ok=True)


__all__ = ["build", "process_file", "report_lines", "write_json_report", "clean_generated"]
