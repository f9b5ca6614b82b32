"""Citations: the table of cases (tests/data/citation_cases.yaml), what the
issue expects of each sample, and the archive-wide registry."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import build, process_file
from vnkb.cite import link_archive
from vnkb.cite.resolve import resolve_citation
from vnkb.cite.find import find_in_line
from vnkb.discover import discover
from vnkb.normalize import normalize_text
from vnkb.render import place_documents

CASES = yaml.safe_load((ROOT / "tests" / "data" / "citation_cases.yaml").read_text(encoding="utf-8"))


def find(text: str, province: str | None):
    cites = find_in_line(normalize_text(text), province)
    for c in cites:
        if c.kind in ("number", "name"):
            resolve_citation(c, province)
    return cites


def _matches(c, exp: dict) -> bool:
    for key, value in exp.items():
        if key in ("note",):
            continue
        if key == "flag":
            if not any(value in f for f in c.flags):
                return False
            continue
        got = getattr(c, key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if got != value:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_case(case):
    cites = find(case["text"], case.get("province"))
    expected = case["expect"]
    unmatched = [e for e in expected if not any(_matches(c, e) for c in cites)]
    assert not unmatched, f"missing {unmatched} in {[(c.kind, c.number, c.issued_date, c.issuer, c.name) for c in cites]}"
    assert len(cites) == len(expected), f"extra citations: {[c.text for c in cites]}"


def _docs():
    return {s.path[:3]: process_file(SOURCE_DOCS, s)[0] for s in discover(SOURCE_DOCS)}


@pytest.fixture(scope="module")
def archive():
    docs = _docs()
    placed = place_documents(list(docs.values()))
    entries = link_archive(placed)
    return docs, placed, entries


def _cited(doc):
    return {c.number: c for c in doc.citations if c.number}


def test_000_cites_at_least_these(archive):
    docs, _, _ = archive
    cited = _cited(docs["000"])
    expected = {"880/QĐ-UBND": "2016-04-12", "26-NQ/TW": "2018-05-19", "01/KH-UBND": "2017-01-06",
                "75/KH-UBND": "2018-03-19", "11-NQ/TW": "2007-04-27", "2091/QĐ-UBND": "2019-07-19",
                "09-CT/TU": "2016-05-04", "63/KH-UBND": "2016-11-03", "196-TB/TW": "2015-03-16",
                "134-KH/TU": "2018-10-17", "21-CT/TW": "2018-01-20", "668/QĐ-TTg": "2017-05-16",
                "939/QĐ-TTg": "2017-06-30", "938/QĐ-TTg": "2017-06-30", "1989/QĐ-TTg": "2017-11-28"}
    for number, date in expected.items():
        assert number in cited, number
        assert cited[number].issued_date == date, number
    assert "73/2006/QH11" in cited             # Luật Bình đẳng giới, by name
    assert "1464/QĐ-TTg" in cited               # the Đề án, by name, through known documents
    assert len(set(cited)) >= 16
    written = {(c.number, c.number_written) for c in docs["000"].citations if c.number_written}
    assert {("11-NQ/TW", "11/NQ-TW"), ("09-CT/TU", "09/CT-TU"), ("134-KH/TU", "134/KH/TU")} <= written


def test_001_cites_at_least_these(archive):
    docs, _, _ = archive
    cited = _cited(docs["001"])
    expected = {"77/2015/QH13": "2015-06-19", "1696/QĐ-TTg": "2015-10-02", "1000/QĐ-UBND": "2011-06-14",
                "617/QĐ-UBND": "2017-05-08", "392/TTr-LĐTBXH": "2018-03-15", "734/QĐ-UBND": "2017-05-29",
                "191/2009/TT-BTC": "2009-10-01"}
    for number, date in expected.items():
        assert cited[number].issued_date == date, number


def test_003_cites_at_least_these(archive):
    docs, _, _ = archive
    cited = _cited(docs["003"])
    for number in ("1696/QĐ-TTg", "1464/QĐ-TTg", "178/QĐ-TTg", "196-TB/TW", "191/2009/TT-BTC", "73/2006/QH11"):
        assert number in cited, number
    assert cited["1464/QĐ-TTg"].issued_date == "2016-07-22"
    assert cited["178/QĐ-TTg"].issued_date == "2016-01-28"
    assert any("contradicts" in f for f in cited["178/QĐ-TTg"].flags)


def test_registry_merges_across_the_archive(archive):
    docs, placed, entries = archive
    by_number = {}
    for e in entries.values():
        by_number.setdefault(e.number, []).append(e)
    ids = {p.doc.source["path"][:3]: p.id for p in placed}
    for number, citers in (("1696/QĐ-TTg", {"001", "003"}), ("196-TB/TW", {"000", "003"}),
                           ("191/2009/TT-BTC", {"001", "002", "003"})):
        assert len(by_number[number]) == 1, number
        assert set(by_number[number][0].citing) == {ids[k] for k in citers}, number
    # 002's damaged "1 1/200 /TT-BTC" is no entry of its own: repaired, it joins
    # the entry 001 and 003 share
    assert not [n for n in by_number if n and n.startswith(("1/", "200", "1 1"))]
    assert not [e for e in entries.values() if e.number is None and "1 1" in (e.name or "")]


def test_002_repaired_citations(archive):
    docs, _, _ = archive
    d = docs["002"]
    tt = [c for c in d.citations if c.number == "191/2009/TT-BTC"]
    assert tt and tt[0].issued_date == "2009-10-01" and tt[0].status != "incomplete"
    law = [c for c in d.citations if c.name and c.name.startswith("Luật Bầu cử")]
    assert law, [c.text for c in d.citations]
    assert law[0].name == "Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân"
    assert law[0].number == "85/2015/QH13" and law[0].status == "known"
    assert law[0].pin == "khoản 3, Điều 8 và khoản 1 Điều 9"
    assert not [c for c in d.citations if any("damaged" in f for f in c.flags)]


def test_self_reference_links_to_the_document(archive):
    docs, placed, _ = archive
    p = next(p for p in placed if p.doc.number == "415/QĐ-UBND")
    assert [c.target for c in p.doc.citations if c.kind == "self"] == [p.id, p.id]
    in_plan = [c for c in p.doc.citations if c.number == "415/QĐ-UBND" and c.kind == "number"]
    assert in_plan and all(c.status == "archive" and c.target == p.id for c in in_plan)


def test_identity_includes_the_issuer():
    """880/QĐ-UBND of Hà Tĩnh is not 880/QĐ-UBND of Bắc Kạn."""
    a = find("Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh", "Hà Tĩnh")[0]
    b = find("Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh", "Bắc Kạn")[0]
    c = find("Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh Hà Tĩnh", "Bắc Kạn")[0]
    assert a.key != b.key and a.key == c.key


def test_check_findings_on_the_samples(tmp_path):
    result = build(SOURCE_DOCS, tmp_path / "docs")
    messages = [(f.doc_id.split("/")[-1], f.kind, f.message) for f in result.findings]
    m000 = [m for d, k, m in messages if d == "01-hd-bvstbcpn"]
    assert any("mục 12 và mục 13" in m for m in m000)
    assert any("mục 9 và mục 14" in m for m in m000)
    assert any("cùng đánh số 3" in m for m in m000)
    assert any("2091/QĐ-UBND" in m for m in m000)
    assert any("phụ lục 2" in m for m in m000)
    m003 = [(k, m) for d, k, m in messages if d == "khong-so-2017-04-11"]
    assert ("impossible_period", "giai đoạn 2016 - 2010: năm kết thúc trước năm bắt đầu") in m003
    assert any(k == "type_code_mismatch" and "178/QĐ-TTg" in m for k, m in m003)


def test_check_cli_strict_exit(tmp_path):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "check", "--strict"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "impossible_period" in proc.stdout
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "check"], capture_output=True, text=True)
    assert proc.returncode == 0


def test_short_references_resolve_to_the_full_citation_before_them():
    from vnkb.cite import cite_document
    from vnkb.models import Document
    doc = Document(source={"path": "x.txt", "sha256": "0" * 64, "format": "text", "pages": 1},
                   organ_name="Ban vì sự tiến bộ của phụ nữ tỉnh Hà Tĩnh", number="05/KH-BVSTBCPN",
                   code_number="05", type_name="Kế hoạch")
    doc.body = ["Thực hiện Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh về việc ban hành chương trình;",
                "các mục tiêu của Quyết định 880 được lồng ghép; QĐ 999 chưa rõ.",
                "Kế hoạch này thay thế Kế hoạch số 05 năm trước."]
    cite_document(doc)
    short = {c.text: c for c in doc.citations if c.kind in ("short", "self")}
    assert short["Quyết định 880"].number == "880/QĐ-UBND"
    assert short["Quyết định 880"].key == doc.citations[0].key
    assert short["QĐ 999"].status == "incomplete"
    assert short["Kế hoạch này"].kind == "self"
