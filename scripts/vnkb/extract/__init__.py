"""extract: one reader per format behind one function."""
from __future__ import annotations

from pathlib import Path

from ..models import Extracted, SourceFile
from .common import ExtractError

UNSUPPORTED = {
    "empty": "empty file (0 bytes)",
    "zip": "a zip archive that is not a .docx (no word/document.xml)",
    "binary": "unknown binary format (not PDF, DOCX, DOC, RTF, ODT, image or text)",
}


def extract(path: Path, source: SourceFile, log=None) -> Extracted:
    """Read one original; raises ExtractError with a one-line reason.
    log gets progress lines of slow steps (OCR)."""
    if source.format == "mislabelled":
        from ..discover import mislabelled, sniff_format
        with path.open("rb") as fh:
            raise ExtractError(mislabelled(path, sniff_format(fh.read(8192), path)) or "content does not match the file name")
    if source.format in UNSUPPORTED:
        raise ExtractError(UNSUPPORTED[source.format])
    try:
        if source.format == "pdf":
            from .pdf import read_pdf
            return _corrected(read_pdf(path, sha256=source.sha256, log=log))
        if source.format == "docx":
            from .docx import read_docx
            return read_docx(path)
        if source.format in ("doc", "rtf", "odt"):
            from .convert import read_converted
            return read_converted(path, source.format, source.sha256)
        if source.format == "image":
            from .image import read_image
            return _corrected(read_image(path, source.sha256, log=log))
        from .text import read_text
        return read_text(path)
    except (ExtractError, MemoryError):
        raise
    except Exception as exc:
        # A damaged file makes the libraries fail in many ways (zipfile OSError,
        # PdfiumError on one page, lxml syntax errors ...): it is unreadable,
        # and the message says how, so a reader bug would still show.
        kind = {"pdf": "PDF", "docx": ".docx", "image": "image"}.get(source.format, source.format)
        raise ExtractError(f"damaged {kind} file, cannot be read ({type(exc).__name__}: {exc})"[:300]) from exc


def _corrected(extracted: Extracted) -> Extracted:
    """Post-OCR correction of the OCR lines (a separate, recorded step: ocr_fix.py)."""
    if not any(line.conf is not None for line in extracted.lines):
        return extracted
    from dataclasses import replace

    from .ocr_fix import correct
    lines, fixes = correct(extracted.lines)
    return replace(extracted, lines=lines, corrections=extracted.corrections + fixes)


__all__ = ["extract", "ExtractError"]
