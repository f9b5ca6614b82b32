"""Override files: `<original name>.meta.yaml` next to an original corrects
fields by hand. Values win over extraction, are marked "override" in the
provenance, the file is never written, and a bad file is reported, not fatal."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.build import build  # noqa: E402
from vnkb.vntext import slugify  # noqa: E402

ORIGINAL = "002_33a9c2a794accc47.txt"     # a text original: the fastest to build
NUMBER = "12/HD-BVSTBCPN"
ORGAN = "Ban vì sự tiến bộ của phụ nữ tỉnh Bình Định"


def build_with_override(tmp_path: Path, override: bytes | str, folder: str = ""):
    """Build one original with an override file beside it; returns
    (result of the original, its front matter, its page text, override path)."""
    src = tmp_path / "src"
    (src / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "source_docs" / ORIGINAL, src / folder / ORIGINAL)
    meta_file = src / folder / (ORIGINAL + ".meta.yaml")
    meta_file.write_bytes(override.encode("utf-8") if isinstance(override, str) else override)
    result = build(src, tmp_path / "docs")
    [r] = result.results                       # the override file is not an original
    assert r.path == f"{folder}/{ORIGINAL}".lstrip("/")
    [page] = [o for o in r.outputs if o.endswith("/index.md")]
    text = (tmp_path / "docs" / page).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = yaml.safe_load(text[4:text.index("\n---\n", 4)])
    return r, meta, text, meta_file, page


@pytest.mark.parametrize("date_yaml", ["2021-03-05", "'2021-03-05'"], ids=["yaml-date", "string"])
@pytest.mark.parametrize("folder", ["", "2021/hd"], ids=["top", "subfolder"])
def test_override_sets_fields_with_provenance(tmp_path, date_yaml, folder):
    override = f"number: {NUMBER}\nissued_date: {date_yaml}\norgan_name: {ORGAN}\n"
    r, meta, text, meta_file, page = build_with_override(tmp_path, override, folder)

    assert r.status == "ok" and not r.reason
    assert meta["number"] == NUMBER
    assert meta["issued_date"] == "2021-03-05"
    assert meta["organ_name"] == ORGAN
    assert meta["year"] == 2021                # follows the overridden date
    for name in ("number", "issued_date", "organ_name", "year"):
        assert meta["provenance"][name] == "override", name
    # The page lives where the corrected identity says, and says it was corrected.
    assert page == f"van-ban/2021/{slugify(ORGAN, 60)}/{slugify(NUMBER, 60)}/index.md"
    assert "hiệu chỉnh thủ công" in text
    assert NUMBER in meta["title"]


def test_override_file_is_never_written(tmp_path):
    # Comments, odd spacing and CRLF line ends: a rewrite would show.
    original = ("# corrected by hand\r\nnumber:   '12/HD-BVSTBCPN'   # from the paper copy\r\n"
                "issued_date: 2021-03-05\r\n").encode("utf-8")
    *_, meta_file, _page = build_with_override(tmp_path, original)
    stat = meta_file.stat()
    assert meta_file.read_bytes() == original
    build(tmp_path / "src", tmp_path / "docs")           # a second build changes nothing either
    assert meta_file.read_bytes() == original
    assert meta_file.stat().st_mtime_ns == stat.st_mtime_ns


def test_override_without_fields_changes_nothing(tmp_path):
    r, meta, *_ = build_with_override(tmp_path, "# nothing to correct\n")
    assert r.status == "ok" and not r.reason
    assert "override" not in meta["provenance"].values()


@pytest.mark.parametrize("override,message", [
    (f"number: {NUMBER}\nnickname: x\n", "unknown field(s): nickname"),
    ("number: [1, 2]\n", "number must be text"),
    ("organ_name: {a: b}\n", "organ_name must be text"),
    ("issued_date: 05/03/2021\n", "issued_date must be a date"),
    ("issued_date: 2021-02-30\n", "not valid YAML"),
    ("issued_date: '2021-02-30'\n", "issued_date must be a date"),
    ("to: Sở Y tế\n", "to must be a list"),
    ("year: twenty\n", "year must be a whole number"),
    ("signer_info: {nickname: x}\n", "signer_info must be a mapping"),
    ("- number\n- date\n", "must be a mapping"),
    (": : [\n", "not valid YAML"),
    (b"number: \xff\xfe\n", "not valid YAML"),          # not UTF-8
], ids=["unknown-field", "number-list", "organ-mapping", "date-dmy", "date-impossible-yaml",
        "date-impossible-string", "to-string", "year-text", "signer-unknown-key", "not-a-mapping",
        "broken-yaml", "not-utf8"])
def test_bad_override_is_reported_not_fatal(tmp_path, override, message):
    r, meta, text, meta_file, _ = build_with_override(tmp_path, override)
    assert r.status == "ok"                         # the document is still published ...
    assert r.stage == "overrides"
    assert f"{ORIGINAL}.meta.yaml" in r.reason and message in r.reason, r.reason
    # ... with its extracted values: a bad file is ignored as a whole.
    assert "override" not in meta["provenance"].values()
    assert meta["number"] != NUMBER
    assert "tệp hiệu chỉnh bị bỏ qua" in text
    raw = override.encode("utf-8") if isinstance(override, str) else override
    assert meta_file.read_bytes() == raw
