"""site: MkDocs (+ Material) builds docs/ into site/, atomically.

The build goes to a fresh temporary folder beside site/ and replaces site/ only
when MkDocs succeeded (--strict: a broken internal link fails the build), so a
failed build leaves the published site as it was. SOURCE_DATE_EPOCH pins the
dates MkDocs writes (sitemap) so the same sources give the same site.

A rebuild reuses what has not changed. site/.kb-site.json records what the site
was built from (mkdocs.yml, site_url, package versions, this module's code, a
hash of every file of docs/). When all but the sources are the same, every
output of an unchanged source is hard-linked from the published site into the
new folder, and MkDocs runs with --dirty, so it renders only the pages it finds
missing (at 10,000 documents a full MkDocs run takes minutes). A file is linked
only when MkDocs will also judge it unmodified (its output is not older than
its source), so MkDocs never writes into a linked file and the published site
is never touched. The result is byte-identical to a clean build (a test checks it).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .swap import swap_in, temp_for

SOURCE_DATE_EPOCH = "1577836800"   # 2020-01-01; only used for dates MkDocs stamps
STATE = ".kb-site.json"
SITE_PACKAGES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "pagefind", "Jinja2")
# MkDocs warns on every --dirty build ("for site development only"), and --strict
# counts that warning as an error; the build is otherwise MkDocs' own CLI.
_RUNNER = """
import logging, sys
from mkdocs.__main__ import cli
logging.getLogger("mkdocs.commands.build").addFilter(lambda r: "'dirty' build" not in r.getMessage())
sys.exit(cli())
"""


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


def build_site(project: Path, site_dir: Path, quiet: bool = False, reuse: bool = True) -> dict[str, float]:
    """Build, then swap in; returns the seconds of each step (and how many
    files were reused from the published site, under "reused"). MkDocs' output
    is captured whether quiet or not; reuse=False forces a clean build."""
    check_site_dir(project, site_dir)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    tmp = temp_for(site_dir)
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH))
    state = site_state(project, env)
    linked = link_unchanged(project / "docs", site_dir, tmp, state) if reuse else set()
    timings["reused"] = len(linked)
    timings["link"] = time.perf_counter() - clock
    clock = time.perf_counter()
    cmd = [sys.executable, "-c", _RUNNER, "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(tmp),
           "--dirty" if linked else "--clean"]
    # never -q: MkDocs then drops its warnings before --strict counts them, and a
    # broken link would pass (the output is captured either way)
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    timings["mkdocs"] = time.perf_counter() - clock
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError("mkdocs build failed:\n" + (proc.stderr or proc.stdout)[-4000:])
    # After MkDocs: the Atom feed (needs site_url) and the browser search
    # index (Pagefind) over the search blocks of document pages only.
    from .publish.feed import site_url, write_feed
    from .search.browser import run_pagefind
    try:
        clock = time.perf_counter()
        squeeze_pages(tmp, linked)
        timings["squeeze"] = time.perf_counter() - clock
        clock = time.perf_counter()
        write_feed(tmp, site_url(project))
        timings["feed"] = time.perf_counter() - clock
        clock = time.perf_counter()
        run_pagefind(tmp)
        timings["pagefind"] = time.perf_counter() - clock
        (tmp / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                                 encoding="utf-8")
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError(str(exc)) from exc
    clock = time.perf_counter()
    swap_in(tmp, site_dir)
    timings["swap"] = time.perf_counter() - clock
    return timings


def site_state(project: Path, env: dict) -> dict:
    """What a site is built from: if any of it but the sources differs, nothing is reused."""
    from importlib.metadata import version

    from .discover import sha256_file
    # this file's own text: how pages are post-processed is part of what they are
    return {"site_py": sha256_file(Path(__file__)), "mkdocs_yml": sha256_file(project / "mkdocs.yml"),
            "site_url": env.get("KB_SITE_URL", ""),
            "source_date_epoch": env.get("SOURCE_DATE_EPOCH", ""),
            "packages": {name: version(name) for name in SITE_PACKAGES},
            "sources": {path.relative_to(project / "docs").as_posix(): sha256_file(path)
                        for path in sorted((project / "docs").rglob("*")) if path.is_file()}}


def output_path(source: str) -> str:
    """Where MkDocs (use_directory_urls) writes a file of docs/."""
    if not source.endswith(".md"):
        return source
    parent, _, name = source.rpartition("/")
    stem = name[:-3]
    out = "index.html" if stem == "index" else f"{stem}/index.html"
    return f"{parent}/{out}" if parent else out


def link_unchanged(docs: Path, site: Path, tmp: Path, state: dict) -> set[str]:
    """Hard-link into tmp the published outputs of unchanged sources; returns their paths."""
    try:
        old = json.loads((site / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if {k: v for k, v in old.items() if k != "sources"} != {k: v for k, v in state.items() if k != "sources"}:
        return set()
    before = old.get("sources", {})
    linked = set()
    for source, digest in state["sources"].items():
        if before.get(source) != digest or source.rsplit("/", 1)[-1] == "README.md":
            continue
        out = output_path(source)
        published = site / out
        # MkDocs --dirty skips a file whose output is not older than its source;
        # link only those, so MkDocs never writes into a linked (published) file.
        try:
            if not published.is_file() or published.stat().st_mtime < (docs / source).stat().st_mtime:
                continue
        except OSError:
            continue
        target = tmp / out
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(published, target)
        except OSError:                  # no hard links here: a copy, with its times
            shutil.copy2(published, target)
        linked.add(out)
    return linked


# Material's templates indent every line: a document page carried about 4 KB
# of indentation. Runs of white space that hold a line break become one line
# break, except inside elements whose white space is content.
_VERBATIM = re.compile(r"<(pre|textarea|script|style|code)\b.*?</\1\s*>", re.S | re.I)
_BREAK = re.compile(r"[ \t\r\f]*\n[ \t\r\f\n]*")    # ASCII only: a no-break space is content


def squeeze(html: str) -> str:
    """The page with indentation removed; renders the same (HTML folds white space)."""
    out, pos = [], 0
    for m in _VERBATIM.finditer(html):
        out += [_BREAK.sub("\n", html[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(_BREAK.sub("\n", html[pos:]))
    return "".join(out)


def squeeze_pages(site: Path, skip: set[str]) -> None:
    """squeeze() every page MkDocs wrote (a linked page is published, and squeezed already)."""
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).as_posix() in skip:
            continue
        text = page.read_text(encoding="utf-8")
        small = squeeze(text)
        if small != text:
            page.write_text(small, encoding="utf-8")
