"""Paths shared by the tests (import as `from kbtest import ...`)."""
from __future__ import annotations

import posixpath
import re
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


# a Markdown link to a generated page: "](x.md)" or "](x.md#anchor)"; escaped text ("\\]") never matches
MD_LINK = re.compile(r"(?<!\\)\]\(([^()\s#:]+\.md)(?:#([^()\s]*))?\)")


def assert_links_resolve(pages: dict, check=None, outside=lambda path: False) -> None:
    """Every .md link of the pages in `check` (default: all of them) names a
    page of `pages`, or a path `outside` accepts (made elsewhere), and every
    anchor it names is on that page."""
    for page in pages if check is None else check:
        for target, frag in MD_LINK.findall(pages[page]):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
            if outside(path):
                continue
            assert path in pages, (page, target)
            if frag:
                assert f"{{#{frag}}}" in pages[path], (page, target, frag)


def project_copy(tmp_path: Path) -> Path:
    """A project folder as kb.py sees it, docs/ not built yet: mkdocs.yml, a
    copy of the sample originals in source_docs/, the assets and hand-written pages."""
    import shutil
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(SOURCE_DOCS, project / "source_docs")
    shutil.copytree(ROOT / "docs" / "assets", project / "docs" / "assets")
    for page in ("index.md", "tim-kiem.md"):
        shutil.copy(ROOT / "docs" / page, project / "docs" / page)
    return project
