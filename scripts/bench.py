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


def main() -> int:
    report: dict = {}
    pdfs = sorted((ROOT / "source_docs").glob("*.pdf"))
    base = pages_per_second(plumber, pdfs)
    fast = pages_per_second(ours, pdfs)
    report["pdf_pages_per_s"] = {"ours_pdfium": round(fast, 1), "baseline_pdfplumber": round(base, 1),
                                 "ratio": round(fast / base, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = build(ROOT / "source_docs", Path(tmp) / "docs")
        cold = time.perf_counter() - t
        t = time.perf_counter()
        build(ROOT / "source_docs", Path(tmp) / "docs")
        warm = time.perf_counter() - t
        t = time.perf_counter()
        build_site(ROOT, Path(tmp) / "site", quiet=True)
        site = time.perf_counter() - t
    report["sample_archive_build_s"] = {"docs_cold": round(cold, 3), "docs_rebuild": round(warm, 3),
                                        "mkdocs_site": round(site, 3),
                                        "stages": {k: round(v, 3) for k, v in result.timings.items()},
                                        "documents": len(result.documents)}
    cps, _ = citations_per_second(result.documents)
    report["citations"] = {"per_second": round(cps), **citation_quality()}
    # text repair on generated damage (scripts/bench_repair.py): restored share, false edits
    from bench_repair import measure as repair_quality
    report["repair"] = repair_quality()
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
