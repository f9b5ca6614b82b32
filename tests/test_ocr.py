"""Scans, photos and old word-processor formats through the real readers:
Tesseract and LibreOffice really run (Debian packages that ./dev.sh test
installs). OCR results are cached by file hash in build/ocr-cache, so a second
run in the same work tree does not OCR again; the cache test uses its own folder.

Fixtures come from scripts/tools/make_scans.py (scanned versions of the samples).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import build, process_file
from vnkb.discover import identify
from vnkb.extract import ExtractError
from vnkb.extract import ocr as tess
from vnkb.extract.pdf import _to_lines, needs_ocr

SCANS = ROOT / "tests" / "fixtures" / "scans"
DOCX = next(SOURCE_DOCS.glob("000_*.docx"))
GOLDEN_001 = json.loads((ROOT / "tests" / "goldens" / "001_89f15b59531895c9.json").read_text(encoding="utf-8"))
GOLDEN_000 = json.loads((ROOT / "tests" / "goldens" / "000_0ac4f819f4ce37fc.json").read_text(encoding="utf-8"))
FIELDS = ("type_name", "number", "code_number", "code_notation", "organ_name", "parent_organ_name", "place",
          "issued_date", "year", "subject", "to", "signer_info", "distribution")


def needs(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install the Debian package(s) {package} (./dev.sh test installs them)",
                    pytrace=False)


@pytest.fixture(scope="module")
def tesseract():
    needs("tesseract", tess.PACKAGES)
    assert tess.tesseract_version(), "tesseract has no Vietnamese model: apt-get install tesseract-ocr-vie"


@pytest.fixture(scope="module")
def soffice():
    needs("soffice", "libreoffice-writer-nogui")


def model(path: Path):
    doc, result, _ = process_file(path.parent, identify(path, path.name))
    assert doc is not None, result.reason
    return doc, result


# --- which pages need OCR (no Tesseract needed) ---------------------------------

@pytest.mark.parametrize("text,has_image,expected", [
    ("", False, True),                                       # no text layer at all
    ("", True, True),
    ("(cid:12)(cid:45)(cid:7)(cid:88) (cid:3)(cid:9)", False, True),   # pdfminer junk
    ("Σχέδιο απόφασης για την έγκριση του προγράμματος", False, True),  # a font mapped to Greek
    ("Scanned by CamScanner", True, True),                 # a scanner's line over the page image
    ("Scanned by CamScanner", False, False),               # a short text page is still text
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", True, False),
    ("Ủy ban nhân dân tỉnh Bắc Kạn ban hành Kế hoạch thực hiện công tác bình đẳng giới năm 2018, "
     "giao các sở, ban, ngành triển khai.", False, False),
])
def test_needs_ocr(text, has_image, expected):
    from vnkb.extract.pdf import garble_score
    assert needs_ocr(text, garble_score(text), has_image) is expected


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def tsv(rows: list[tuple]) -> str:
    return TSV_HEADER + "".join(f"5\t1\t{b}\t1\t{l}\t{i + 1}\t{x}\t{y}\t{w}\t{h}\t{c}\t{t}\n"
                                for i, (b, l, x, y, w, h, c, t) in enumerate(rows))


def test_two_header_cells_read_as_one_line_are_cut_into_columns():
    """Tesseract reads 'ỦY BAN NHÂN DÂN  CỘNG HOÀ XÃ HỘI ...' as one line; the wide
    gap cuts it and the right cell lands in column 1, as in a text PDF."""
    words = tess.tsv_words(tsv([
        (1, 1, 441, 272, 74, 51, 96, "ỦY"), (1, 1, 532, 287, 118, 35, 96, "BAN"),
        (1, 1, 671, 277, 166, 58, 96, "NHÂN"), (1, 1, 858, 277, 119, 45, 77, "DÂN"),
        (1, 1, 1034, 268, 31, 71, 40, "_"),     # a table rule read as a character: dropped
        (1, 1, 1074, 275, 158, 57, 93, "CỘNG"), (1, 1, 1254, 277, 123, 46, 92, "HOÀ"),
        (1, 1, 1392, 277, 75, 45, 96, "XÃ"), (1, 1, 1484, 275, 105, 57, 96, "HỘI"),
        (2, 1, 500, 340, 143, 50, 92, "TỈNH"), (2, 1, 664, 340, 111, 45, 93, "BẮC"),
        (2, 1, 797, 345, 119, 45, 90, "KẠN"), (2, 1, 1278, 342, 98, 48, 96, "Độc"),
        (2, 1, 1396, 342, 79, 48, 93, "lập"),
        (3, 1, 300, 600, 1300, 50, 95, "Căn cứ Luật Tổ chức chính quyền địa phương"),
    ]))
    lines = _to_lines(tess.words_to_runs(words, 72 / 300), 1)
    got = [(line.column, line.text) for line in lines]
    assert got == [(0, "ỦY BAN NHÂN DÂN"), (1, "CỘNG HOÀ XÃ HỘI"), (0, "TỈNH BẮC KẠN"), (1, "Độc lập"),
                   (0, "Căn cứ Luật Tổ chức chính quyền địa phương")]
    assert lines[0].conf == 77.0                    # the lowest word confidence of the line
    assert abs(lines[0].x0 - 441 * 72 / 300) < 0.2   # positions in points, like a PDF's


# --- OCR: real Tesseract ----------------------------------------------------------

def _line_image(text: str):
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("L", (1600, 120), 255)
    ImageDraw.Draw(img).text((40, 30), text, fill=0,
                             font=ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 48))
    return img


def test_ocr_cache_never_reads_a_page_twice(tesseract, tmp_path, monkeypatch):
    monkeypatch.setenv("VNKB_OCR_CACHE", str(tmp_path / "cache"))
    image = tess.encode_image(_line_image("Số: 415/QĐ-UBND ngày 19 tháng 3"))
    calls = []

    def render():
        calls.append(1)
        return image, 300

    first = tess.ocr_pages("ab" * 32, [(1, render)])
    second = tess.ocr_pages("ab" * 32, [(1, render)])
    assert len(calls) == 1                             # rendered (and OCRed) once
    assert not first[1].cached and second[1].cached
    assert first[1].runs == second[1].runs
    assert "415/QĐ-UBND" in " ".join(r["text"] for r in second[1].runs)
    assert list((tmp_path / "cache").rglob("*.json"))


def test_red_seal_is_dropped_but_black_and_blue_ink_stay():
    from PIL import Image
    img = Image.new("RGB", (4, 1))
    img.putdata([(255, 255, 255), (200, 30, 40), (20, 20, 20), (25, 35, 110)])
    grey = tess.to_grey(img)
    assert [grey.getpixel((x, 0)) for x in range(4)] == [255, 255, 20, 25]


def test_grey_seal_is_dropped_but_text_under_it_stays():
    """A seal scanned in grey: a wide ring of flat mid-grey over black letters."""
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("L", (1024, 1024), 240)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", 60)
    for row in range(8):
        d.text((40, 40 + row * 120), "PHÓ CHỦ TỊCH Phạm", fill=15, font=font)
    d.ellipse([250, 250, 750, 750], outline=85, width=24)
    d.ellipse([380, 380, 620, 620], fill=85)
    out = tess.to_grey(img)
    assert out.getpixel((500, 500)) >= 200 and out.getpixel((262, 500)) >= 200   # seal ink gone
    letters = lambda im: sum(im.point(lambda v: 1 if v < 56 else 0).histogram()[1:])
    assert letters(out) >= 0.97 * letters(img)                                     # letters kept
    plain = Image.new("L", (1024, 1024), 240)
    ImageDraw.Draw(plain).text((40, 40), "PHÓ CHỦ TỊCH Phạm", fill=15, font=font)
    assert tess.to_grey(plain).tobytes() == plain.tobytes()                         # no seal: untouched


@pytest.mark.parametrize("name,package", [("000-photo.png", "tesseract-ocr tesseract-ocr-vie"),
                                          ("000-sample.doc", "libreoffice-writer-nogui")])
def test_missing_tool_is_a_clear_message(tmp_path, name, package):
    # no tesseract / no LibreOffice on PATH: one line naming the Debian package to install
    env = {**os.environ, "PATH": str(tmp_path), "VNKB_OCR_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "extract", str(SCANS / name)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert package in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_clean_scan_gives_the_goldens_metadata(tesseract):
    doc, result = model(SCANS / "001-scan-clean.pdf")
    got = {name: getattr(doc, name) for name in FIELDS} | {"signer_info": asdict(doc.signer_info)}
    assert got == {name: GOLDEN_001[name] for name in FIELDS}
    assert [s["source"] for s in doc.source["page_sources"]] == ["ocr", "ocr"]
    assert all(s["confidence"] > 85 for s in doc.source["page_sources"])
    assert result.ocr_pages == 2 and result.ocr_confidence > 85
    assert not any("bản quét" in w for w in doc.warnings)


@pytest.mark.slow
def test_degraded_scan_reads_what_the_stamp_leaves_and_invents_nothing(tesseract):
    doc, _ = model(SCANS / "001-scan-degraded.pdf")
    # the number written by hand and the organ are read
    assert doc.number == GOLDEN_001["number"] and doc.organ_name == GOLDEN_001["organ_name"]
    assert doc.type_name == "Quyết định"
    assert doc.distribution == GOLDEN_001["distribution"]
    # the big seal over the signature (grey in a grey scan) is dropped before OCR, and the
    # correction step repairs the "Pbạm" read where its rim crossed the name
    assert asdict(doc.signer_info) == GOLDEN_001["signer_info"]
    assert [(c["from"], c["to"]) for c in doc.source["ocr_corrections"]] == [("Pbạm", "Phạm")]
    # the seal covers the year of the date: no date, said so, nothing made up
    assert doc.issued_date in (None, GOLDEN_001["issued_date"])
    if doc.issued_date is None:
        assert doc.provenance["issued_date"] == "unreadable"
        assert any("ngày không đọc được từ bản quét" in w for w in doc.warnings)
    assert "dự thảo" not in (doc.title or "").lower()


@pytest.mark.slow
def test_phone_photo(tesseract):
    doc, result = model(SCANS / "000-photo.png")
    assert doc.source["format"] == "image" and result.ocr_pages == 1
    for name in ("number", "organ_name", "parent_organ_name", "subject", "type_name"):
        assert getattr(doc, name) == GOLDEN_000[name], name
    assert doc.issued_date in (None, GOLDEN_000["issued_date"])
    if doc.issued_date is None:
        assert any("ngày không đọc được từ bản quét" in w for w in doc.warnings)


@pytest.mark.slow
def test_scans_through_the_build(tesseract, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("001-scan-degraded.pdf", "000-photo.png"):
        shutil.copy2(SCANS / name, src / name)
    shutil.copy2(DOCX, src / DOCX.name)
    logged: list[str] = []
    result = build(src, tmp_path / "docs", log=logged.append)
    status = {r.path: r for r in result.results}
    assert status["000-photo.png"].status == "ok", status["000-photo.png"].reason
    assert status["001-scan-degraded.pdf"].ocr_pages == 2
    assert status[DOCX.name].ocr_pages == 0
    assert any(line.startswith("  OCR ") for line in logged)     # progress in the build log
    pages = {p.relative_to(tmp_path / "docs").as_posix(): p.read_text(encoding="utf-8")
             for p in (tmp_path / "docs").rglob("*.md")}
    scanned = [t for t in pages.values() if "Văn bản được nhận dạng tự động từ bản quét" in t]
    assert len(scanned) == 2                                     # the photo and the scan, not the docx
    for text in scanned:
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["ocr"]["pages"] and 0 < meta["ocr"]["confidence"] <= 100
        assert "độ tin cậy trung bình" in text
    originals = sorted(p.name for p in (tmp_path / "docs" / "goc").rglob("*.*"))
    assert any(name.endswith(".png") for name in originals)
    photo = next(t for t in scanned if "Tải bản gốc (PNG, 1 trang)" in t)
    # the seal hides the place-and-date line: said so, not "not in the document"
    assert "| Ngày ban hành | *không đọc được từ bản quét* |" in photo
    assert "| Nơi ban hành | *không đọc được từ bản quét* |" in photo
    report = pages["danh-muc/bao-cao-xay-dung.md"]
    assert "OCR 2 trang" in report and "OCR 1 trang" in report


@pytest.mark.slow
def test_cli_extract_json_shows_page_provenance(tesseract):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "extract", "--json",
                           str(SCANS / "001-scan-clean.pdf")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [s["page"] for s in data["source"]["page_sources"]] == [1, 2]
    assert {s["source"] for s in data["source"]["page_sources"]} == {"ocr"}
    assert data["number"] == "415/QĐ-UBND"


def test_text_pdf_pages_say_text_layer():
    doc, result = model(next(SOURCE_DOCS.glob("001_*.pdf")))
    assert {s["source"] for s in doc.source["page_sources"]} == {"text_layer"}
    assert result.ocr_pages == 0


# --- old formats through LibreOffice ---------------------------------------------

def test_doc_gives_the_same_metadata_as_the_docx(soffice):
    doc, _ = model(SCANS / "000-sample.doc")
    ref, _ = model(DOCX)
    assert doc.source["format"] == "doc"
    for name in FIELDS + ("title", "body"):
        assert getattr(doc, name) == getattr(ref, name), name
    assert len(doc.attachments) == len(ref.attachments)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["odt", "rtf"])
def test_odt_and_rtf_read_like_the_docx(soffice, tmp_path, fmt):
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(tmp_path), str(DOCX)],
                   check=True, capture_output=True, timeout=300)
    path = tmp_path / (DOCX.stem + "." + fmt)
    doc, _ = model(path)
    ref, _ = model(DOCX)
    assert doc.source["format"] == fmt
    for name in ("number", "issued_date", "organ_name", "subject", "type_name"):
        assert getattr(doc, name) == getattr(ref, name), name



def test_ole2_file_that_is_not_word_is_named(soffice, tmp_path):
    bad = ROOT / "tests" / "fixtures" / "bad" / "old-word.doc"
    with pytest.raises(ExtractError, match=r"\.docx"):
        from vnkb.extract.convert import to_docx
        to_docx(bad, "doc", "0" * 64)


# --- post-OCR correction ----------------------------------------------------------

CORRECTIONS = yaml.safe_load((ROOT / "tests" / "data" / "ocr_corrections.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CORRECTIONS, ids=[c["read"][:30] for c in CORRECTIONS])
def test_ocr_correction_cases(case):
    from vnkb.extract.ocr_fix import correct
    from vnkb.models import Line
    lines, fixes = correct([Line(text=case["read"], page=3, conf=90.0)])
    assert lines[0].text == case["want"]
    assert len(fixes) == sum(a != b for a, b in zip(case["read"].split(), case["want"].split()))
    for f in fixes:        # every correction is recorded where it was made
        assert f["page"] == 3 and f["line"] == 0
        assert lines[0].text[f["start"]:f["start"] + len(f["to"])] == f["to"]


def test_correction_leaves_text_layer_lines_alone():
    from vnkb.extract.ocr_fix import correct
    from vnkb.models import Line
    line = Line(text="Quyêt định về viêc", conf=None)
    assert correct([line]) == ([line], [])


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ .,-ÄäÏïëö",
               max_size=60))
def test_correction_is_idempotent_and_only_changes_words(text):
    from vnkb.extract.ocr_fix import correct
    from vnkb.models import Line
    once, fixes = correct([Line(text=text, conf=50.0)])
    twice, more = correct(once)
    assert twice[0].text == once[0].text and not more
    assert len(once[0].text.split()) == len(text.split())


@pytest.mark.slow
def test_short_text_layer_over_an_image(tesseract, tmp_path):
    """Page 1: a scanned page whose only text is the scanner's line -> OCR.
    Page 2: a real text page with a signature image -> its text layer is kept."""
    import pypdfium2 as pdfium
    from reportlab import rl_config
    rl_config.invariant = 1
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    scan = pdfium.PdfDocument(str(SCANS / "001-scan-clean.pdf"))
    page_image = scan[0].render(scale=200 / 72).to_pil()
    scan.close()
    from PIL import Image, ImageDraw
    squiggle = Image.new("L", (300, 80), 255)
    ImageDraw.Draw(squiggle).line([(10, 60), (60, 10), (120, 70), (200, 15), (290, 50)], fill=0, width=4)
    pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=(595.44, 842.04))
    c.drawImage(ImageReader(page_image), 0, 0, 595.44, 842.04)
    c.setFont("DejaVuSans", 7)
    c.drawString(20, 10, "Scanned by CamScanner")
    c.showPage()
    c.setFont("DejaVuSans", 12)
    c.drawImage(ImageReader(squiggle), 330, 600, 150, 40)
    c.drawString(350, 580, "Phạm Duy Hưng")
    c.showPage()
    c.save()
    from vnkb.extract.pdf import read_pdf
    ex = read_pdf(path)
    assert [s["source"] for s in ex.page_sources] == ["ocr", "text_layer"]
    assert any("415/QĐ-UBND" in line.text for line in ex.lines if line.page == 1)
    assert [line.text for line in ex.lines if line.page == 2] == ["Phạm Duy Hưng"]
