#!/usr/bin/env python3
"""Scale benchmark: a generated archive of N originals through the whole build.

  python scripts/bench_scale.py --docs 10000

Reports, as figures and ratios (never asserted in tests): corpus generation,
cold build per stage (documents/s), peak memory, MkDocs and Pagefind time,
document page weight, Whoosh query latency p50/p95 and index size, and an
incremental rebuild after changing one original, relative to the cold build.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.benchcorpus import generate  # noqa: E402
from vnkb.build import build  # noqa: E402
from vnkb.forked import in_child  # noqa: E402
from vnkb.search import open_index, search  # noqa: E402
from vnkb.site import build_site  # noqa: E402
from bench import browser_queries  # noqa: E402

QUERIES = ["binh dang gioi", "bình đẳng giới", "qđ 880", "thong tu 191", "ha tinh 2019", "mau bao cao so ket",
           "191/2009/TT-BTC", "ke hoach", "bao luc tren co so gioi", "phụ nữ", "nam:2019", "loai:\"Kế hoạch\"",
           "co_quan:\"Bộ Xây dựng\"", "tháng hành động", "đại biểu quốc hội", "1696/QĐ-TTg"]


def peak_rss_mb() -> float:
    """The largest resident set of this process or of any child so far. A
    forked child's counts every page it shares with its parent, so this
    overstates a build whose workers fork from a large parent."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def _tree(root: int) -> list[int]:
    """root and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak memory of the build as the machine sees it: the sum of the
    proportional set sizes (a shared page counted once) of this process and
    its worker processes, sampled once a second (each reading walks the
    process's page tables: ~40 ms for 2 GB, and it holds up the build)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = 0

    def run(self) -> None:      # a daemon: ends with the benchmark
        while True:
            time.sleep(1.0)
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(os.getpid())))

    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)

    def reset(self) -> None:
        self.peak_kb = 0


BROWSER_QUERIES = ["binh dang gioi", "ke hoach", "phụ nữ", "880/QĐ-UBND"]


def site_figures(site: Path) -> dict:
    """Page weights (document pages; the heaviest pages of all) and sizes."""
    docs = sorted(p.stat().st_size for p in (site / "van-ban").rglob("index.html"))
    pages = sorted((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html"))
    return {"pages": len(pages), "doc_pages": len(docs),
            "doc_page_kb_median": round(docs[len(docs) // 2] / 1024, 1),
            "doc_page_kb_p95": round(docs[int(len(docs) * 0.95)] / 1024, 1),
            "doc_page_kb_max": round(docs[-1] / 1024, 1),
            "doc_pages_over_60kb": sum(1 for size in docs if size > 60 * 1024),
            "heaviest_pages_kb": [[round(size / 1024), path] for size, path in pages[-6:]],
            "pagefind_mb": round(sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()) / 2**20, 1),
            "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1)}


def build_summary(corpus: Path, docs: Path, index: Path, cache: Path) -> dict:
    """build(), and what the report needs of its result (it runs in a child)."""
    result = build(corpus, docs, index_dir=index, cache_dir=cache)
    return {"published": len(result.documents), "failed": len(result.failed),
            "pages": sum(d.source.get("pages") or 0 for d in result.documents),
            "ok_paths": {r.path for r in result.results if r.status == "ok"},
            "cached": result.cached, "written": result.written, "timings": result.timings,
            "index": result.index_stats.__dict__ if result.index_stats else None}


def project_copy(work: Path) -> Path:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    (project / "docs").mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for name in ("index.md", "tim-kiem.md"):
        shutil.copy2(ROOT / "docs" / name, project / "docs" / name)
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
    return project


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--work", default=str(ROOT / "build" / "bench-scale"))
    ap.add_argument("--no-site", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    corpus = work / f"corpus-{args.docs}"
    report: dict = {"documents": args.docs}
    out = ROOT / "build" / f"bench-scale-{args.docs}.json"
    out.parent.mkdir(exist_ok=True)

    def save() -> None:      # after every phase: a long run stopped midway still reports
        out.write_text(json.dumps(report, indent=1))
    if not corpus.is_dir() or len(list(corpus.iterdir())) != args.docs:
        shutil.rmtree(corpus, ignore_errors=True)
        t = time.perf_counter()
        generate(corpus, args.docs)
        report["generate_s"] = round(time.perf_counter() - t, 1)
    project = project_copy(work)
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(work / "index", ignore_errors=True)

    memory = MemorySampler()
    memory.start()
    t = time.perf_counter()
    # as kb.py build runs it: in a child process, whose memory is gone before MkDocs starts
    cold = in_child(build_summary, corpus, project / "docs", work / "index", cache)
    cold_s = time.perf_counter() - t
    report["cold"] = {"seconds": round(cold_s, 1), "docs_per_s": round(args.docs / cold_s, 1),
                      "published": cold["published"], "failed": cold["failed"], "pages": cold["pages"],
                      "stages_s": {k: round(v, 1) for k, v in cold["timings"].items()},
                      "peak_mb": memory.peak_mb(), "peak_rss_mb": peak_rss_mb()}
    save()
    # a published original to change below (changing a broken one would change nothing downstream)
    published = cold["ok_paths"]
    if not args.no_site:
        memory.reset()
        t = time.perf_counter()
        site = build_site(project, project / "site")
        report["cold"]["site_s"] = round(time.perf_counter() - t, 1)
        report["cold"]["site_steps_s"] = {k: round(v, 1) for k, v in site.seconds.items()}
        report["cold"]["site_mkdocs_processes"] = site.processes
        report["cold"]["site_peak_mb"] = memory.peak_mb()
        report["cold"]["everything_s"] = round(cold_s + report["cold"]["site_s"], 1)
        report["site"] = site_figures(project / "site")
        save()
        report["site"]["browser_search"] = {
            "served_by_kb_serve": browser_queries(project / "site", BROWSER_QUERIES, work / "index"),
            "static_copy_pagefind": browser_queries(project / "site", BROWSER_QUERIES)}
        save()

    ix = open_index(work / "index")

    def latency(searcher=None) -> tuple[float, float]:
        times = []
        for q in QUERIES * 5:
            t = time.perf_counter()
            search(ix, q, searcher=searcher)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        return round(statistics.median(times), 1), round(times[int(len(times) * 0.95)], 1)
    # as the API serves: one searcher held open per thread (Whoosh copies a
    # segment's files out of their memory map each time one is opened)
    with ix.searcher() as held:
        search(ix, QUERIES[0], searcher=held)
        p50, p95 = latency(held)
    p50_open, p95_open = latency()
    report["whoosh"] = {"p50_ms": p50, "p95_ms": p95, "p50_ms_searcher_per_query": p50_open,
                        "p95_ms_searcher_per_query": p95_open,
                        "index_mb": round(sum(p.stat().st_size for p in (work / "index").rglob("*")) / 2**20, 1)}
    ix.close()
    save()

    # Incremental: change one original, rebuild.
    victim = next(p for p in sorted(corpus.iterdir()) if p.suffix == ".txt" and p.name in published)
    original = victim.read_bytes()
    # a line added in the middle of the body (after the signature block it
    # would be in no field, and the index would have nothing to update)
    lines = original.decode("utf-8").split("\n")
    lines.insert(len(lines) // 2, "- Bổ sung: các đơn vị báo cáo kết quả trước ngày 20/6.")
    victim.write_text("\n".join(lines), encoding="utf-8")
    memory.reset()
    try:
        t = time.perf_counter()
        inc = in_child(build_summary, corpus, project / "docs", work / "index", cache)
        inc_s = time.perf_counter() - t
    finally:
        victim.write_bytes(original)      # the corpus stays what the generator made
    report["incremental"] = {"seconds": round(inc_s, 2), "ratio_to_cold": round(inc_s / cold_s, 3),
                             "reread": args.docs - inc["cached"], "written": inc["written"],
                             "stages_s": {k: round(v, 2) for k, v in inc["timings"].items()},
                             "index": inc["index"], "peak_mb": memory.peak_mb()}
    save()
    if not args.no_site:
        t = time.perf_counter()
        site = build_site(project, project / "site")
        report["incremental"]["site_s"] = round(time.perf_counter() - t, 1)
        report["incremental"]["site_steps_s"] = {k: round(v, 1) for k, v in site.seconds.items()}
        report["incremental"]["site_reused"] = site.reused
    save()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
