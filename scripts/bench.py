#!/usr/bin/env python3
"""make bench: speed figures measured on this machine, each next to a baseline
measured in the same run (ratios, never asserted in tests).

- PDF text extraction, pages/s: our reader (PDFium text + geometry) vs plain
  pdfplumber text extraction (the baseline) on the sample PDFs.
- Build of the sample archive: extract -> docs/ (per stage) and the MkDocs site.
- Text repair (scripts/bench_repair.py): share of lost glyphs restored exactly
  and false edits per 10,000 characters of clean text.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.build import build  # noqa: E402
from vnkb.extract.pdf import read_pdf  # noqa: E402
from vnkb.site import build_site  # noqa: E402


def pages_per_second(fn, pdfs: list[Path], min_seconds: float = 2.0) -> float:
    pages = 0
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        for pdf in pdfs:
            pages += fn(pdf)
    return pages / (time.perf_counter() - start)


def ours(pdf: Path) -> int:
    return read_pdf(pdf).pages


def plumber(pdf: Path) -> int:
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            page.extract_text()
        return len(doc.pages)


def citation_quality() -> dict:
    """Precision / recall of the citation finder on tests/data/citation_cases.yaml:
    a found citation counts as right when it matches an expected one on every
    field the table gives."""
    import yaml
    from vnkb.cite.find import find_in_line
    from vnkb.cite.resolve import resolve_citation
    from vnkb.normalize import normalize_text

    cases = yaml.safe_load((ROOT / "tests" / "data" / "citation_cases.yaml").read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for case in cases:
        found = find_in_line(normalize_text(case["text"]), case.get("province"))
        for c in found:
            if c.kind in ("number", "name"):
                resolve_citation(c, case.get("province"))
        expected = list(case["expect"])
        for c in found:
            match = next((e for e in expected if all(
                str(getattr(c, k)) == str(v) if v is not None else getattr(c, k) is None
                for k, v in e.items() if k not in ("note", "flag"))), None)
            if match is not None:
                tp += 1
                expected.remove(match)
            else:
                fp += 1
        fn += len(expected)
    return {"cases": len(cases), "precision": round(tp / max(1, tp + fp), 3), "recall": round(tp / max(1, tp + fn), 3)}


def citations_per_second(docs) -> float:
    from vnkb.cite import cite_document
    lines = sum(len(d.body) + sum(len(a.lines) for a in d.attachments) for d in docs)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:
        for d in docs:
            n += len(cite_document(d).citations)
    return n / (time.perf_counter() - start), lines


def search_quality(index_dir: Path, placed_ids: dict | None = None) -> dict:
    """MRR@10 and recall@10 of the Whoosh path on tests/data/search_queries.yaml,
    latency p50/p95 with highlights (each query repeated)."""
    import statistics

    import yaml
    from vnkb.search import open_index, search

    table = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
    aliases = table["aliases"]

    def resolve(ident):
        base, _, frag = ident.partition("#")
        return aliases.get(base, base) + (f"#{frag}" if frag else "")

    ix = open_index(index_dir)
    rr, found, times = [], 0, []
    for row in table["queries"]:
        expected = {resolve(e) for e in row["expect"]}
        for _ in range(5):
            t = time.perf_counter()
            res = search(ix, row["q"], page_size=10)
            times.append((time.perf_counter() - t) * 1000)
        ids = [h["id"] for h in res.hits]
        rank = next((i + 1 for i, x in enumerate(ids) if x in expected), None)
        rr.append(1 / rank if rank else 0.0)
        found += bool(rank)
    times.sort()
    return {"queries": len(table["queries"]), "mrr_at_10": round(statistics.mean(rr), 3),
            "recall_at_10": round(found / len(table["queries"]), 3),
            "latency_ms_p50": round(times[len(times) // 2], 1), "latency_ms_p95": round(times[int(len(times) * 0.95)], 1)}


def _serve(site_dir: Path, index_dir: Path | None):
    """A static server (as any web server hosts a copy) or, with an index, kb.py serve's."""
    import functools
    import http.server
    import threading
    if index_dir is not None:
        from vnkb.serve import make_server
        httpd = make_server(site_dir, "127.0.0.1", 0, index_dir)
    else:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                functools.partial(Quiet, directory=str(site_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _search_bytes(response) -> int:
    """What one search costs the browser: Pagefind's files or the API's answer."""
    if response.ok and ("/pagefind/" in response.url or "/api/search?" in response.url):
        return len(response.body())
    return 0


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STATUS_DONE = ("() => { const s = document.getElementById('kb-search-status').textContent;"
               " return s.length > 0 && !s.startsWith('Đang'); }")


def _search_once(browser, base: str, q: str, timeout_ms: int) -> dict:
    """q typed into the search page in a fresh context: the first 10 result
    links, the status line, the bytes the search cost, seconds; "error" names
    what stopped it (a timeout)."""
    from urllib.parse import quote
    context = browser.new_context()
    page = context.new_page()
    sizes = []
    page.on("response", lambda r: sizes.append(_search_bytes(r)))
    t = time.perf_counter()
    out = {"hrefs": [], "status": "", "error": None}
    try:
        page.goto(f"{base}/tim-kiem/?q={quote(q)}")
        page.wait_for_function(STATUS_DONE, timeout=timeout_ms)
        page.wait_for_load_state("networkidle")
        out["status"] = page.locator("#kb-search-status").inner_text()
        out["hrefs"] = [a.get_attribute("href") for a in page.locator(".kb-search__title").all()[:10]]
    except Exception as exc:  # a timeout is a figure too
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
    out["seconds"] = time.perf_counter() - t
    context.close()
    out["bytes"] = sum(sizes)
    return out


def browser_queries(site_dir: Path, queries: list[str], index_dir: Path | None = None,
                    timeout_ms: int = 120_000) -> list[dict]:
    """Each query typed into the search page in Chromium: bytes downloaded, seconds, status."""
    from playwright.sync_api import sync_playwright
    httpd, base = _serve(site_dir, index_dir)
    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for q in queries:
            r = _search_once(browser, base, q, timeout_ms)
            out.append({"q": q, "kb": round(r["bytes"] / 1024, 1), "seconds": round(r["seconds"], 2),
                        "status": (r["error"].split(":")[0] if r["error"] else r["status"])[:60]})
        browser.close()
    httpd.shutdown()
    return out


def browser_search_quality(site_dir: Path, urls_by_id: dict, index_dir: Path | None = None) -> dict:
    """The same table through the search page in Chromium: MRR@10 (first 10
    results) and the bytes the browser downloads for one query. Without an
    index the site is served as a static copy (Pagefind); with one, by kb.py
    serve (api/search)."""
    import statistics

    import yaml
    from playwright.sync_api import sync_playwright

    table = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
    aliases = table["aliases"]
    httpd, base = _serve(site_dir, index_dir)
    rr, found, bytes_per_query = [], 0, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for row in table["queries"]:
            r = _search_once(browser, base, row["q"], 20000)
            if r["error"]:
                raise RuntimeError(f"{row['q']!r}: {r['error']}")
            hrefs = r["hrefs"]
            expected = set()
            for e in row["expect"]:
                b, _, frag = e.partition("#")
                ident = aliases.get(b, b) + (f"#{frag}" if frag else "")
                if ident in urls_by_id:
                    expected.add(urls_by_id[ident])
            got = ["/" + h.split("://", 1)[-1].split("/", 1)[-1] if "://" in h else h for h in hrefs]
            rank = next((i + 1 for i, u in enumerate(got) if u in expected), None)
            rr.append(1 / rank if rank else 0.0)
            found += bool(rank)
            bytes_per_query.append(r["bytes"])
        browser.close()
    httpd.shutdown()
    bytes_per_query.sort()
    return {"queries": len(table["queries"]), "mrr_at_10": round(statistics.mean(rr), 3),
            "recall_at_10": round(found / len(table["queries"]), 3),
            "kb_per_query_median": round(bytes_per_query[len(bytes_per_query) // 2] / 1024, 1),
            "kb_per_query_max": round(bytes_per_query[-1] / 1024, 1)}


def main() -> int:
    report: dict = {}
    pdfs = sorted((ROOT / "source_docs").glob("*.pdf"))
    base = pages_per_second(plumber, pdfs)
    fast = pages_per_second(ours, pdfs)
    report["pdf_pages_per_s"] = {"ours_pdfium": round(fast, 1), "baseline_pdfplumber": round(base, 1),
                                 "ratio": round(fast / base, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = build(ROOT / "source_docs", Path(tmp) / "docs", index_dir=Path(tmp) / "index")
        cold = time.perf_counter() - t
        t = time.perf_counter()
        build(ROOT / "source_docs", Path(tmp) / "docs")
        warm = time.perf_counter() - t
        t = time.perf_counter()
        build_site(ROOT, Path(tmp) / "site")
        site = time.perf_counter() - t
        report["sample_archive_build_s"] = {"docs_cold": round(cold, 3), "docs_rebuild": round(warm, 3),
                                            "mkdocs_and_pagefind": round(site, 3),
                                            "stages": {k: round(v, 3) for k, v in result.timings.items()},
                                            "documents": len(result.documents)}
        report["search_whoosh_sample"] = search_quality(Path(tmp) / "index")
        from vnkb.cite import link_archive
        from vnkb.render import place_documents
        from vnkb.search import records
        placed = place_documents(result.documents)
        urls = {r["id"]: r["url"] for r in records(placed, link_archive(placed))}
        for name, index in (("search_browser_sample", None), ("search_browser_served_sample", Path(tmp) / "index")):
            try:
                report[name] = browser_search_quality(Path(tmp) / "site", urls, index)
            except Exception as exc:  # no chromium on this machine: say so, keep the other figures
                report[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    cps, _ = citations_per_second(result.documents)
    report["citations"] = {"per_second": round(cps), **citation_quality()}
    # text repair on generated damage (scripts/bench_repair.py): restored share, false edits
    from bench_repair import measure as repair_quality
    report["repair"] = repair_quality()
    if "--load" in sys.argv:
        import importlib.util
        spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
        loadtest = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loadtest)
        report["api_load_60s_50conn"] = loadtest.run(60, 50, ROOT / "site", ROOT / "index")
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
