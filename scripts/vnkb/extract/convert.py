"""Old and other word-processor formats (.doc, .rtf, .odt) through LibreOffice.

LibreOffice (Debian: libreoffice-writer-nogui) converts them to .docx, which the
DOCX reader reads; its tables survive the conversion, so the Decree 30 header
and signature tables come out as columns exactly as from a .docx original (a
plain-text converter such as antiword flattens them). The .docx is cached by
the original's sha256 and the LibreOffice version, like OCR results.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ..models import Extracted
from .common import ExtractError

PACKAGE = "libreoffice-writer-nogui"
TIMEOUT_S = 180
KIND = {"doc": "Word 97-2003 (.doc)", "rtf": "RTF", "odt": "OpenDocument text (.odt)"}
SUFFIX = {"doc": ".doc", "rtf": ".rtf", "odt": ".odt"}
_WORD_STREAM = "WordDocument".encode("utf-16-le")   # name of the main stream in an OLE2 Word file


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _version(exe: str) -> str:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.strip()[:80] or "?"


def _cache_dir() -> Path:
    from .ocr import cache_dir
    return cache_dir().parent / "convert-cache"


def to_docx(path: Path, fmt: str, sha256: str) -> Path:
    """The original converted to .docx (cached); raises ExtractError with the reason."""
    exe = soffice()
    if exe is None:
        raise ExtractError(f"{KIND[fmt]} needs LibreOffice to be read: install the Debian package "
                           f"{PACKAGE} (apt-get install --no-install-recommends {PACKAGE}), "
                           "or open the file in Word and save it as .docx")
    if fmt == "doc" and _WORD_STREAM not in path.read_bytes():
        raise ExtractError("an OLE2 (MS Office 97-2003) file without a Word document stream: "
                           "Excel, PowerPoint or a broken .doc? Open it in Word and save it as .docx")
    key = hashlib.sha256(f"{sha256}|{_version(exe)}".encode()).hexdigest()[:32]
    cached = _cache_dir() / f"{key}.docx"
    if cached.is_file():
        return cached
    with tempfile.TemporaryDirectory(prefix="vnkb-lo-") as tmp:
        work = Path(tmp)
        src = work / ("original" + SUFFIX[fmt])     # never pass the original's name to a command
        shutil.copyfile(path, src)
        # A private profile: no clash with a running LibreOffice, nothing written to $HOME.
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  env={**os.environ, "HOME": tmp}, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise ExtractError(f"LibreOffice took more than {TIMEOUT_S} s to convert this {KIND[fmt]} file") from exc
        out = work / "out" / "original.docx"
        if proc.returncode != 0 or not out.is_file():
            detail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]
            raise ExtractError(f"LibreOffice could not convert this {KIND[fmt]} file ({detail}): "
                               "broken file? Open it in Word and save it as .docx")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp_cached = cached.with_name(cached.name + f".{os.getpid()}.tmp")
            shutil.copyfile(out, tmp_cached)
            tmp_cached.replace(cached)
            return cached
        except OSError:
            keep = Path(tempfile.mkdtemp(prefix="vnkb-lo-out-")) / "original.docx"
            shutil.copyfile(out, keep)
            return keep


def read_converted(path: Path, fmt: str, sha256: str) -> Extracted:
    from .docx import read_docx
    extracted = read_docx(to_docx(path, fmt, sha256))
    return replace(extracted, format=fmt, engine="libreoffice+python-docx")
