"""extract: one reader per format behind one function."""
from __future__ import annotations

from pathlib import Path

from ..models import Extracted, SourceFile
from .common import ExtractError

UNSUPPORTED = {
    "empty": "empty file (0 bytes)",
    "doc": "old binary Word .doc: open it in Word or LibreOffice and save it as .docx",
    "rtf": "RTF is not supported yet: save it as .docx",
    "odt": "OpenDocument text is not supported yet: save it as .docx",
    "image": "image (a scan or photo?): OCR is not supported yet",
    "zip": "a zip archive that is not a .docx (no word/document.xml)",
    "binary": "unknown binary format (not PDF, DOCX or text)",
}


def extract(path: Path, source: SourceFile) -> Extracted:
    """Read one original; raises ExtractError with a one-line reason."""
    if source.format == "mislabelled":
        from ..discover import mislabelled, sniff_format
        with path.open("rb") as fh:
            raise ExtractError(mislabelled(path, sniff_format(fh.read(8192), path)) or "content does not match the file name")
    if source.format in UNSUPPORTED:
        raise ExtractError(UNSUPPORTED[source.format])
    try:
        if source.format == "pdf":
            from .pdf import read_pdf
            return read_pdf(path)
        if source.format == "docx":
            from .docx import read_docx
            return read_docx(path)
        from .text import read_text
        return read_text(path)
    except (ExtractError, MemoryError):
        raise
    except Exception as exc:
        # A damaged file makes the libraries fail in many ways (zipfile OSError,
        # PdfiumError on one page, lxml syntax errors ...): it is unreadable,
        # and the message says how, so a reader bug would still show.
        kind = {"pdf": "PDF", "docx": ".docx"}.get(source.format, "text")
        raise ExtractError(f"damaged {kind} file, cannot be read ({type(exc).__name__}: {exc})"[:300]) from exc


__all__ = ["extract", "ExtractError"]
