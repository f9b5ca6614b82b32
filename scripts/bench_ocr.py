#!/usr/bin/env python3
"""OCR figures (printed as JSON; scripts/bench.py can call main()):

- character error rate (CER = edit distance / reference length) of Tesseract's
  text against the text layer of the same pages of the original, on
  * clean 300 dpi renderings of the sample PDFs (all pages),
  * the committed fixtures: a clean 200 dpi scan, a degraded scan (skew, blur,
    noise, JPEG, seals, number by hand) and a phone photo;
  before and after the post-OCR correction step;
- seconds per page (wall time with all cores, and Tesseract's own per-page
  time), measured with an empty cache;
- which metadata fields of the sample goldens come out right on the scans.

Text is compared line by line as read (before reflow), white space collapsed.
Usage: python scripts/bench_ocr.py [--quick]   (--quick: fixtures only)
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

SCANS = ROOT / "tests" / "fixtures" / "scans"
GOLDENS = ROOT / "tests" / "goldens"
FIELDS = ("type_name", "number", "organ_name", "parent_organ_name", "place", "issued_date", "subject",
          "signer_info", "distribution")


def _flat(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def _layout_order(lines: list) -> list[int]:
    """Indexes of lines by page, then column, then reading order: a text layer and
    OCR may interleave the two columns of a header or signature table differently,
    which is not a character error."""
    return sorted(range(len(lines)), key=lambda i: (lines[i].page, lines[i].column, i))


def cer(reference: str, hypothesis: str) -> float:
    from rapidfuzz.distance import Levenshtein
    return Levenshtein.distance(reference, hypothesis) / max(1, len(reference))


def text_layer(pdf: Path, pages: list[int]) -> str:
    from vnkb.extract.pdf import read_pdf
    ex = read_pdf(pdf, ocr=False)
    return _flat([ex.lines[i].text for i in _layout_order(ex.lines) if ex.lines[i].page in pages])


def ocr_text(path: Path) -> tuple[str, str, object]:
    """(OCR text as Tesseract read it, after the correction step, Extracted)."""
    from vnkb.discover import identify
    from vnkb.extract import extract
    ex = extract(path, identify(path, path.name))
    by_line: dict[int, list[dict]] = {}
    for c in ex.corrections:
        by_line.setdefault(c["line"], []).append(c)
    order = _layout_order(ex.lines)
    fixed = _flat([ex.lines[i].text for i in order])
    raw = _flat([_undo(ex.lines[i].text, by_line.get(i, [])) for i in order])
    return raw, fixed, ex


def _undo(text: str, corrections: list[dict]) -> str:
    for c in sorted(corrections, key=lambda c: -c["start"]):
        text = text[:c["start"]] + c["from"] + text[c["start"] + len(c["to"]):]
    return text


def image_pdf(src: Path, out: Path, dpi: int = 300) -> int:
    """A clean image-only copy of a PDF (every page rendered at dpi, grey)."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(src))
    pages = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=90)
    return len(pages)


def metadata_check(doc, golden: dict, fields=FIELDS) -> dict:
    """Per field: right, wrong (a value that differs) or unreadable (no value: hidden)."""
    out = {"right": [], "wrong": [], "unreadable": []}
    for name in fields:
        got = asdict(doc.signer_info) if name == "signer_info" else getattr(doc, name)
        want = golden[name]
        if got == want:
            out["right"].append(name)
        elif isinstance(got, dict):      # signer: hidden parts are None, others must match
            differs = any(v not in (None, [], "") and v != want.get(k) for k, v in got.items())
            out["wrong" if differs else "unreadable"].append(name)
        elif not got or doc.provenance.get(name) == "unreadable":
            out["unreadable"].append(name)
        else:
            out["wrong"].append(name)
    return out


