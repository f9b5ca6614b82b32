"""site: MkDocs (+ Material) builds docs/ into site/, atomically.

The build goes to a fresh temporary folder beside site/ and replaces site/ only
when MkDocs succeeded (--strict: a broken internal link fails the build), so a
failed build leaves the published site as it was. SOURCE_DATE_EPOCH pins the
dates MkDocs writes (sitemap) so the same sources give the same site.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .swap import swap_in, temp_for

SOURCE_DATE_EPOCH = "1577836800"   # 2020-01-01; only used for dates MkDocs stamps


class SiteError(Exception):
    pass


def check_site_dir(project: Path, site_dir: Path) -> None:
    """site_dir is replaced whole: never let it be the project, docs/ or a
    folder that holds them (or sources)."""
    site = site_dir.resolve()
    protected = [project.resolve(), (project / "docs").resolve(), (project / "source_docs").resolve(),
                 (project / "scripts").resolve(), (project / "tests").resolve()]
    for p in protected:
        if site == p or site in p.parents:
            raise SiteError(f"refusing to build the site into {site_dir}: it would replace {p}")
    if (site / "mkdocs.yml").exists() or (site / ".git").exists() or any(site.glob("*.md")):
        raise SiteError(f"refusing to build the site into {site_dir}: it holds sources, not a built site")


def build_site(project: Path, site_dir: Path, quiet: bool = False) -> None:
    check_site_dir(project, site_dir)
    tmp = temp_for(site_dir)
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH))
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(project / "mkdocs.yml"),
           "-d", str(tmp)]
    if quiet:
        cmd.append("-q")
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError("mkdocs build failed:\n" + (proc.stderr or proc.stdout)[-4000:])
    # After MkDocs: the Atom feed (needs site_url) and the browser search
    # index (Pagefind) over the search blocks of document pages only.
    from .publish.feed import site_url, write_feed
    from .search.browser import run_pagefind
    try:
        write_feed(tmp, site_url(project))
        run_pagefind(tmp)
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError(str(exc)) from exc
    swap_in(tmp, site_dir)
