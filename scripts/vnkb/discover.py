"""discover: find originals under the source folder, identify them by sha256 and
detect their format from content (magic bytes), never from the file name."""
from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from .models import SourceFile

OVERRIDE_SUFFIX = ".meta.yaml"
IGNORED_NAMES = {".gitkeep", ".gitignore", ".DS_Store", "Thumbs.db", "desktop.ini", "README.md"}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8")


def sniff_format(head: bytes, path: Path | None = None) -> str:
    """Classify a file by its first bytes (and, for zips, its member names)."""
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if path is not None:
            try:
                with zipfile.ZipFile(path) as zf:
                    names = set(zf.namelist())
                    mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
            except (zipfile.BadZipFile, OSError, ValueError, KeyError):
                return "zip"
            if "word/document.xml" in names:
                return "docx"
            if "content.xml" in names and mimetype.strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
        return "zip"
    if head.startswith(_OLE2):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if b"\x00" in head[:4096]:
        # UTF-16 without BOM has a NUL in every other byte; anything else is binary.
        even, odd = head[0:4096:2], head[1:4096:2]
        if odd.count(0) > len(odd) * 0.4 or even.count(0) > len(even) * 0.4:
            return "text"
        return "binary"
    return "text"


# A file named like a binary format whose content is text is a broken or
# mislabelled original, not a text document.
BINARY_SUFFIXES = {".pdf": "PDF", ".docx": "Word (.docx)", ".doc": "Word (.doc)", ".xlsx": "Excel",
                   ".odt": "OpenDocument", ".zip": "zip"}


def mislabelled(path: Path, fmt: str) -> str | None:
    kind = BINARY_SUFFIXES.get(path.suffix.lower())
    if kind and fmt in ("text", "binary", "zip") and not (fmt == "zip" and path.suffix.lower() == ".zip"):
        return f"named {path.suffix} but its content is not a {kind} file ({fmt})"
    return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_source_candidate(path: Path, root: Path | None = None) -> bool:
    """Originals are all files except overrides, system files, Word's "~$" lock
    files and anything inside a hidden folder (.git ...)."""
    name = path.name
    folders = path.relative_to(root).parts[:-1] if root else ()
    return not (name.endswith(OVERRIDE_SUFFIX) or name in IGNORED_NAMES or name.startswith("~$")
                or any(part.startswith(".") for part in folders))


def identify(path: Path, rel: str, stat_cache=None) -> SourceFile:
    """One file -> SourceFile (sha256, format from content)."""
    st = path.stat()
    known = stat_cache.lookup(rel, st.st_size, st.st_mtime_ns) if stat_cache else None
    if known is not None:
        sha, fmt = known
    else:
        with path.open("rb") as fh:
            head = fh.read(8192)
        fmt = sniff_format(head, path)
        if mislabelled(path, fmt):
            fmt = "mislabelled"
        sha = sha256_file(path)
        if stat_cache:
            stat_cache.remember(rel, st.st_size, st.st_mtime_ns, sha, fmt)
    return SourceFile(path=rel, sha256=sha, size=st.st_size, format=fmt)


def discover(root: Path, stat_cache=None) -> list[SourceFile]:
    """All candidate originals below root, sorted by relative path (deterministic:
    folder by folder, as Path objects sort). Symbolic links are not followed
    (an original is a file inside the folder)."""
    rels: list[str] = []
    for folder, dirs, files in os.walk(root):      # (does not enter linked folders)
        base = Path(folder).relative_to(root).as_posix()
        for name in files:
            rel = name if base == "." else f"{base}/{name}"
            path = root / rel
            if not path.is_symlink() and path.is_file() and is_source_candidate(path, root):
                rels.append(rel)
    return [identify(root / rel, rel, stat_cache) for rel in sorted(rels, key=lambda r: r.split("/"))]


def override_path(root: Path, source: SourceFile) -> Path:
    return root / (source.path + OVERRIDE_SUFFIX)
