"""docs/ is the archive's reviewable form and is committed: it must be exactly
what the current code makes of source_docs/ (fails when stale), and two builds
from the same sources must be byte-identical."""
from __future__ import annotations

from pathlib import Path

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import MANIFEST, build
from vnkb.publish.aliases import ALIASES
from vnkb.render import GENERATED_DIRS


def generated_files(docs: Path) -> dict[str, bytes]:
    out = {}
    for top in GENERATED_DIRS:
        for path in sorted((docs / top).rglob("*")):
            if path.is_file():
                out[path.relative_to(docs).as_posix()] = path.read_bytes()
    out[MANIFEST] = (docs / MANIFEST).read_bytes()
    out[ALIASES] = (docs / ALIASES).read_bytes()
    return out


def test_committed_docs_are_fresh(tmp_path):
    # The alias map is history (every URL ever published) as well as output:
    # start from the committed one, as `kb.py build` does in docs/.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / ALIASES).write_bytes((ROOT / "docs" / ALIASES).read_bytes())
    result = build(SOURCE_DOCS, tmp_path / "docs")
    assert not result.failed, [r.reason for r in result.failed]
    fresh = generated_files(tmp_path / "docs")
    committed = generated_files(ROOT / "docs")
    stale = sorted(set(fresh) ^ set(committed)) + sorted(k for k in fresh.keys() & committed.keys()
                                                          if fresh[k] != committed[k])
    assert not stale, f"docs/ is stale, run `python scripts/kb.py build` and commit: {stale[:10]}"


def test_two_builds_are_identical(tmp_path):
    build(SOURCE_DOCS, tmp_path / "a")
    build(SOURCE_DOCS, tmp_path / "b")
    assert generated_files(tmp_path / "a") == generated_files(tmp_path / "b")


def test_rebuild_writes_nothing(tmp_path):
    build(SOURCE_DOCS, tmp_path / "docs")
    again = build(SOURCE_DOCS, tmp_path / "docs")
    assert again.written == 0 and again.removed == 0


def test_removed_original_disappears(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for path in SOURCE_DOCS.iterdir():
        (src / path.name).write_bytes(path.read_bytes())
    build(src, tmp_path / "docs")
    victim = next(src.glob("001_*"))
    victim.unlink()
    result = build(src, tmp_path / "docs")
    assert result.removed >= 3
    assert not list((tmp_path / "docs" / "van-ban" / "2018").rglob("*.md"))
