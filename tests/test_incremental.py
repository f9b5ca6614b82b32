"""Incremental builds: an unchanged original is not read, parsed, rendered or
indexed again; a changed one is, and the result equals a clean build."""
from __future__ import annotations

import shutil

from kbtest import SOURCE_DOCS
from vnkb.build import build


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
    assert any("Bổ sung: gửi báo cáo" in doc.text for doc in inc.documents)


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


def test_entries_of_other_code_versions_are_pruned(tmp_path):
    cache = tmp_path / "cache"
    stale = cache / "0123456789abcdef" / "ab"
    stale.mkdir(parents=True)
    (stale / "x.pickle").write_bytes(b"old")
    build(SOURCE_DOCS, tmp_path / "docs", cache_dir=cache)
    assert not (cache / "0123456789abcdef").exists()
    assert (cache / "stat.json").is_file() and (cache / "render-keys.json").is_file()
