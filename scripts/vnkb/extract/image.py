"""Images as originals (a phone photo or a scanner's JPG/PNG/TIFF): every frame
is one page, read by OCR (see ocr.py)."""
from __future__ import annotations

import threading
from pathlib import Path

from ..models import Extracted
from .common import ExtractError

MAX_PAGES = 500
A4_WIDTH_IN = 8.27


def _dpi(image) -> int | None:
    """The resolution the file declares, when plausible for a scan."""
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else None


def read_image(path: Path, sha256: str, log=None) -> Extracted:
    from PIL import Image, ImageOps, UnidentifiedImageError

    from . import ocr as tess
    from .pdf import _to_lines

    try:
        image = Image.open(path)
        image.load()
    except Image.DecompressionBombError as exc:
        raise ExtractError(f"image too large to OCR safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ExtractError(f"unreadable image ({type(exc).__name__}: {exc})") from exc
    with image:
        n_pages = getattr(image, "n_frames", 1)
        if n_pages > MAX_PAGES:
            raise ExtractError(f"image has {n_pages} frames, more than the limit of {MAX_PAGES}")
        lock = threading.Lock()

        def render(index: int):
            def go():
                with lock:
                    image.seek(index)
                    # Phone photos are stored sideways with an EXIF note on how to turn them.
                    frame = ImageOps.exif_transpose(image)
                    # Without a declared resolution, take the image's width for an A4
                    # page's: positions come out in points like a PDF's.
                    dpi = _dpi(image) or max(70, min(1200, round(frame.width / A4_WIDTH_IN)))
                    return tess.encode_image(frame), dpi
            return go

        read = tess.ocr_pages(sha256, [(n, render(n - 1)) for n in range(1, n_pages + 1)],
                              label=path.name, log=log)
    lines = []
    sources = []
    for n in range(1, n_pages + 1):
        page = read[n]
        lines.extend(_to_lines(page.runs, n))
        sources.append({"page": n, "source": "ocr", "confidence": page.confidence})
    if not lines:
        raise ExtractError("OCR read no text in this image (blank, too blurred or not a document?)")
    return Extracted(lines=lines, pages=n_pages, format="image", hard_wrapped=True,
                     warnings=[], engine=tess.engine_name(), page_sources=sources)
