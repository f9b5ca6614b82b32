"""build: the whole pipeline over a source folder, one file at a time.

discover -> extract -> normalize -> parse -> overrides -> render -> write docs/.
A file that fails gets one line in the report (file, stage, reason) and the
batch goes on; a file that fails now but was published before keeps its last
good pages (the manifest remembers which pages came from which original).
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cite import archive_findings, cite_document, cited_by, document_findings, link_archive
from .discover import discover, override_path
from .extract import ExtractError, extract
from .models import Document, Extracted, FileResult, SourceFile
from .normalize import normalize, normalize_text
from .overrides import OverrideError, apply_override, load_override
from .parse import make_title, parse
from .render import GENERATED_DIRS, place_documents, render_all, report_page
from .repair.context import archive_context

MANIFEST = ".kb-manifest.json"


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

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status not in ("ok",)]


def process_file(root: Path, source: SourceFile, context=None, extracted: Extracted | None = None
                 ) -> tuple[Document | None, FileResult, dict[str, float]]:
    """One original through extract -> normalize (with repair) -> parse -> overrides.

    context: the archive's repair evidence (repair.context.archive_context);
    None uses the shipped statistics and known documents only. extracted: the
    reader's output when the caller already has it (the build's first pass)."""
    times: dict[str, float] = {}
    stage = "extract"
    try:
        if extracted is None:
            t = time.perf_counter()
            extracted = extract(root / source.path, source)
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
    except Exception as exc:  # a reader or parser bug must not stop the batch
        return None, FileResult(path=source.path, status="failed", stage=stage,
                                reason=f"unexpected {type(exc).__name__}: {exc}", sha256=source.sha256), times
    result = FileResult(path=source.path, status="ok", sha256=source.sha256)
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
    from .render import attachment_page, document_page
    keep = []
    for p in placed:
        try:
            document_page(p)
            for i in range(len(p.doc.attachments)):
                attachment_page(p, i)
            keep.append(p)
        except Exception as exc:
            for r in out.results:
                if r.path == p.doc.source["path"]:
                    r.status, r.stage, r.reason = "failed", "render", f"{type(exc).__name__}: {exc}"
            out.documents.remove(p.doc)
    return keep


def _read_manifest(docs_dir: Path) -> dict:
    try:
        return json.loads((docs_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sources": {}}


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def build(root: Path, docs_dir: Path, log=None, index_dir: Path | None = None) -> BuildResult:
    log = log or (lambda msg: None)
    out = BuildResult()
    t0 = time.perf_counter()
    sources = discover(root)
    out.timings["discover"] = time.perf_counter() - t0
    previous = _read_manifest(docs_dir)["sources"]
    seen: dict[str, str] = {}
    # Pass 1: read every original; the archive's words and full citations are
    # the evidence the repair of each document may use (pass 2).
    read: list[tuple[SourceFile, Extracted | None, FileResult | None]] = []
    for n, source in enumerate(sources, 1):
        log(f"[{n}/{len(sources)}] {source.path}")
        if source.sha256 in seen:
            read.append((source, None, FileResult(path=source.path, status="duplicate", stage="discover",
                                                  reason=f"same content as {seen[source.sha256]}",
                                                  sha256=source.sha256)))
            continue
        seen[source.sha256] = source.path
        t = time.perf_counter()
        try:
            read.append((source, extract(root / source.path, source), None))
        except ExtractError as exc:
            read.append((source, None, FileResult(path=source.path, status="failed", stage="extract",
                                                  reason=str(exc), sha256=source.sha256)))
        except Exception as exc:  # a reader bug must not stop the batch
            read.append((source, None, FileResult(path=source.path, status="failed", stage="extract",
                                                  reason=f"unexpected {type(exc).__name__}: {exc}",
                                                  sha256=source.sha256)))
        out.timings["extract"] = out.timings.get("extract", 0.0) + time.perf_counter() - t
    t = time.perf_counter()
    context = archive_context([(s.path, [normalize_text(line.text) for line in x.lines])
                               for s, x, _ in read if x is not None])
    out.timings["archive"] = time.perf_counter() - t
    for source, extracted, failed in read:
        if failed is not None:
            out.results.append(failed)
            continue
        doc, result, times = process_file(root, source, context, extracted)
        for k, v in times.items():
            out.timings[k] = out.timings.get(k, 0.0) + v
        out.results.append(result)
        if doc is not None:
            out.documents.append(doc)

    t = time.perf_counter()
    placed = place_documents(out.documents)
    entries = link_archive(placed)
    out.findings = [f for p in placed for f in document_findings(p.id, p.doc)] + archive_findings(entries)
    out.entries = entries
    try:
        rendered = render_all(placed, entries, cited_by(placed), out.findings)
    except Exception:
        # One document's text broke a page: find it, leave it out, publish the rest.
        placed = _drop_unrenderable(placed, out)
        entries = link_archive(placed)
        out.findings = [f for p in placed for f in document_findings(p.id, p.doc)] + archive_findings(entries)
        rendered = render_all(placed, entries, cited_by(placed), out.findings)
    pages = {path: text.encode("utf-8") for path, text in rendered.items()}
    for p in placed:
        pages[p.original] = (root / p.doc.source["path"]).read_bytes()
    manifest: dict[str, dict] = {}
    by_path = {p.doc.source["path"]: p for p in placed}
    for r in out.results:
        p = by_path.get(r.path)
        if p is not None:
            files = sorted([p.page, p.original] + [p.attachment_page(i) for i in range(len(p.doc.attachments))])
            r.outputs = files
            manifest[r.path] = {"sha256": r.sha256, "id": p.id, "outputs": files}
        elif r.status == "failed" and r.path in previous:
            # Keep what was published from this original before it broke.
            kept = previous[r.path]
            if all((docs_dir / f).is_file() for f in kept["outputs"]):
                r.status = "kept"
                manifest[r.path] = kept
                for f in kept["outputs"]:
                    pages.setdefault(f, (docs_dir / f).read_bytes())
    repaired = {p.doc.source["path"]: (sum(1 for r in p.doc.repairs if r.applied),
                                       sum(1 for r in p.doc.repairs if not r.applied)) for p in placed}
    pages["danh-muc/bao-cao-xay-dung.md"] = report_page(out.results, repaired).encode("utf-8")
    pages[MANIFEST] = (json.dumps({"sources": manifest}, ensure_ascii=False, indent=1, sort_keys=True)
                       + "\n").encode("utf-8")
    out.timings["render"] = time.perf_counter() - t

    t = time.perf_counter()
    for rel_path, data in sorted(pages.items()):
        out.written += _write_if_changed(docs_dir / rel_path, data)
    for top in GENERATED_DIRS:
        base = docs_dir / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel_path = path.relative_to(docs_dir).as_posix()
            if path.is_file() and rel_path not in pages:
                path.unlink()
                out.removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    out.timings["write"] = time.perf_counter() - t
    if index_dir is not None:
        from .search import build_index, records
        t = time.perf_counter()
        out.index_stats = build_index(index_dir, records(placed, entries))
        out.timings["index"] = time.perf_counter() - t
    out.timings["total"] = time.perf_counter() - t0
    return out


def report_lines(result: BuildResult) -> list[str]:
    lines = []
    for r in result.results:
        if r.status != "ok" or r.reason:
            lines.append(f"{r.status.upper():9} {r.path}: [{r.stage}] {r.reason}")
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