def measure(path: Path, reference, golden: dict | None, fields=FIELDS) -> dict:
    """reference: the known text, or a function giving it (called after the timed OCR)."""
    from vnkb.build import process_file
    from vnkb.discover import identify
    t = time.perf_counter()
    raw, fixed, ex = ocr_text(path)
    wall = time.perf_counter() - t
    if callable(reference):
        reference = reference()
    ocr_pages = [s for s in ex.page_sources if s["source"] == "ocr"]
    row = {"file": path.name, "pages": len(ocr_pages),
           "cer": round(cer(reference, raw), 4), "cer_corrected": round(cer(reference, fixed), 4),
           "corrections": len(ex.corrections),
           "confidence": round(sum(s["confidence"] or 0 for s in ocr_pages) / max(1, len(ocr_pages)), 1),
           "wall_s_per_page": round(wall / max(1, len(ocr_pages)), 2)}
    if golden is not None:
        doc, _, _ = process_file(path.parent, identify(path, path.name))
        row["metadata"] = metadata_check(doc, golden, fields)
    return row


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    from vnkb.extract import ocr as tess
    if tess.tesseract_version() is None:
        result = {"error": f"tesseract with the vie model is not installed ({tess.PACKAGES})"}
        print(json.dumps(result))
        return result
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["VNKB_OCR_CACHE"] = str(tmp / "cache")      # measure real OCR, not the cache
        sample_001 = next((ROOT / "source_docs").glob("001_*.pdf"))
        sample_003 = next((ROOT / "source_docs").glob("003_*.pdf"))
        golden_001 = json.loads((GOLDENS / "001_89f15b59531895c9.json").read_text(encoding="utf-8"))
        golden_000 = json.loads((GOLDENS / "000_0ac4f819f4ce37fc.json").read_text(encoding="utf-8"))
        rows = {}
        ref_001_12 = text_layer(sample_001, [1, 2])
        rows["scan_clean_200dpi"] = measure(SCANS / "001-scan-clean.pdf", ref_001_12, golden_001)
        rows["scan_degraded_200dpi"] = measure(SCANS / "001-scan-degraded.pdf", ref_001_12, golden_001)
        photo_fields = ("type_name", "number", "organ_name", "parent_organ_name", "place", "issued_date", "subject")
        rows["photo_150dpi"] = measure(SCANS / "000-photo.png", lambda: photo_reference(SCANS / "000-photo.png"),
                                       golden_000, photo_fields)
        if "--quick" not in argv:
            for name, src in (("sample_001_clean_300dpi", sample_001), ("sample_003_clean_300dpi", sample_003)):
                out = tmp / f"{name}.pdf"
                n = image_pdf(src, out)
                rows[name] = measure(out, text_layer(src, list(range(1, n + 1))), None)
        tess_times = sorted(p.seconds for p in _cached_pages(tmp / "cache"))
        result = {
            "engine": tess.engine_name(),
            "cores": os.cpu_count(),
            "tesseract_s_per_page_median": round(tess_times[len(tess_times) // 2], 2) if tess_times else None,
            "targets": {"cer_clean": 0.02, "cer_degraded": 0.05},
            "scans": rows,
        }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def _cached_pages(folder: Path):
    from vnkb.extract.ocr import _load
    for path in sorted(folder.glob("*/*.json")):
        page = _load(path)
        if page:
            yield page


def photo_reference(photo: Path) -> str:
    """Reference for the photo of page 1 of the DOCX sample: the DOCX's own text
    (left column, cut where the photographed page ends, then the right column of
    the header table), in the layout order used for OCR text."""
    from rapidfuzz import fuzz
    from vnkb.discover import identify
    from vnkb.extract import extract
    from vnkb.extract.docx import read_docx

    lines = read_docx(next((ROOT / "source_docs").glob("000_*.docx"))).lines
    left = _flat([line.text for line in lines if line.column == 0])
    right = _flat([line.text for line in lines[:12] if line.column == 1])
    seen = extract(photo, identify(photo, photo.name)).lines
    tail = _flat([line.text for line in seen if line.column == 0])[-60:]
    end = fuzz.partial_ratio_alignment(tail, left).dest_end
    return left[:end] + " " + right


if __name__ == "__main__":
    main()
