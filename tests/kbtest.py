"""Paths shared by the tests (import as `from kbtest import ...`)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DOCS = ROOT / "source_docs"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"   # the four texts the project started from, as extracted


def build_site_into(dest: Path):
    """The site as `kb.py build` makes it: `mkdocs build --strict` (a real
    subprocess) then the post-build steps (Pagefind), into dest; returns a
    CompletedProcess-like result (returncode, stderr)."""
    import os
    import subprocess
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from vnkb.site import SiteError, build_site
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")
    try:
        build_site(ROOT, dest)
    except SiteError as exc:
        return subprocess.CompletedProcess(args=["build_site"], returncode=1, stdout="", stderr=str(exc))
    return subprocess.CompletedProcess(args=["build_site"], returncode=0, stdout="", stderr="")
