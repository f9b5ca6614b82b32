"""OCR of scanned pages and photos with Tesseract (Debian: tesseract-ocr, tesseract-ocr-vie).

We call the `tesseract` command (no Python binding to pin or build) and read its
TSV output: every word with its box and confidence. Words become runs of text
with a position, the same shape the PDF reader builds from PDFium's character
boxes, so one function (`pdf._to_lines`) assigns columns for both and the Decree
30 header parser reads a scan like a text PDF.

OCR is by far the slowest stage (seconds per page), so:
- a page's result is cached under the file's sha256, the page number and a key
  of the OCR settings + Tesseract version (never OCR the same page twice);
- pages of one file run in parallel, one single-threaded tesseract per core
  (OMP_THREAD_LIMIT=1: Tesseract's own threads gain little and fight each other);
- progress and an estimate of the time left go to the build's log.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .common import ExtractError

PROJECT = Path(__file__).resolve().parents[3]
DPI = 300                      # render resolution for PDF pages (Tesseract's sweet spot)
LANG = "vie"
SETTINGS = {"lang": LANG, "psm": 3, "oem": 1, "dpi": DPI, "format": 5}   # bump "format" when image preparation or runs change
PACKAGES = "tesseract-ocr tesseract-ocr-vie"
DEFAULT_SECONDS_PER_PAGE = 6.0  # first estimate on a 2-core machine; replaced by what the cache measured
TIMEOUT_S = 600
_JUNK_WORD = set("_|~¦")       # table rules and scanner noise read as characters


@dataclass
class OcrPage:
    """One OCRed page: runs in points (1/72 in) like the PDF reader's, words' mean confidence."""
    runs: list[dict]
    confidence: float | None   # 0..100, mean over words; None when no word was read
    words: int
    seconds: float = 0.0
    cached: bool = field(default=False, compare=False)


def cache_dir() -> Path:
    """OCR cache folder: $VNKB_OCR_CACHE, else build/ocr-cache in the project (gitignored)."""
    return Path(os.environ.get("VNKB_OCR_CACHE") or PROJECT / "build" / "ocr-cache")


_VERSION: dict[str, str | None] = {}


def tesseract_version() -> str | None:
    """'5.3.0' or None when tesseract or its Vietnamese model is missing."""
    exe = shutil.which("tesseract")
    if exe not in _VERSION:
        version = None
        if exe:
            try:
                out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
                langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
                words = (out.stdout + out.stderr).split()
                if LANG in langs.stdout.split():
                    version = words[1] if len(words) > 1 else "?"
            except (OSError, subprocess.SubprocessError):
                version = None
        _VERSION[exe] = version
    return _VERSION[exe]


def require_tesseract() -> str:
    version = tesseract_version()
    if version is None:
        raise ExtractError("a scan needs OCR, but Tesseract with its Vietnamese model is not installed: "
                           f"install the Debian packages {PACKAGES} (apt-get install {PACKAGES})")
    return version


def engine_name() -> str:
    return f"tesseract {tesseract_version()} ({LANG})"


def settings_key() -> str:
    data = json.dumps({**SETTINGS, "tesseract": tesseract_version()}, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _cache_path(sha256: str, page: int) -> Path:
    return cache_dir() / sha256[:2] / f"{sha256}-p{page}-{settings_key()}.json"


def _load(path: Path) -> OcrPage | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OcrPage(runs=data["runs"], confidence=data["confidence"], words=data["words"],
                       seconds=data.get("seconds", 0.0), cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path, page: OcrPage) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"runs": page.runs, "confidence": page.confidence, "words": page.words,
                                   "seconds": round(page.seconds, 2)}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass   # a read-only cache only costs time


def measured_seconds_per_page() -> float:
    """Median OCR time of the pages in the cache (this machine), else the default."""
    times = []
    folder = cache_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*/*.json"))[:200]:
            page = _load(path)
            if page and page.seconds > 0:
                times.append(page.seconds)
    if not times:
        return DEFAULT_SECONDS_PER_PAGE
    times.sort()
    return times[len(times) // 2]


# --- Tesseract ------------------------------------------------------------------

def to_grey(image):
    """A page image in grey for OCR, with seal ink dropped.

    Colour pages keep only their red channel, and strongly red pixels go white:
    the red seal stamped over the signature and the date turns white while black
    and blue text stays dark (the dropout trick of document scanners). A grey scan
    has lost the colour: its seals are handled by `drop_grey_seals`."""
    from PIL import Image, ImageChops
    if image.mode in ("L", "1", "I", "I;16", "F"):
        return drop_grey_seals(image.convert("L"))
    r, g, _ = image.convert("RGB").split()      # on a grey page R == the grey value
    red = ImageChops.subtract(r, g).point(lambda v: 255 if v > 24 else 0)
    # (a grey page rendered in RGB has no red: its seals are grey)
    return drop_grey_seals(Image.composite(Image.new("L", r.size, 255), r, red))


TILE = 256
INK = 200          # darker than this is ink (not paper)
DARK = 56          # the core of printed text
SEAL = (64, 150)   # a red seal scanned in grey: a flat mid-grey


def _bins(hist: list[int]) -> list[int]:
    return [sum(hist[a:a + 16]) for a in range(0, 256, 16)]


def drop_grey_seals(grey):
    """In a grey scan, a red seal is a large area of flat mid-grey over dark text,
    which Tesseract takes for a picture and skips (the signer's name under it is
    lost). Where a tile's ink is mostly such mid-grey with a clear peak, pixels
    lighter than the peak go white; text cores are darker and stay. Only on pages
    whose text is dark elsewhere: on a faint page the mid-grey is the text."""
    hist = grey.histogram()
    ink = sum(hist[:INK])
    if not ink or sum(hist[:DARK]) < 0.15 * ink:
        return grey
    tiles: dict[tuple[int, int], tuple[float, float, int]] = {}
    for y in range(0, grey.height, TILE):
        for x in range(0, grey.width, TILE):
            h = grey.crop((x, y, x + TILE, y + TILE)).histogram()
            tile_ink = sum(h[:INK])
            if tile_ink < 500:
                continue
            bins = _bins(h)
            lo, hi = SEAL[0] // 16, SEAL[1] // 16
            peak_bin = max(range(lo, hi), key=lambda b: bins[b])
            tail = sum(bins[hi:hi + 3]) / 3 or 1
            tiles[x // TILE, y // TILE] = (sum(h[SEAL[0]:SEAL[1]]) / tile_ink, bins[peak_bin] / tail, peak_bin * 16)
    seals = {k for k, (mid, peak, _) in tiles.items() if mid >= 0.6 and peak >= 4}
    if not seals:
        return grey
    # the rim of a seal reaches into the tiles around it (seen as a weaker grey peak)
    near = {(x + dx, y + dy) for x, y in seals for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
    from PIL import Image, ImageFilter
    paper = max(range(INK, 256), key=lambda v: hist[v])     # the page's background grey
    cut = max(DARK, min(tiles[k][2] for k in seals) - 8)   # just below the seal's grey
    out = grey.copy()
    for key in sorted(near & tiles.keys()):
        if key not in seals and tiles[key][1] < 2.0:
            continue       # a neighbour without a grey peak holds no seal ink
        x, y = key[0] * TILE, key[1] * TILE
        box = (x, y, min(x + TILE, grey.width), min(y + TILE, grey.height))
        tile = grey.crop(box)
        # Seal ink: grey strokes at least 5 px wide (an opening drops the thin grey of
        # letter edges and diacritics), grown by a pixel for its blurred rim, and not
        # right next to the dark core of a letter (the seal over a letter keeps the letter).
        band = tile.point(lambda v: 255 if cut < v < paper - 25 else 0)
        wide = band.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.MaxFilter(7))
        near_text = tile.point(lambda v: 255 if v < DARK else 0).filter(ImageFilter.MaxFilter(5))
        seal_ink = Image.composite(Image.new("L", tile.size, 0), wide, near_text)
        out.paste(Image.composite(Image.new("L", tile.size, paper), tile, seal_ink), box)
    return out


def encode_image(image) -> bytes:
    """A PIL image -> 8-bit grey PGM bytes for tesseract's stdin (no compression
    to spend time on; Leptonica reads PNM from memory)."""
    import io
    image = to_grey(image)
    buf = io.BytesIO()
    image.save(buf, format="PPM")
    return buf.getvalue()


def run_tesseract(image: bytes, dpi: int | None) -> str:
    """PNG/TIFF bytes -> TSV text (words with boxes and confidences)."""
    cmd = ["tesseract", "stdin", "stdout", "-l", LANG, "--oem", str(SETTINGS["oem"]), "--psm", str(SETTINGS["psm"])]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    cmd += ["-c", "preserve_interword_spaces=0", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        proc = subprocess.run(cmd, input=image, capture_output=True, timeout=TIMEOUT_S, env=env)
    except FileNotFoundError as exc:
        raise ExtractError(f"tesseract is not installed: install the Debian packages {PACKAGES}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(f"OCR of one page took more than {TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractError(f"tesseract failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


def tsv_words(tsv: str) -> list[dict]:
    """Words of Tesseract's TSV: text, box (pixels), confidence, line key."""
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text or set(text) <= _JUNK_WORD:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append({"text": text, "x0": left, "x1": left + width, "top": top, "bottom": top + height,
                      "conf": float(cols[10]), "line": (int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]))})
    return words


