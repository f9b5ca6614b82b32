"""Hostile and broken input: every file is reported and skipped within its
time and memory limit, the build goes on, nothing is written outside the
output folders, and no document text ever runs as script in the browser."""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import build
from vnkb.workers import Limits

HOSTILE_TEXT = """Kính gửi: Các cơ quan, đơn vị

Nội dung <script>window.__pwned = 1; alert("x")</script> thử nghiệm.
Ảnh <img src=x onerror="window.__pwned = 2"> và [bấm vào](javascript:window.__pwned=3) cùng <b>chữ đậm</b>.
Khung {{ config.site_name }} {% raw %} {: onclick="window.__pwned=4" } và <iframe src="javascript:1"></iframe>
---
title: bị chèn
!!python/object/apply:os.system ["echo pwned"]
key: value: x
!!! danger "Chèn khung"
| a | b |
""" + "Dòng rất dài " * 3000 + """
Nơi nhận:
- Như trên;
- Lưu: VT.
TRƯỞNG BAN
Nguyễn Văn An
"""


def _docx_with(document_xml: bytes, name: str, folder: Path) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", document_xml)
    return path


def zip_bomb(folder: Path) -> Path:
    """A .docx whose document.xml unpacks to 300 MB of nothing."""
    path = folder / "bom-nen.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    return path


def billion_laughs(folder: Path) -> Path:
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};'
                                               f'&a{i-1};&a{i-1};&a{i-1};&a{i-1};">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>').encode()
    return _docx_with(xml, "thuc-the-xml.docx", folder)


