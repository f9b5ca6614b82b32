#!/usr/bin/env python3
"""Make scanned versions of the sample originals as OCR test fixtures.

Pages of the sample PDFs (and of the sample DOCX, through LibreOffice when it
is installed) are rendered to images and degraded the way real archive scans
are: a slight skew, blur, sensor noise, JPEG artefacts, a red round stamp over
the signature and over the date, the number written by hand into the blank
left for it. Output (tests/fixtures/scans/):

  001-scan-clean.pdf     pages 1-2 of sample 001, 200 dpi grey, image only
  001-scan-degraded.pdf  the same pages, skewed, blurred, stamped, number by hand
  000-photo.png          page 1 of sample 000 as a phone photo (colour, rotated,
                         uneven light, red stamp over the date, number by hand)
  000-sample.doc         sample 000 saved by LibreOffice as Word 97-2003

Deterministic: seeded random numbers, no timestamps (the PDFs are written by
Pillow, the .doc only when LibreOffice is there; a .doc may differ between
LibreOffice versions, so it is only rewritten with --doc).

Usage:  python scripts/tools/make_scans.py [--out DIR] [--doc]
"""
from __future__ import annotations

import argparse
import time
import io
import math
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "source_docs"
OUT = ROOT / "tests" / "fixtures" / "scans"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
RED = (200, 30, 40)


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


# --- rendering and finding text -------------------------------------------------

def render(pdf: Path, index: int, dpi: int) -> Image.Image:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def find_box(pdf: Path, index: int, needle: str, dpi: int, chars: int | None = None) -> tuple[int, int, int, int] | None:
    """Pixel box (left, top, right, bottom) of the first match of needle on a page
    (of its first `chars` characters only, when given)."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[index]
        height = page.get_height()
        tp = page.get_textpage()
        searcher = tp.search(needle, match_case=True)
        hit = searcher.get_next()
        if hit is None:
            return None
        start, count = hit
        boxes = [tp.get_charbox(i) for i in range(start, start + (chars or count))]
        s = dpi / 72
        left = min(b[0] for b in boxes)
        right = max(b[2] for b in boxes)
        bottom = min(b[1] for b in boxes)
        top = max(b[3] for b in boxes)
        return int(left * s), int((height - top) * s), int(right * s), int((height - bottom) * s)
    finally:
        doc.close()


# --- degradations ---------------------------------------------------------------

def stamp(img: Image.Image, center: tuple[int, int], radius: int, ring: str, middle: str,
          rng: random.Random, alpha: float = 0.8) -> Image.Image:
    """A round red seal: two circles, text around the ring, a star and text in the
    middle; multiplied onto the page like ink (text under it stays visible)."""
    size = 2 * radius + 8
    seal = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(seal)
    c = size // 2
    width = max(2, radius // 30)
    d.ellipse([c - radius, c - radius, c + radius, c + radius], outline=RED, width=width * 2)
    inner = int(radius * 0.72)
    d.ellipse([c - inner, c - inner, c + inner, c + inner], outline=RED, width=width)
    f = font("DejaVuSans-Bold.ttf", max(8, radius // 7))
    n = len(ring)
    for i, ch in enumerate(ring):
        angle = -math.pi * 0.95 + 1.9 * math.pi * i / max(1, n - 1)
        glyph = Image.new("L", (radius // 4, radius // 4), 0)
        ImageDraw.Draw(glyph).text((radius // 8, radius // 8), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        r = (radius + inner) / 2
        x = int(c + r * math.cos(angle - math.pi / 2)) - glyph.width // 2
        y = int(c + r * math.sin(angle - math.pi / 2)) - glyph.height // 2
        seal.paste(Image.new("RGB", glyph.size, RED), (x, y), glyph)
    star = [(c + inner * 0.35 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
             c - inner * 0.35 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    d.polygon(star, fill=RED)
    d.text((c, c + inner * 0.55), middle, font=font("DejaVuSans-Bold.ttf", max(7, radius // 9)),
           fill=RED, anchor="mm")
    seal = seal.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC, fillcolor="white")
    # uneven ink: lighten random patches
    mask = Image.effect_noise(seal.size, 60).filter(ImageFilter.GaussianBlur(radius // 10))
    seal = Image.composite(seal, Image.new("RGB", seal.size, "white"),
                           mask.point(lambda v: 255 if v > 80 else int(255 * alpha)))
    region = (center[0] - c, center[1] - c)
    patch = img.crop((region[0], region[1], region[0] + size, region[1] + size))
    img.paste(ImageChops.multiply(patch, seal), region)
    return img


def handwrite(img: Image.Image, box: tuple[int, int, int, int], text: str, rng: random.Random) -> Image.Image:
    """White out the typed digits and write them again 'by hand': each glyph
    slanted, scaled and shifted a little, in blue-black ink, a bit larger."""
    left, top, right, bottom = box
    d = ImageDraw.Draw(img)
    d.rectangle([left - 2, top - 2, right + 2, bottom + 2], fill="white")
    h = bottom - top
    glyphs = []
    for ch in text:
        size = int(h * rng.uniform(1.15, 1.4))
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size // 2, size // 3), ch, font=font("DejaVuSans-Oblique.ttf", size), fill=255)
        glyph = glyph.filter(ImageFilter.MaxFilter(3)).rotate(rng.uniform(-12, 8), resample=Image.BICUBIC)
        bbox = glyph.getbbox()
        if bbox:
            glyphs.append(glyph.crop(bbox))
    # keep to the blank: squeeze the writing into the width of the typed digits
    total = sum(g.width for g in glyphs) + 2 * len(glyphs)
    squeeze = min(1.0, (right - left + 6) / max(1, total))
    x = left
    for glyph in glyphs:
        glyph = glyph.resize((max(1, int(glyph.width * squeeze)), glyph.height))
        y = bottom - glyph.height + rng.randint(-h // 6, h // 6)
        img.paste(Image.new("RGB", glyph.size, (25, 35, 110)), (x, y), glyph)
        x += glyph.width + 2
    return img


def scan_noise(img: Image.Image, rng: random.Random, skew: float, blur: float, noise: float) -> Image.Image:
    img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor="white")
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        grain = Image.effect_noise(img.size, noise).convert("RGB")
        img = ImageChops.add(ImageChops.multiply(img, Image.new("RGB", img.size, (238, 238, 238))),
                             ImageChops.multiply(grain, Image.new("RGB", img.size, (17, 17, 17))))
    return img


def uneven_light(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo: darker towards one corner, a warm tint."""
    corners = Image.new("L", (2, 2))
    corners.putdata([255, rng.randint(225, 240), rng.randint(215, 235), rng.randint(185, 205)])
    shade = corners.resize(img.size, resample=Image.BILINEAR)
    tint = Image.merge("RGB", (shade, shade.point(lambda v: v - 6), shade.point(lambda v: v - 18)))
    return ImageChops.multiply(img, tint)


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert(img.mode)


