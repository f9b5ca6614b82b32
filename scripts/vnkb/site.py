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

MkDocs renders on one core. Many pages to render are split between processes
by the same mechanism: each MkDocs process builds into its own folder, where
every page another process renders is stood in for by an empty file with its
source's time, so --dirty skips it; the pages are then moved together. No page
depends on another page's rendering here (the navigation's titles are written
in mkdocs.yml), so the result is byte-identical to one process (a test checks
that too). MkDocs does not check a link to an anchor on a page another process
renders; generated pages link to anchors on their own page only, but for a long
template's outline, whose links to sections on the other pages of the same text
render._link_anchors computes (tests check them where one process renders all).
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .forked import forked_map, processes
from .swap import swap_in, temp_for

SOURCE_DATE_EPOCH = "1577836800"   # 2020-01-01; only used for dates MkDocs stamps
STATE = ".kb-site.json"
SPLIT_FROM = 400       # fewer pages to render: a second MkDocs costs more than it saves
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


@dataclass
class SiteBuild:
    seconds: dict[str, float]       # per step: link (and stand-ins), mkdocs, merge, squeeze, feed, pagefind, swap
    reused: int = 0                 # files linked from the published site
    processes: int = 1              # MkDocs processes that rendered pages


def build_site(project: Path, site_dir: Path, reuse: bool = True, procs: int = 0) -> SiteBuild:
    """Build, then swap in. MkDocs' output is captured; reuse=False forces a
    clean build; procs: MkDocs processes (0: one per core once there are
    SPLIT_FROM pages to render, else one)."""
    project, site_dir = project.resolve(), site_dir.resolve()     # MkDocs runs in project
    check_site_dir(project, site_dir)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    tmp = temp_for(site_dir)
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH))
    state = site_state(project, env)
    linked = link_unchanged(project / "docs", site_dir, tmp, state) if reuse else set()
    docs = project / "docs"
    pending = [src for src in state["sources"] if src.endswith(".md") and output_path(src) not in linked
               and src.rsplit("/", 1)[-1] != "README.md"]
    n = procs or (processes() if len(pending) >= SPLIT_FROM else 1)
    shares = split(pending, [(docs / src).stat().st_size for src in pending], n)
    for stale in sorted(tmp.parent.glob(glob.escape(tmp.name) + "-*")):    # of a killed build
        shutil.rmtree(stale, ignore_errors=True)
    folders = [tmp] + [tmp.with_name(f"{tmp.name}-{i}") for i in range(1, len(shares))]
    try:
        for i, folder in enumerate(folders):
            others = [src for src in state["sources"] if src not in shares[i] and (i or src in pending)]
            stand_in(docs, folder, [src for src in others if not (folder / output_path(src)).exists()])
        seconds["link"] = time.perf_counter() - clock
        clock = time.perf_counter()
        run_mkdocs(project, folders, env, dirty=bool(linked) or len(folders) > 1)
        seconds["mkdocs"] = time.perf_counter() - clock
        clock = time.perf_counter()
        for folder, share in zip(folders[1:], shares[1:]):
            for src in share:
                os.replace(folder / output_path(src), tmp / output_path(src))
        seconds["merge"] = time.perf_counter() - clock
        # After MkDocs: the Atom feed (needs site_url) and the browser search
        # index (Pagefind) over the search blocks of document pages only.
        from .publish.feed import site_url, write_feed
        from .search.browser import run_pagefind
        clock = time.perf_counter()
        squeeze_pages(tmp, linked)
        seconds["squeeze"] = time.perf_counter() - clock
        clock = time.perf_counter()
        write_feed(tmp, site_url(project))
        seconds["feed"] = time.perf_counter() - clock
        clock = time.perf_counter()
        run_pagefind(tmp)
        seconds["pagefind"] = time.perf_counter() - clock
        (tmp / STATE).write_text(json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                                 encoding="utf-8")
    except SiteError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError(str(exc)) from exc
    finally:
        for folder in folders[1:]:
            shutil.rmtree(folder, ignore_errors=True)
    clock = time.perf_counter()
    swap_in(tmp, site_dir)
    seconds["swap"] = time.perf_counter() - clock
    return SiteBuild(seconds, reused=len(linked), processes=len(folders))


def split(pages: list[str], sizes: list[int], n: int) -> list[set[str]]:
    """Pages in n shares of about equal source size (largest first, each to the
    lightest share): which process renders a page changes no byte of it."""
    shares: list[set[str]] = [set() for _ in range(max(1, min(n, len(pages))))]
    load = [0] * len(shares)
    for size, page in sorted(zip(sizes, pages), key=lambda sp: (-sp[0], sp[1])):
        i = load.index(min(load))
        shares[i].add(page)
        load[i] += size
    return shares


def stand_in(docs: Path, folder: Path, sources: list[str]) -> None:
    """An empty output with its source's time for each source: MkDocs --dirty
    judges it unmodified and neither renders nor copies it."""
    for src in sources:
        out = folder / output_path(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.touch()
        mtime = (docs / src).stat().st_mtime_ns
        os.utime(out, ns=(mtime, mtime))


def run_mkdocs(project: Path, folders: list[Path], env: dict, dirty: bool) -> None:
    """MkDocs into each folder, at the same time; SiteError if any fails."""
    # never -q: MkDocs then drops its warnings before --strict counts them, and a
    # broken link would pass. Output goes to files: a full pipe would stall a run.
    with ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8")) for _ in folders]
        runs = [subprocess.Popen([sys.executable, "-c", _RUNNER, "build", "--strict", "-f",
                                  str(project / "mkdocs.yml"), "-d", str(folder), "--dirty" if dirty else "--clean"],
                                 cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
                for folder, log in zip(folders, logs)]
        failed = []
        try:
            for run, log in zip(runs, logs):
                if run.wait() != 0:
                    log.seek(0)
                    failed.append(log.read()[-4000:])
        finally:            # interrupted: no MkDocs goes on writing into a folder being removed
            for run in runs:
                if run.poll() is None:
                    run.kill()
                    run.wait()
    if failed:
        raise SiteError("mkdocs build failed:\n" + "\n".join(failed))


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
    pages = [page for page in sorted(site.rglob("*.html")) if page.relative_to(site).as_posix() not in skip]
    for _ in forked_map(squeeze_file, pages, chunksize=64):
        pass


def squeeze_file(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    small = squeeze(text)
    if small != text:
        page.write_text(small, encoding="utf-8")