def many_pages_pdf(folder: Path, pages: int = 2500) -> Path:
    """A valid PDF with thousands of (empty) pages, written by hand."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [" + " ".join(f"{3 + i} 0 R" for i in range(pages)) + f"] /Count {pages} >>"]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path = folder / "nghin-trang.pdf"
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    src = tmp / "src"
    src.mkdir()
    for path in SOURCE_DOCS.iterdir():
        shutil.copy2(path, src / path.name)
    zip_bomb(src)
    billion_laughs(src)
    many_pages_pdf(src)
    (src / "chèn mã độc.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (src / "-- leading dash.txt").write_text("Kính gửi: Ban\n\nNội dung ngắn.\n", encoding="utf-8")
    (src / "..sneaky.txt").write_text("Nội dung ..\n", encoding="utf-8")
    outside = tmp / "outside.txt"
    outside.write_text("bên ngoài thư mục gốc", encoding="utf-8")
    (src / "link-ra-ngoai.txt").symlink_to(outside)
    before = {p for p in tmp.rglob("*")}
    result = build(src, tmp / "docs", index_dir=tmp / "index", limits=Limits(seconds=60, memory_mb=1024))
    after = {p for p in tmp.rglob("*")}
    return tmp, result, before, after


def _result(hb, name):
    return next(r for r in hb[1].results if r.path == name)


def test_zip_bomb_is_refused(hostile_build):
    r = _result(hostile_build, "bom-nen.docx")
    assert r.status == "failed" and "zip bomb" in r.reason


def test_xml_entities_are_not_expanded(hostile_build):
    r = _result(hostile_build, "thuc-the-xml.docx")
    assert r.status in ("failed", "ok")
    if r.status == "ok":
        doc = next(d for d in hostile_build[1].documents if d.source["path"] == "thuc-the-xml.docx")
        assert sum(map(len, doc.body + [t for a in doc.attachments for t in a.lines])) < 10_000, \
            "entities were expanded"


def test_thousands_of_pages_are_refused_within_limit(hostile_build):
    r = _result(hostile_build, "nghin-trang.pdf")
    assert r.status == "failed" and ("pages" in r.reason or "text layer" in r.reason)


def test_symlinks_out_of_the_folder_are_not_followed(hostile_build):
    assert not any(r.path == "link-ra-ngoai.txt" for r in hostile_build[1].results)


def test_odd_file_names_are_published_safely(hostile_build):
    for name in ("-- leading dash.txt", "..sneaky.txt", "chèn mã độc.txt"):
        assert _result(hostile_build, name).status == "ok", name
    originals = [p.name for p in (hostile_build[0] / "docs" / "goc").rglob("*") if p.is_file()]
    assert all(n[0] not in "-." and all(c.isascii() for c in n) for n in originals), originals


def test_nothing_written_outside_outputs(hostile_build):
    tmp, _, before, after = hostile_build
    new = {p.relative_to(tmp).parts[0] for p in after - before}
    assert new <= {"docs", "index"}, new


def test_the_rest_is_still_published(hostile_build):
    ok = {r.path for r in hostile_build[1].results if r.status == "ok"}
    assert {p.name for p in SOURCE_DOCS.iterdir()} <= ok


def test_time_limit_kills_only_the_slow_file(tmp_path):
    result = build(SOURCE_DOCS, tmp_path / "docs", limits=Limits(seconds=0.001))
    assert len(result.results) == 4        # every file got its own line; the build finished
    timed_out = [r for r in result.results if r.status == "failed"]
    assert timed_out and all("time limit" in r.reason for r in timed_out)
    assert all(r.status in ("ok", "failed") for r in result.results)


def test_site_is_never_built_over_sources(tmp_path):
    """site/ is replaced whole: docs/, the project or a folder with sources is refused."""
    from vnkb.site import SiteError, build_site
    for target in (ROOT / "docs", ROOT, ROOT / "docs" / "van-ban"):
        with pytest.raises(SiteError):
            build_site(ROOT, target)
    holder = tmp_path / "holder"
    holder.mkdir()
    (holder / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(ROOT, holder)
    assert (ROOT / "docs" / "index.md").is_file()


def test_serve_no_build_never_builds(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "serve", "--no-build", "--site",
                           str(tmp_path / "nothing-here"), "--port", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no built site" in proc.stderr
    assert not (tmp_path / "nothing-here").exists()


def test_memory_limit_is_reported_not_fatal(tmp_path):
    result = build(SOURCE_DOCS, tmp_path / "docs", limits=Limits(seconds=60, memory_mb=150))
    assert len(result.results) == 4
    for r in result.results:
        assert r.status == "ok" or ("memory" in r.reason.lower() or "crashed" in r.reason), r.reason


def test_memory_limit_is_per_file_not_per_archive(tmp_path):
    # a large build's parent holds gigabytes (every reading of the archive);
    # forked workers start with that address space, and the limit is what one
    # file may add to it (4 GiB reserved here, not touched: no real memory)
    import mmap
    reserve = mmap.mmap(-1, 4 * 2**30)
    try:
        result = build(SOURCE_DOCS, tmp_path / "docs", limits=Limits(seconds=120, memory_mb=400))
    finally:
        reserve.close()
    assert [r.status for r in result.results] == ["ok"] * 4, [r.reason for r in result.results]


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_killed_build_can_be_rerun_cleanly(tmp_path, delay):
    """kill -9 at some point of a build; the rerun gives the same output as a clean build."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, str(ROOT / "scripts" / "kb.py"), "build", "--quiet", "--no-cache",
           "--source", str(SOURCE_DOCS), "--docs", str(tmp_path / "docs"), "--index", str(tmp_path / "index"),
           "--site", str(tmp_path / "site")]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    clean = tmp_path / "clean"
    subprocess.run(cmd[:5] + ["--source", str(SOURCE_DOCS), "--docs", str(clean / "docs"), "--index",
                              str(clean / "index"), "--site", str(clean / "site")], env=env, check=True)

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert files(tmp_path / "docs") == files(clean / "docs")
    assert files(tmp_path / "site") == files(clean / "site")
    assert not any(p.name.endswith((".tmp", ".old")) for p in tmp_path.iterdir())