def words_to_runs(words: list[dict], scale: float) -> list[dict]:
    """Words -> runs (cells of a line) in points, in reading order.

    Tesseract sometimes reads two header cells on one baseline as one line
    ("ỦY BAN NHÂN DÂN  CỘNG HÒA XÃ HỘI ..."): a line is cut where the gap between
    two words is wider than the line's x-height-ish word height, as the PDF reader
    cuts text-layer lines. Then runs are ordered by rows (runs whose vertical
    middles fall inside one another share a row) and left to right within a row:
    the order a text PDF gives for a two-column header or signature table."""
    lines: dict[tuple, list[dict]] = {}
    for w in words:
        lines.setdefault(w["line"], []).append(w)
    runs = []
    for key in lines:
        ws = sorted(lines[key], key=lambda w: w["x0"])
        # the height of real words ("-" or "." would make every gap look wide)
        heights = sorted(w["bottom"] - w["top"] for w in ws if sum(ch.isalnum() for ch in w["text"]) >= 2) \
            or [max(w["bottom"] - w["top"] for w in ws)]
        h = max(4, heights[len(heights) // 2])
        cell = [ws[0]]
        for w in ws[1:]:
            if w["x0"] - cell[-1]["x1"] > 1.5 * h:
                runs.append(_run(cell, scale))
                cell = []
            cell.append(w)
        runs.append(_run(cell, scale))
    runs = [r for r in runs if not _speck(r)]
    runs.sort(key=lambda r: r["top"])
    rows: list[list[dict]] = []
    for r in runs:
        mid = (r["top"] + r["bottom"]) / 2
        row = rows[-1] if rows else None
        if row and any(o["top"] <= mid <= o["bottom"] or r["top"] <= (o["top"] + o["bottom"]) / 2 <= r["bottom"]
                       for o in row):
            row.append(r)
        else:
            rows.append([r])
    return [r for row in rows for r in sorted(row, key=lambda r: r["x0"])]


def _speck(run: dict) -> bool:
    """A run without a letter or digit ("_—__", "."), or of one or two characters
    Tesseract itself doubts: dust, a seal's rim, a signature stroke, not text."""
    text = run["text"].strip()
    return not any(ch.isalnum() for ch in text) or (len(text) <= 2 and run["conf"] < 50)


def _run(words: list[dict], scale: float) -> dict:
    heights = sorted(w["bottom"] - w["top"] for w in words)
    mid = (words[0]["top"] + words[0]["bottom"]) / 2
    top = min(w["top"] for w in words)
    bottom = max(w["bottom"] for w in words)
    h = heights[len(heights) // 2]
    # Accents stretch a word's box upwards; a median-height box around the line's
    # middle keeps paragraph gaps and row grouping stable.
    top, bottom = max(top, mid - h), min(bottom, mid + h)
    return {"text": " ".join(w["text"] for w in words), "x0": round(min(w["x0"] for w in words) * scale, 1),
            "x1": round(max(w["x1"] for w in words) * scale, 1), "top": round(top * scale, 1),
            "bottom": round(bottom * scale, 1), "font": "", "bold": False, "italic": False,
            "conf": round(min(w["conf"] for w in words), 1)}


def ocr_image(image: bytes, dpi: int | None) -> OcrPage:
    """One page image -> OcrPage (runs in points when the resolution is known)."""
    t = time.perf_counter()
    words = tsv_words(run_tesseract(image, dpi))
    scale = 72.0 / dpi if dpi else 1.0
    conf = round(sum(w["conf"] for w in words) / len(words), 1) if words else None
    return OcrPage(runs=words_to_runs(words, scale), confidence=conf, words=len(words),
                   seconds=time.perf_counter() - t)


# --- many pages -----------------------------------------------------------------

Render = Callable[[], tuple[bytes, int | None]]   # -> (PNG bytes, dpi or None)


def ocr_pages(sha256: str, pages: Iterable[tuple[int, Render]], label: str = "",
              log: Callable[[str], None] | None = None, workers: int | None = None) -> dict[int, OcrPage]:
    """OCR the given pages of one file ({page number: OcrPage}), from the cache
    where possible; the others in parallel (one tesseract per core)."""
    require_tesseract()
    log = log or (lambda msg: None)
    out: dict[int, OcrPage] = {}
    todo: list[tuple[int, Render]] = []
    for page_no, render in pages:
        hit = _load(_cache_path(sha256, page_no))
        if hit is not None:
            out[page_no] = hit
        else:
            todo.append((page_no, render))
    if not todo:
        if out:
            log(f"  OCR {label}: {len(out)} page(s) from the cache")
        return out
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    per_page = measured_seconds_per_page()
    log(f"  OCR {label}: {len(todo)} page(s) to read ({len(out)} cached), "
        f"about {per_page * len(todo) / workers:.0f} s ({per_page:.1f} s/page, {workers} in parallel)")
    started = time.perf_counter()

    def work(item: tuple[int, Render]) -> tuple[int, OcrPage]:
        page_no, render = item
        image, dpi = render()
        return page_no, ocr_image(image, dpi)

    done = 0
    # Threads are enough: each waits on its own tesseract process. Rendering
    # happens inside the worker so at most `workers` page images are in memory.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for page_no, page in pool.map(work, todo):
            done += 1
            out[page_no] = page
            _store(_cache_path(sha256, page_no), page)
            elapsed = time.perf_counter() - started
            left = elapsed / done * (len(todo) - done)
            conf = f"{page.confidence:.0f}%" if page.confidence is not None else "no text"
            log(f"  OCR {label}: page {page_no} done ({done}/{len(todo)}, confidence {conf}, "
                f"{page.seconds:.1f} s; about {left:.0f} s left)")
    return out
