"""Bad input never stops a build: real files in temporary folders, no mocks.

One build over the four originals, every broken fixture of tests/fixtures/bad/,
a duplicate, two oddly named files and a broken override file; then the
"kept" rule (an original that breaks keeps its last good pages); then the
command line (exit status, extract --json, --help).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from vnkb.build import build  # noqa: E402

SOURCE_DOCS = ROOT / "source_docs"
BAD = ROOT / "tests" / "fixtures" / "bad"
ORIGINALS = ["000_0ac4f819f4ce37fc.docx", "001_89f15b59531895c9.pdf",
             "002_33a9c2a794accc47.txt", "003_a1ba57f347578f65.pdf"]
DUPLICATE = "zz-copy-of-001.pdf"                 # sorts after its twin, so it is the duplicate
DASH_PDF = "- leading dash.pdf"
ODD_TXT = "tên có dấu và khoảng trắng.txt"
BROKEN_OVERRIDE = "002_33a9c2a794accc47.txt.meta.yaml"

# Each broken fixture and what its reason must name.
BAD_REASONS = {
    "corrupt.pdf": r"corrupt",
    "truncated.pdf": r"truncated|corrupt",
    "encrypted.pdf": r"encrypted",
    "empty.pdf": r"empty",
    "old-word.doc": r"\.docx",
    "zip-not-docx.docx": r"zip|docx",
    "random.bin": r"binary",
    # Sniffed from content: its NUL bytes make it "unknown binary", so the
    # decoder's own "undecodable" message (tested in test_properties) is not reached.
    "undecodable.txt": r"undecodable|binary",
    "not-a-zip.docx": r"zip|docx",
}

ODD_TEXT = """ỦY BAN NHÂN DÂN
HUYỆN THỬ NGHIỆM
Số: 77/UBND-VX
V/v kiểm tra tên tệp có dấu và khoảng trắng
Kính gửi: Các phòng, ban chuyên môn
Ủy ban nhân dân huyện đề nghị các phòng, ban kiểm tra việc xử lý tên tệp có dấu.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn An
"""


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_pdf(path: Path) -> None:
    """A small valid text PDF of a Vietnamese plan (DejaVu has the letters)."""
    from reportlab import rl_config
    rl_config.invariant = 1
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if not FONT.is_file():
        pytest.skip(f"{FONT} is needed to draw Vietnamese text")
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    c = canvas.Canvas(str(path))
    c.setFont("DejaVuSans", 12)
    y = 800
    for line in ["ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM", "Số: 55/KH-UBND", "KẾ HOẠCH",
                 "Kiểm tra tên tệp bắt đầu bằng dấu gạch ngang",
                 "1. Mục đích: kiểm tra việc đọc tệp có tên lạ.", "Nơi nhận:", "- Lưu: VT.",
                 "CHỦ TỊCH", "Trần Văn Bình"]:
        c.drawString(72, y, line)
        y -= 20
    c.showPage()
    c.save()


def snapshot(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """{relative path: sha256} of every file below folder (except below skip)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and (skip is None or skip not in p.parents):
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --- one build over everything ---------------------------------------------------

@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    src, docs = base / "src", base / "docs"
    src.mkdir()
    for name in ORIGINALS:
        shutil.copy2(SOURCE_DOCS / name, src / name)
    for f in BAD.iterdir():
        shutil.copy2(f, src / f.name)
    shutil.copy2(SOURCE_DOCS / ORIGINALS[1], src / DUPLICATE)
    make_pdf(src / DASH_PDF)
    (src / ODD_TXT).write_text(ODD_TEXT, encoding="utf-8")
    (src / BROKEN_OVERRIDE).write_text(": : [\n", encoding="utf-8")
    before = snapshot(base)
    result = build(src, docs)
    return {"base": base, "src": src, "docs": docs, "result": result, "before": before}


def results_for(mixed, path: str):
    return [r for r in mixed["result"].results if r.path == path]


def test_every_file_has_exactly_one_result(mixed):
    paths = [r.path for r in mixed["result"].results]
    expected = set(ORIGINALS) | {f.name for f in BAD.iterdir()} | {DUPLICATE, DASH_PDF, ODD_TXT}
    assert sorted(paths) == sorted(expected)        # the override file is not an original


@pytest.mark.parametrize("name", sorted(BAD_REASONS))
def test_bad_fixture_fails_with_a_named_reason(mixed, name):
    [r] = results_for(mixed, name)
    assert r.status == "failed", (r.status, r.reason)
    assert r.reason and re.search(BAD_REASONS[name], r.reason, re.IGNORECASE), r.reason
    assert r.stage


def test_every_bad_fixture_is_covered():
    assert {f.name for f in BAD.iterdir()} == set(BAD_REASONS)


def test_duplicate_is_reported_not_published(mixed):
    [r] = results_for(mixed, DUPLICATE)
    assert r.status == "duplicate"
    assert ORIGINALS[1] in r.reason
    assert not r.outputs


@pytest.mark.parametrize("name", ORIGINALS + [ODD_TXT, DASH_PDF])
def test_good_files_are_published(mixed, name):
    [r] = results_for(mixed, name)
    assert r.status == "ok", r.reason
    pages = [o for o in r.outputs if o.endswith("/index.md")]
    assert len(pages) == 1
    assert (mixed["docs"] / pages[0]).is_file()
    originals = [o for o in r.outputs if o.startswith("goc/")]
    assert len(originals) == 1
    assert (mixed["docs"] / originals[0]).read_bytes() == (mixed["src"] / name).read_bytes()
    # Output paths are ASCII slugs whatever the source file was called.
    assert all(re.fullmatch(r"[a-z0-9/._-]+", o) for o in r.outputs), r.outputs


