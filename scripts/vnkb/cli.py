"""The command line: a thin layer over the library (one function per command)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def _log(args):
    if getattr(args, "quiet", False):
        return lambda msg: None
    return lambda msg: print(msg, file=sys.stderr, flush=True)


def cmd_build(args) -> int:
    from .build import build, report_lines, write_json_report
    from .site import SiteError, build_site

    log = _log(args)
    from .forked import in_child
    from .workers import Limits
    limits = Limits(seconds=args.timeout, memory_mb=args.memory_mb, jobs=args.jobs)

    def docs_and_index():
        result = build(Path(args.source), Path(args.docs), log=log, index_dir=Path(args.index),
                       cache_dir=None if args.no_cache else PROJECT / "build" / "cache", limits=limits)
        write_json_report(result, PROJECT / "build" / "report.json")
        return report_lines(result), bool(result.failed), result.timings
    # in a child process, so the archive's memory is given back before MkDocs runs
    lines, failed, build_timings = in_child(docs_and_index)
    for line in lines:   # failures are reported even with --quiet
        print(line, file=sys.stderr)
    site_seconds: dict[str, float] = {}
    note = ""
    if not args.no_site:
        log("building site with MkDocs ...")
        try:
            site = build_site(PROJECT, Path(args.site))
        except SiteError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        site_seconds = site.seconds
        note = f"; site: {site.reused} unchanged files reused, MkDocs processes: {site.processes}"
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in {**build_timings, **{f"site_{k}": v for k, v in
                                                                          site_seconds.items()}}.items())
    log(f"timings: {timings}{note}")
    return 1 if failed else 0


def cmd_extract(args) -> int:
    from .build import process_file
    from .discover import identify

    path = Path(args.path)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    source = identify(path, path.name)
    doc, result, _ = process_file(path.parent, source, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    if doc is None:
        if args.json:
            print(json.dumps({"error": result.reason, "stage": result.stage,
                              "source": {"path": str(path), "sha256": source.sha256, "format": source.format}},
                             ensure_ascii=False, indent=1))
        print(f"{path}: [{result.stage}] {result.reason}", file=sys.stderr)
        return 1
    from .cite import link_archive
    from .render import place_documents
    link_archive(place_documents([doc]))
    data = doc.to_dict()
    data["source"]["path"] = str(path)
    data["year"] = doc.year
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for key in ("title", "type_name", "number", "organ_name", "issued_date", "subject"):
            print(f"{key:12} {data.get(key)}")
    return 0


def cmd_search(args) -> int:
    from .search import QueryError, open_index, search

    try:
        ix = open_index(Path(args.index))
        res = search(ix, args.query, type_name=args.type, year=args.year, organ=args.organ,
                     page_size=args.limit, sort=args.sort)
    except QueryError as exc:
        print(f"lỗi truy vấn: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res.__dict__, ensure_ascii=False, indent=1))
        return 0
    print(f"{res.total} kết quả" + (" (gần đúng)" if res.loose else ""))
    if res.suggestion:
        print(f"Có phải bạn muốn tìm: {res.suggestion}")
    for i, hit in enumerate(res.hits, 1):
        print(f"{i:2}. {hit['title']}  [{hit.get('type') or ''} {hit.get('year') or ''}]  {hit['url']}")
    return 0


def cmd_bench_corpus(args) -> int:
    import time

    from .benchcorpus import generate
    t = time.perf_counter()
    generate(Path(args.out), args.docs, seed=args.seed, jobs=args.jobs or 2, log=_log(args))
    print(f"{args.docs} originals in {args.out} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    """Data-quality findings over the archive (citations, reference lists, attachments)."""
    import tempfile

    from .build import build

    with tempfile.TemporaryDirectory() as tmp:
        result = build(Path(args.source), Path(tmp) / "docs")
    for f in result.findings:
        print(f"{f.doc_id}: [{f.kind}] {f.message}")
    for r in result.failed:
        print(f"{r.path}: [unreadable] {r.reason}")
    print(f"{len(result.findings)} findings, {len(result.failed)} unreadable originals", file=sys.stderr)
    return 1 if args.strict and (result.findings or result.failed) else 0


def cmd_serve(args) -> int:
    from .serve import serve

    site = Path(args.site)
    if args.no_build and not (site / "index.html").is_file():
        print(f"no built site in {site} (run without --no-build, or `kb.py build`)", file=sys.stderr)
        return 2
    if not args.no_build:
        code = cmd_build(argparse.Namespace(**{**vars(args), "no_site": False}))
        if code == 2:
            return code
        if code == 1:
            print("some originals could not be read (see above); serving the rest", file=sys.stderr)
    return serve(site, args.host, args.port, index_dir=Path(args.index))


def limits_args(sp) -> None:
    sp.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core, at most 2)")
    sp.add_argument("--timeout", type=float, default=300.0, help="seconds one original may take (default 300)")
    sp.add_argument("--memory-mb", type=int, default=2048, help="memory one original may use (default 2048)")
    sp.add_argument("--no-cache", action="store_true", help="read every original again (ignore build/cache)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kb.py", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, site=True):
        sp.add_argument("--source", default=str(PROJECT / "source_docs"), help="folder of originals")
        sp.add_argument("--docs", default=str(PROJECT / "docs"), help="Markdown output folder")
        if site:
            sp.add_argument("--site", default=str(PROJECT / "site"), help="HTML output folder")
            sp.add_argument("--index", default=str(PROJECT / "index"), help="Whoosh index folder")
        sp.add_argument("--quiet", action="store_true", help="no progress output")

    b = sub.add_parser("build", help="build docs/ (Markdown) and site/ (HTML) from source_docs/",
                       description="Read every original, write docs/, build the site. Exit 1 if any original "
                                   "could not be read (the others are still published), 2 if the site build failed.")
    common(b)
    b.add_argument("--no-site", action="store_true", help="only write docs/")
    limits_args(b)
    b.set_defaults(func=cmd_build)

    e = sub.add_parser("extract", help="print the document model of one original",
                       description="Extract, normalize and parse one file; --json prints the model as one JSON object.")
    e.add_argument("path")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.set_defaults(func=cmd_extract)

    c = sub.add_parser("check", help="list data-quality findings (duplicate list items, wrong types, dates ...)",
                       description="Build the archive model and list what a person should verify. "
                                   "--strict: exit 1 when there is any finding.")
    c.add_argument("--source", default=str(PROJECT / "source_docs"), help="folder of originals")
    c.add_argument("--strict", action="store_true", help="exit 1 on any finding")
    c.set_defaults(func=cmd_check)

    q = sub.add_parser("search", help="search the archive (Whoosh index in index/)",
                       description="Free text, phrases in quotes, numbers in any spelling (880/QD-UBND, qđ 880), "
                                   "fields so: loai: nam: co_quan: ngay:2019-01-01..2019-12-31")
    q.add_argument("query")
    q.add_argument("--type", help="type name, e.g. 'Quyết định'")
    q.add_argument("--year", type=int)
    q.add_argument("--organ")
    q.add_argument("--limit", type=int, default=10)
    q.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    q.add_argument("--json", action="store_true")
    q.add_argument("--index", default=str(PROJECT / "index"), help="Whoosh index folder")
    q.set_defaults(func=cmd_search)

    g = sub.add_parser("bench-corpus", help="generate a realistic archive of N originals for benchmarks",
                       description="PDF/DOCX/TXT (45/40/15), 2-10 pages, sentences recombined from real "
                                   "documents, ~2%% broken files; deterministic from --seed.")
    g.add_argument("--docs", type=int, default=1000)
    g.add_argument("--out", default=str(PROJECT / "build" / "bench-corpus"))
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--jobs", type=int, default=0)
    g.add_argument("--quiet", action="store_true")
    g.set_defaults(func=cmd_bench_corpus)

    s = sub.add_parser("serve", help="build (unless --no-build) and serve the site on 127.0.0.1",
                       description="Serve site/ over HTTP on 127.0.0.1 (static files).")
    common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-build", action="store_true", help="serve the existing site/")
    limits_args(s)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
