"""Incremental builds: an unchanged original is not read, parsed, rendered or
indexed again; a changed one is, and the result equals a clean build."""
from __future__ import annotations

import pickle
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtest import ROOT, SOURCE_DOCS, project_copy
from vnkb.build import build, context_fingerprint
from vnkb.cache import StatCache, code_version
from vnkb.discover import discover
from vnkb.repair.context import ArchiveEvidence, document_evidence


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_second_build_reads_nothing_again(tmp_path):
    cache = tmp_path / "cache"
    first = build(SOURCE_DOCS, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    again = build(SOURCE_DOCS, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert again.cached == len(first.results) and again.written == 0
    assert "extract" not in again.timings                      # no original was read
    assert again.index_stats.added == again.index_stats.updated == 0


def test_changed_original_is_redone_and_matches_a_clean_build(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCE_DOCS, src)
    cache = tmp_path / "cache"
    build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    txt = next(src.glob("002_*.txt"))
    txt.write_bytes(txt.read_bytes() + "\nBổ sung: gửi báo cáo trước ngày 20/6.\n".encode())
    inc = build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert inc.cached == 3 and inc.index_stats.updated >= 1
    build(src, tmp_path / "clean", index_dir=tmp_path / "clean-index")
    assert _files(tmp_path / "docs") == _files(tmp_path / "clean")
    assert any("Bổ sung: gửi báo cáo" in repr(doc.to_dict()) for doc in inc.documents)


def test_pages_cut_in_parts_survive_a_rebuild_and_follow_a_change(tmp_path, monkeypatch):
    """With a small page budget the samples' long pages and much-cited entries
    have continuation pages (trang-2 ...). An unchanged entry is not rendered
    again, yet its continuation pages stay; after a change the docs equal a
    clean build's."""
    from vnkb import paging
    monkeypatch.setattr(paging, "BUDGET", 2_500)
    src = tmp_path / "src"
    shutil.copytree(SOURCE_DOCS, src)
    cache = tmp_path / "cache"
    build(src, tmp_path / "docs", cache_dir=cache)
    parts = {p.relative_to(tmp_path / "docs").as_posix() for p in (tmp_path / "docs").rglob("trang-*.md")}
    assert any(p.startswith("dan-chieu/") for p in parts) and any(p.startswith("van-ban/") for p in parts)
    again = build(src, tmp_path / "docs", cache_dir=cache)
    assert again.written == 0
    assert parts <= {p.relative_to(tmp_path / "docs").as_posix() for p in (tmp_path / "docs").rglob("trang-*.md")}
    txt = next(src.glob("002_*.txt"))
    txt.write_bytes(txt.read_bytes() + "\nBổ sung: gửi báo cáo trước ngày 20/6.\n".encode())
    build(src, tmp_path / "docs", cache_dir=cache)
    build(src, tmp_path / "clean")
    assert _files(tmp_path / "docs") == _files(tmp_path / "clean")


def test_a_new_original_leaves_other_repairs_cached_and_matches_a_clean_build(tmp_path):
    # 002's repair consulted the archive's counts; a new short notice does not
    # change the values it looked up, so 002 is reused, and the result is still
    # what a clean build gives
    src = tmp_path / "src"
    shutil.copytree(SOURCE_DOCS, src)
    cache = tmp_path / "cache"
    first = build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert any(d.repairs for d in first.documents)
    (src / "004_thong_bao.txt").write_text(
        "THÔNG BÁO\nLịch trực Tết Nguyên đán\nVăn phòng: xe ô tô, phòng họp tầng hai; bảo vệ cổng chính.\n",
        encoding="utf-8")
    inc = build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert inc.cached == 4
    build(src, tmp_path / "clean", index_dir=tmp_path / "clean-index")
    assert _files(tmp_path / "docs") == _files(tmp_path / "clean")


def _pack(cache):
    return cache / code_version() / "models.pickle"


def test_a_rebuild_loads_the_models_from_the_pack(tmp_path):
    """The pack is what a rebuild reads: a title changed in it shows (only the
    build writes it; this proves the per-document files were not read instead)."""
    cache = tmp_path / "cache"
    build(SOURCE_DOCS, tmp_path / "docs", cache_dir=cache)
    pack = pickle.loads(_pack(cache).read_bytes())
    assert len(pack) == 4
    key, value = sorted(pack.items())[0]
    value[0].title = "Tiêu đề lấy từ gói mô hình"
    _pack(cache).write_bytes(pickle.dumps(pack))
    again = build(SOURCE_DOCS, tmp_path / "docs", cache_dir=cache)
    assert again.cached == 4
    assert "Tiêu đề lấy từ gói mô hình" in {d.title for d in again.documents}


def test_one_change_leaves_the_pack_and_a_broken_pack_is_rewritten(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCE_DOCS, src)
    cache = tmp_path / "cache"
    build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    before = _pack(cache).read_bytes()
    txt = next(src.glob("002_*.txt"))
    txt.write_bytes(txt.read_bytes() + "\nBổ sung: gửi báo cáo trước ngày 20/6.\n".encode())
    inc = build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert inc.cached == 3 and _pack(cache).read_bytes() == before   # the changed model: from its own file
    build(src, tmp_path / "clean", index_dir=tmp_path / "clean-index")
    assert _files(tmp_path / "docs") == _files(tmp_path / "clean")
    _pack(cache).write_bytes(before[: len(before) // 2])              # cut short, as by a crash
    again = build(src, tmp_path / "docs", index_dir=tmp_path / "index", cache_dir=cache)
    assert again.cached == 4 and again.written == 0
    assert len(pickle.loads(_pack(cache).read_bytes())) == 4


def test_catalog_and_quality_rows_are_kept_by_render_key(tmp_path):
    """A document's catalog lines and data-quality rows come from the last
    build while its render key holds (a row changed in the kept parts shows),
    and are made again when it changes."""
    src, docs, cache = tmp_path / "src", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(SOURCE_DOCS, src)
    build(src, docs, cache_dir=cache)
    for kind in ("catalog", "quality"):
        shards = sorted(cache.glob(f"parts-{kind}-*.pickle"))
        assert len(shards) == 17 and sum(len(pickle.loads(path.read_bytes())) for path in shards)
        for path in shards:
            kept = pickle.loads(path.read_bytes())
            for key, part in kept.items():
                kept[key] = ([f'{{"id": "giu-lai-{kind}"}}'],) + part[1:] if kind == "catalog" \
                    else f"giu-lai-{kind}\r\n"
            path.write_bytes(pickle.dumps(kept))
    build(src, docs, cache_dir=cache)
    assert "giu-lai-catalog" in (docs / "api" / "catalog.json").read_text(encoding="utf-8")
    assert "giu-lai-quality" in (docs / "danh-muc" / "kiem-tra-du-lieu.csv").read_text(encoding="utf-8-sig")
    txt = next(src.glob("002_*.txt"))     # one document changes, the others go: no part is kept
    txt.write_bytes(txt.read_bytes() + "\nBổ sung: gửi báo cáo trước ngày 20/6.\n".encode())
    for other in src.glob("00[013]_*"):
        other.unlink()
    build(src, docs, cache_dir=cache)
    build(src, tmp_path / "clean")
    for f in ("api/catalog.json", "api/danh-muc.csv", "tra-cuu/so-hieu.json", "danh-muc/kiem-tra-du-lieu.csv"):
        assert (docs / f).read_bytes() == (tmp_path / "clean" / f).read_bytes(), f


def test_kept_results_rewrite_only_the_files_of_changed_keys(tmp_path):
    from vnkb.build import Kept
    kept = Kept(tmp_path / "k.pickle")
    for key in ("a1", "b2", "c3", "zz"):
        kept.get(key, key.upper)
    kept.save()
    inode = {p.name: p.stat().st_ino for p in tmp_path.glob("k-*.pickle")}
    assert len(inode) == 17
    again = Kept(tmp_path / "k.pickle")
    assert [again.get(key, lambda: "made") for key in ("a1", "b9", "c3")] == ["A1", "made", "C3"]
    again.save()                      # b9 is new, zz is gone: the files of b and of other keys change
    rewritten = {p.name for p in tmp_path.glob("k-*.pickle") if p.stat().st_ino != inode[p.name]}
    assert rewritten == {"k-b.pickle", "k-_.pickle"}
    third = Kept(tmp_path / "k.pickle")
    third.get("a1", lambda: "made")
    assert third.known == {"a1": "A1", "b9": "made", "c3": "C3"}


def test_files_go_by_the_last_build_list_unless_docs_changed_behind_it(tmp_path):
    """A rebuild removes what the last build wrote and this one does not, by
    the list the last build left in build/cache, as a walk of the folders would;
    with docs/ changed since (its manifest) or no list (a build stopped midway),
    it walks them and a file no build wrote goes too."""
    src, docs, walked, cache = tmp_path / "src", tmp_path / "docs", tmp_path / "walked", tmp_path / "cache"
    shutil.copytree(SOURCE_DOCS, src)
    build(src, docs, cache_dir=cache)
    assert (cache / "generated-files.json").is_file()
    shutil.copytree(docs, walked)
    next(src.glob("001_*")).unlink()
    result = build(src, docs, cache_dir=cache)
    build(src, walked)                           # no cache: the folders are walked
    assert result.removed >= 3 and not (docs / "van-ban" / "2018").exists()
    assert _files(docs) == _files(walked)
    stray = docs / "van-ban" / "2018" / "cu" / "index.md"
    for behind in ("checkout", "stopped"):
        stray.parent.mkdir(parents=True)
        stray.write_text("# Trang cũ\n", encoding="utf-8")
        if behind == "checkout":
            manifest = docs / ".kb-manifest.json"
            manifest.write_bytes(manifest.read_bytes() + b" ")
        else:
            (cache / "generated-files.json").unlink()
        again = build(src, docs, cache_dir=cache)
        assert again.removed == 1 and _files(docs) == _files(walked), behind


_DOCS, _ENTRIES = ["d0", "d1", "d2", "d3"], ["e0", "e1"]


@st.composite
def _relation_states(draw):
    """relation_state's form: document -> (what it cites, label, title); entry -> label."""
    state: dict = {}
    for d in sorted(draw(st.sets(st.sampled_from(_DOCS)))):
        cites = draw(st.sets(st.sampled_from(_DOCS + _ENTRIES))) - {d}
        state[d] = (tuple(sorted(cites)), draw(st.sampled_from("AB")), draw(st.sampled_from("TU")))
    for e in _ENTRIES:
        if draw(st.booleans()):
            state[e] = draw(st.sampled_from("LM"))
    return state


def _relations_as_read(doc: str, state: dict, common: int):
    """All a document's relations section shows (render.relations_section)."""
    from collections import defaultdict
    from vnkb.publish import graph
    targets = {i: set(v[0]) for i, v in state.items() if isinstance(v, tuple)}
    cited_by = defaultdict(set)
    for i, ts in targets.items():
        for t in ts:
            cited_by[t].add(i)

    def label(i):
        return state[i][1] if isinstance(state.get(i), tuple) else state.get(i, i)

    def title(i):
        return state[i][2] if isinstance(state.get(i), tuple) else label(i)
    related = graph.related_documents(doc, targets, cited_by, common=common)
    return (label(doc), sorted((t, label(t)) for t in targets[doc]), sorted((c, label(c)) for c in cited_by[doc]),
            [(o, title(o), reason, [(t, label(t)) for t in shared]) for o, reason, shared in related])


@settings(max_examples=1500, deadline=None)
@given(_relation_states(), st.data(), st.sampled_from([0, 1, 2, 10]))
def test_a_page_whose_relations_read_differently_is_touched(old, data, common):
    """A kept page's relations section must read as it would be made now: every
    document whose section differs between the two states is touched. The new
    state: the old one with one or two documents or entries changed, added or removed."""
    from vnkb.render import relations_touched
    new, other = dict(old), data.draw(_relation_states())
    for i in data.draw(st.lists(st.sampled_from(_DOCS + _ENTRIES), min_size=1, max_size=2)):
        if i in other:
            new[i] = other[i]
        else:
            new.pop(i, None)
    touched = relations_touched(old, new, common)
    for doc in _DOCS:
        if isinstance(old.get(doc), tuple) and isinstance(new.get(doc), tuple) and doc not in touched:
            assert _relations_as_read(doc, old, common) == _relations_as_read(doc, new, common), doc


def test_entries_of_other_code_versions_are_pruned(tmp_path):
    cache = tmp_path / "cache"
    stale = cache / "0123456789abcdef" / "ab"
    stale.mkdir(parents=True)
    (stale / "x.pickle").write_bytes(b"old")
    build(SOURCE_DOCS, tmp_path / "docs", cache_dir=cache)
    assert not (cache / "0123456789abcdef").exists()
    assert (cache / "stat.json").is_file() and (cache / "render-keys.json").is_file()


def test_the_stat_cache_knows_an_unchanged_file_and_sniffs_a_changed_one(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.pdf").write_text("Công văn số 12/UBND-VX", encoding="utf-8")
    (src / "b.txt").write_text("Kế hoạch", encoding="utf-8")
    stats = StatCache(tmp_path / "stat.json")
    assert [s.format for s in discover(src, stats)] == ["mislabelled", "text"]
    stats.save({"a.pdf", "b.txt"})
    stats = StatCache(tmp_path / "stat.json")
    st = (src / "b.txt").stat()
    assert stats.lookup("b.txt", st.st_size, st.st_mtime_ns)[1] == "text"
    (src / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")            # another size: read again
    stats.data["b.txt"] = stats.data["b.txt"][:3]                  # an entry of an older build: no format
    assert [s.format for s in discover(src, stats)] == ["pdf", "text"]
    assert len(stats.data["b.txt"]) == 5
    stats.data["b.txt"][4] = "0123456789abcdef"                    # sniffed by other code: sniffed again
    assert stats.lookup("b.txt", st.st_size, st.st_mtime_ns) is None


def _evidence_state(cache):
    return pickle.loads((cache / code_version() / "archive-evidence.pickle").read_bytes())


def test_kept_evidence_after_a_change_and_a_removal_is_a_fresh_sum(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCE_DOCS, src)
    cache = tmp_path / "cache"
    build(src, tmp_path / "docs", cache_dir=cache)
    txt = next(src.glob("002_*.txt"))
    txt.write_bytes(txt.read_bytes().replace("báo cáo".encode(), "bao cao".encode(), 3))
    next(src.glob("003_*")).unlink()
    build(src, tmp_path / "docs", cache_dir=cache)
    build(src, tmp_path / "clean", cache_dir=tmp_path / "clean-cache")
    kept, fresh = _evidence_state(cache), _evidence_state(tmp_path / "clean-cache")
    assert kept.members == fresh.members and not any(p.startswith("003_") for p in kept.members)
    assert context_fingerprint(kept.context()) == context_fingerprint(fresh.context())


lines = st.lists(st.sampled_from(["báo cáo kết quả", "bình đẳng giới", "Quyết định số 880/QĐ-UBND ngày 12/3/2018",
                                  "Nghị quyết số 26-NQ/TW", "phụ nữ và trẻ em", "kế hoạch năm 2019", "b u cử"]),
                 max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(lines, min_size=1, max_size=6), st.data())
def test_evidence_taken_out_is_as_if_never_put_in(docs, data):
    """Shares put in, some taken out and put in anew (a changed original) or
    left out (a removed one): the same context as summing what is there now."""
    now = {f"{i}.txt": ev + [f"dòng cũ {i}"] for i, ev in enumerate(docs)}
    kept = ArchiveEvidence()
    for path, ev in now.items():
        kept.add(path, "old", document_evidence(ev))
    for path in data.draw(st.lists(st.sampled_from(sorted(now)), unique=True)):
        kept.remove(path, document_evidence(now[path]))
        if data.draw(st.booleans()):
            now[path] = now[path][:-1]
            kept.add(path, "new", document_evidence(now[path]))
        else:
            del now[path]
    fresh = ArchiveEvidence()
    for path in sorted(now, reverse=True):
        fresh.add(path, "any", document_evidence(now[path]))
    assert sorted(kept.members) == sorted(now)
    assert (kept.uni, kept.bi, kept.cited) == (fresh.uni, fresh.bi, fresh.cited)
    assert context_fingerprint(kept.context()) == context_fingerprint(fresh.context())


def test_evidence_fingerprint_is_the_same_in_every_process():
    # a set of paths iterates in an order that follows the process's string
    # hashes: the digest must not (else no cached repair is ever reused as is)
    import os
    import subprocess
    import sys
    code = ("import sys; sys.path.insert(0, 'scripts'); from vnkb.build import context_fingerprint; "
            "from vnkb.repair.context import archive_context; "
            "print(context_fingerprint(archive_context([(f'{i}.txt', ['Căn cứ Quyết định số 880/QĐ-UBND ngày 12/3/2018', "
            "'Nghị quyết số 26-NQ/TW', f'dòng {i}']) for i in range(12)])))")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(digests) == 1 and len(digests.pop().strip()) == 64


def _site_files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _project(tmp_path):
    """A project folder as kb.py sees it: mkdocs.yml, docs/ built from a copy of the samples."""
    project = project_copy(tmp_path)
    build(project / "source_docs", project / "docs")
    return project


def test_site_rebuild_reuses_unchanged_pages_and_equals_a_clean_build(tmp_path):
    """After one original changes and another is removed, the site rebuild
    links the unchanged pages from the published site, renders the rest, and
    gives the bytes a clean build gives; the published site is not written
    into (its files keep their bytes until the swap)."""
    import os
    from vnkb.site import build_site
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")
    project = _project(tmp_path)
    site = project / "site"
    first = build_site(project, site)
    assert first.reused == 0
    published = _site_files(site)
    txt = next((project / "source_docs").glob("002_*.txt"))
    txt.write_bytes(txt.read_bytes() + "\nBổ sung: gửi báo cáo trước ngày 20/6.\n".encode())
    next((project / "source_docs").glob("000_*")).unlink()
    build(project / "source_docs", project / "docs")
    inodes = {rel: (site / rel).stat().st_ino for rel in published}
    again = build_site(project, site, procs=2)      # the changed pages split between two MkDocs
    assert again.processes == 2
    assert 0 < again.reused
    clean = build_site(project, tmp_path / "clean-site", reuse=False)
    assert clean.reused == 0
    assert _site_files(site) == _site_files(tmp_path / "clean-site")
    shared = [rel for rel in published if (site / rel).exists() and (site / rel).stat().st_ino == inodes[rel]]
    assert len(shared) == again.reused
    assert all((site / rel).read_bytes() == published[rel] for rel in shared)


@pytest.mark.parametrize("procs", [1, 2])
def test_a_failed_site_rebuild_leaves_the_published_site_as_it_was(tmp_path, procs):
    import os
    from vnkb.site import SiteError, build_site
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")
    project = _project(tmp_path)
    site = project / "site"
    build_site(project, site)
    published = _site_files(site)
    page = next((project / "docs" / "van-ban").rglob("index.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\n[gãy](khong-co-trang-nay.md)\n", encoding="utf-8")
    with pytest.raises(SiteError, match="khong-co-trang-nay"):
        build_site(project, site, procs=procs)
    assert _site_files(site) == published
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("site")) == ["site"]


def test_mkdocs_in_two_processes_gives_the_bytes_of_one(tmp_path, monkeypatch):
    """Pages split between two MkDocs processes (each skipping the other's
    pages as stand-ins) make the same site, and no stand-in or second folder
    is left behind."""
    import os
    from pathlib import Path
    from vnkb.site import build_site
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")
    project = _project(tmp_path)
    one = build_site(project, tmp_path / "one", reuse=False, procs=1)
    monkeypatch.chdir(tmp_path)         # paths relative to where kb.py runs
    two = build_site(Path("project"), Path("two"), reuse=False, procs=2)
    assert (one.processes, two.processes) == (1, 2)
    assert _site_files(tmp_path / "two") == _site_files(tmp_path / "one")
    assert not [p for p in (tmp_path / "two").rglob("*.html") if p.stat().st_size == 0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "project", "two"]


@pytest.mark.parametrize("sizes,n", [([5, 1, 1, 1, 1, 1], 2), ([3, 3, 3], 2), ([1], 2), ([], 2), ([4, 2], 1)])
def test_split_shares_every_page_once_by_size(sizes, n):
    from vnkb.site import split
    pages = [f"p{i}.md" for i in range(len(sizes))]
    shares = split(pages, sizes, n)
    assert sorted(p for share in shares for p in share) == sorted(pages)
    assert len(shares) == max(1, min(n, len(pages)))
    loads = sorted(sum(sizes[pages.index(p)] for p in share) for share in shares)
    assert loads[-1] - loads[0] <= max(sizes, default=0)


def test_output_paths_follow_mkdocs_directory_urls():
    from vnkb.site import output_path
    assert output_path("index.md") == "index.html"
    assert output_path("lich/index.md") == "lich/index.html"
    assert output_path("van-ban/2019/x/phu-luc-i.md") == "van-ban/2019/x/phu-luc-i/index.html"
    assert output_path("tim-kiem.md") == "tim-kiem/index.html"
    assert output_path("goc/ab12/van-ban.pdf") == "goc/ab12/van-ban.pdf"