def save_pdf(pages: list[Image.Image], path: Path, dpi: int, quality: int) -> None:
    """Image-only PDF (what a scanner writes): one JPEG per page, no text layer."""
    grey = [p.convert("L") for p in pages]
    fixed = time.gmtime(1577836800)   # 2020-01-01: no build time in the file
    grey[0].save(path, format="PDF", save_all=True, append_images=grey[1:], resolution=dpi,
                 quality=quality, title="scan", creationDate=fixed, modDate=fixed)


# --- the fixtures ---------------------------------------------------------------

def sample_001(out: Path) -> list[Path]:
    pdf = next(SOURCES.glob("001_*.pdf"))
    dpi = 200
    pages = [render(pdf, i, dpi) for i in (0, 1)]
    save_pdf([p.copy() for p in pages], out / "001-scan-clean.pdf", dpi, 80)

    rng = random.Random(1)
    p1, p2 = pages
    number = find_box(pdf, 0, "415", dpi)
    date = find_box(pdf, 0, "ngày 19 tháng 3 năm 2018", dpi)
    signer = find_box(pdf, 1, "Phạm Duy Hưng", dpi)
    title = find_box(pdf, 1, "KT. CHỦ TỊCH", dpi)
    if number:
        handwrite(p1, number, "415", rng)
    if date:
        # a small seal whose rim crosses the end of the date line
        stamp(p1, (date[2] - 60, date[3] + 40), 95, "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN", "UBND", rng)
    if signer and title:
        stamp(p2, (signer[0] - 10, (title[1] + signer[3]) // 2), 150, "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN",
              "UBND", rng)
    degraded = [jpeg(scan_noise(p, rng, skew=rng.uniform(0.5, 1.0) * rng.choice((-1, 1)), blur=0.7, noise=40), 40)
                for p in (p1, p2)]
    save_pdf(degraded, out / "001-scan-degraded.pdf", dpi, 45)
    return [out / "001-scan-clean.pdf", out / "001-scan-degraded.pdf"]


def docx_to_pdf(docx: Path, tmp: Path) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    subprocess.run([exe, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp), str(docx)], check=True, capture_output=True, timeout=180)
    return tmp / (docx.stem + ".pdf")


def sample_000(out: Path, make_doc: bool) -> list[Path]:
    docx = next(SOURCES.glob("000_*.docx"))
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pdf = docx_to_pdf(docx, tmp)
        if pdf is None:
            print("LibreOffice (soffice) not installed: skipping the DOCX sample's photo and .doc")
            return made
        if make_doc or not (out / "000-sample.doc").is_file():
            exe = shutil.which("soffice") or shutil.which("libreoffice")
            subprocess.run([exe, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                            "--convert-to", "doc", "--outdir", str(tmp), str(docx)],
                           check=True, capture_output=True, timeout=180)
            shutil.copyfile(tmp / (docx.stem + ".doc"), out / "000-sample.doc")
            made.append(out / "000-sample.doc")
        dpi = 150
        rng = random.Random(0)
        page = render(pdf, 0, dpi)
        number = find_box(pdf, 0, "01/HD", dpi, chars=2)
        date = find_box(pdf, 0, "ngày 25 tháng 3 năm 2019", dpi)
        if number:
            handwrite(page, number, "01", rng)
        if date:
            stamp(page, (date[0] + 60, date[3] + 10), 75, "BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ", "HÀ TĨNH", rng)
        page = scan_noise(uneven_light(page, rng), rng, skew=1.4, blur=0.6, noise=0)
        page = jpeg(page, 70)
        # A palette keeps the PNG small; the red of the stamp survives in it.
        page.quantize(colors=48, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
            out / "000-photo.png", optimize=True, dpi=(dpi, dpi))
        made.append(out / "000-photo.png")
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--doc", action="store_true", help="rewrite the .doc fixture too")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    made = sample_001(args.out) + sample_000(args.out, args.doc)
    for path in made:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