def test_broken_override_is_reported_and_document_still_published(mixed):
    [r] = results_for(mixed, ORIGINALS[2])
    assert r.status == "ok"
    assert BROKEN_OVERRIDE in r.reason and "YAML" in r.reason, r.reason
    [page] = [o for o in r.outputs if o.endswith("/index.md")]
    text = (mixed["docs"] / page).read_text(encoding="utf-8")
    assert "tệp hiệu chỉnh bị bỏ qua" in text        # the reader is warned on the page too
    assert "override" not in text.split("\n---\n")[0]  # no field claims to come from it


def test_build_writes_only_below_docs(mixed):
    after = snapshot(mixed["base"], skip=mixed["docs"])
    assert after == mixed["before"]                  # sources (and override) untouched, nothing new


def test_build_report_page_lists_failures(mixed):
    report = (mixed["docs"] / "danh-muc" / "bao-cao-xay-dung.md").read_text(encoding="utf-8")
    for name in ("encrypted.pdf", "old-word.doc", "random.bin"):
        assert name in report


def test_one_odd_character_does_not_abort_the_build(tmp_path):
    import docx

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy2(SOURCE_DOCS / ORIGINALS[2], src / ORIGINALS[2])
    d = docx.Document()
    for line in ["ỦY BAN NHÂN DÂN", "Số: 13/UBND-VX", "V/v thử nghiệm", "Nội dung.", "Nơi nhận:",
                 "- Như trên;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn\x85Văn An"]:
        d.add_paragraph(line)
    d.save(str(src / "nel.docx"))
    result = build(src, tmp_path / "docs")
    assert {r.path: r.status for r in result.results}[ORIGINALS[2]] == "ok"


# --- the "kept" rule ------------------------------------------------------------

def test_broken_original_keeps_its_last_good_pages(tmp_path):
    src, docs = tmp_path / "src", tmp_path / "docs"
    src.mkdir()
    for name in ORIGINALS:
        shutil.copy2(SOURCE_DOCS / name, src / name)
    first = build(src, docs)
    [good] = [r for r in first.results if r.path == ORIGINALS[1]]
    assert good.status == "ok" and good.outputs
    published = {o: (docs / o).read_bytes() for o in good.outputs}

    # The same original, now truncated to 1 KB: still "%PDF-", no longer readable.
    (src / ORIGINALS[1]).write_bytes((SOURCE_DOCS / ORIGINALS[1]).read_bytes()[:1024])
    second = build(src, docs)
    [r] = [r for r in second.results if r.path == ORIGINALS[1]]
    assert r.status == "kept"
    assert re.search(r"corrupt|truncated", r.reason, re.IGNORECASE), r.reason
    for out, data in published.items():
        assert (docs / out).read_bytes() == data, out
    manifest = json.loads((docs / ".kb-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["sources"][ORIGINALS[1]]["outputs"]) == sorted(published)
    assert second.failed == [r]             # "kept" still needs attention (exit status 1)


# --- the command line -------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of scripts/: `kb.py build` always writes <project>/build/report.json,
    which must not touch the repository while tests run."""
    proj = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "scripts", proj / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    return proj


def kb(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(project / "scripts" / "kb.py"), *args],
                          capture_output=True, text=True, timeout=120, cwd=project)


def test_cli_build_exit_status(project, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    for name in ORIGINALS:
        shutil.copy2(SOURCE_DOCS / name, good / name)
    shutil.copytree(good, bad)
    shutil.copy2(BAD / "encrypted.pdf", bad / "encrypted.pdf")

    ok = kb(project, "build", "--no-site", "--quiet", "--source", str(good), "--docs", str(tmp_path / "d1"))
    assert ok.returncode == 0, ok.stderr
    failed = kb(project, "build", "--no-site", "--quiet", "--source", str(bad), "--docs", str(tmp_path / "d2"))
    assert failed.returncode == 1, failed.stderr
    assert "encrypted.pdf" in failed.stderr and "encrypted" in failed.stderr.replace("encrypted.pdf", "")
    assert (tmp_path / "d2" / "danh-muc" / "bao-cao-xay-dung.md").is_file()
    assert (project / "build" / "report.json").is_file()


EXTRACT_KEYS = {"number", "code_number", "code_notation", "type_name", "organ_name", "parent_organ_name",
                "place", "issued_date", "year", "subject", "title", "to", "signer_info", "distribution",
                "attachments", "deadlines", "provenance", "warnings", "source", "text"}


def test_cli_extract_json(project):
    path = SOURCE_DOCS / ORIGINALS[1]
    proc = kb(project, "extract", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert EXTRACT_KEYS <= set(data)
    assert {"authority", "position", "full_name"} <= set(data["signer_info"])
    assert {"path", "sha256", "format", "pages"} <= set(data["source"])
    assert data["source"]["format"] == "pdf"
    assert data["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert data["number"] and re.match(r"^\d", data["number"])
    assert isinstance(data["year"], int) and data["text"]


def test_cli_extract_file_named_like_an_option(project, tmp_path):
    make_pdf(tmp_path / DASH_PDF)
    proc = kb(project, "extract", str(tmp_path / DASH_PDF), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["number"] == "55/KH-UBND"


@pytest.mark.parametrize("name,reason", [("encrypted.pdf", "encrypted"), ("empty.pdf", "empty"),
                                         ("old-word.doc", ".docx")])
def test_cli_extract_bad_file(project, name, reason):
    proc = kb(project, "extract", str(BAD / name), "--json")
    assert proc.returncode != 0
    assert reason in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", ["build", "extract", "serve"])
def test_cli_help(project, command):
    proc = kb(project, command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:") and command in proc.stdout
