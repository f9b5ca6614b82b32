"""Build caches (build/cache/, never committed): what an unchanged original
gave last time, so an incremental build does not extract, parse or cite it again.

A result is keyed on the original's sha256, its override file's bytes and the
code version (a hash of this package's source and data files): changing the
parser invalidates every entry, changing one original only its own.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
import sys
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PACK = "models.pickle"


@lru_cache(maxsize=None)
def code_version() -> str:
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".yml", ".json", ".txt") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def value_digest(value) -> str:
    """sha256 of a pickle without memo: equal values give equal bytes,
    whichever of their parts are one object (a plain pickle records that)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(buf.getvalue()).hexdigest()


class ResultCache:
    def __init__(self, folder: Path | None):
        self.folder = folder / code_version() if folder else None

    def prune(self) -> int:
        """Remove the entries of other code versions (an upgrade leaves them
        behind, and nothing reads them again)."""
        if not self.folder or not self.folder.parent.is_dir():
            return 0
        gone = 0
        for other in self.folder.parent.iterdir():
            if other.is_dir() and other != self.folder and len(other.name) == 16 \
                    and all(c in "0123456789abcdef" for c in other.name):
                shutil.rmtree(other, ignore_errors=True)
                gone += 1
        return gone

    def key(self, sha256: str, override: bytes | None) -> str:
        return hashlib.sha256(sha256.encode() + b"\0" + (override or b"")).hexdigest()

    def has(self, key: str) -> bool:
        return bool(self.folder) and (self.folder / key[:2] / f"{key}.pickle").is_file()

    def get(self, key: str):
        if not self.folder:
            return None
        path = self.folder / key[:2] / f"{key}.pickle"
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value) -> None:
        if self.folder:
            self._dump(self.folder / key[:2] / f"{key}.pickle", value)

    # The pack: the last build's models (key -> value, as put() holds them)
    # pickled as one. Loading 10,000 models one file each, then making their
    # equal strings one object again (share_strings), took twice as long as
    # loading one pickle, which keeps which strings were one object.
    def read_pack(self) -> dict:
        if not self.folder:
            return {}
        try:
            with (self.folder / PACK).open("rb") as fh:
                pack = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return {}
        return pack if isinstance(pack, dict) else {}

    def write_pack(self, values: dict) -> None:
        if self.folder:
            self._dump(self.folder / PACK, values)

    def _dump(self, path: Path, value) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)


class StatCache:
    """path -> (size, mtime_ns, sha256, format, code version): an unchanged
    file is not read again (neither hashed nor sniffed: a .docx is opened as
    a zip to sniff) while the code that sniffed it is the same."""

    def __init__(self, path: Path | None):
        self.path = path
        self.data: dict[str, list] = {}
        if path and path.is_file():
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                self.data = {}

    def lookup(self, rel: str, size: int, mtime_ns: int) -> tuple[str, str] | None:
        """(sha256, format) remembered for this path at this size and time."""
        entry = self.data.get(rel)
        if entry and len(entry) == 5 and entry[:2] == [size, mtime_ns] and entry[4] == code_version():
            return entry[2], entry[3]
        return None

    def remember(self, rel: str, size: int, mtime_ns: int, sha: str, fmt: str) -> None:
        self.data[rel] = [size, mtime_ns, sha, fmt, code_version()]

    def save(self, keep: set[str]) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in sorted(self.data.items()) if k in keep}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.path)
