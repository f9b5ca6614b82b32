"""What the foundation issue expects of the four sample originals, field by
field (table-driven). The goldens freeze everything; this table says what is
right, so a golden can never be regenerated into a wrong value unnoticed."""
from __future__ import annotations

import pytest

from kbtest import SEEDS, SOURCE_DOCS
from vnkb.build import process_file
from vnkb.discover import discover

EXPECTED = {
    "000": {
        "type_name": "Hướng dẫn", "number": "01/HD-BVSTBCPN", "code_number": "01",
        "code_notation": "HD-BVSTBCPN", "organ_name": "Ban vì sự tiến bộ của phụ nữ tỉnh Hà Tĩnh",
        "parent_organ_name": "UBND tỉnh Hà Tĩnh", "place": "Hà Tĩnh", "issued_date": "2019-03-25",
        "year": 2019, "subject": "V/v hướng dẫn hoạt động năm 2019", "to_count": 2,
        "signer": ("KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Nguyễn Trí Lạc"),
        "distribution_count": 6, "distribution_last": "Lưu: VT, PBTXH-TE-BĐG.",
        "attachments": [("phu_luc", "Phụ lục I"), ("mau_bao_cao", "Mẫu báo cáo")],
        "deadlines": ["2019-06-15", "2019-12-15"],
        "provenance": {"organ_name": "extracted", "number": "extracted", "year": "extracted"},
    },
    "001": {
        "type_name": "Quyết định", "number": "415/QĐ-UBND", "code_number": "415", "code_notation": "QĐ-UBND",
        "organ_name": "Ủy ban nhân dân tỉnh Bắc Kạn", "place": "Bắc Kạn", "issued_date": "2018-03-19",
        "year": 2018,
        "subject": "Về việc ban hành Kế hoạch thực hiện công tác bình đẳng giới và vì sự tiến bộ của phụ nữ "
                   "tỉnh Bắc Kạn, năm 2018",
        "signer": ("TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Phạm Duy Hưng"),
        "distribution_count": 7, "attachments": [("van_ban_kem_theo", "Kế hoạch")],
        "deadlines": ["2018-06-10", "2018-12-10"],
        "provenance": {"organ_name": "extracted"},
    },
    "002": {
        "number": None, "issued_date": None, "code_number": None,
        "organ_name": "Ban vì sự tiến bộ của phụ nữ tỉnh Bình Định", "year": 2021,
        "to": ["Ban vì sự tiến bộ của phụ nữ các huyện, thị xã, thành phố"],
        "signer": (None, "TRƯỞNG BAN, PHÓ CHỦ TỊCH UBND TỈNH", "Lâm Hải Giang"),
        "distribution_count": 7, "attachments": [("mau_bao_cao", "Mẫu báo cáo")],
        "deadlines": ["2021-06-15", "2021-12-15"],
        "provenance": {"organ_name": "inferred", "year": "inferred", "number": "missing", "issued_date": "missing"},
    },
    "003": {
        "number": None, "organ_name": "Bộ Xây dựng", "place": "Hà Nội", "issued_date": "2017-04-11",
        "subject": "V/v hướng dẫn công tác bình đẳng giới, vì sự tiến bộ của phụ nữ năm 2017",
        "to": ["Các cơ quan, đơn vị thuộc Bộ Xây dựng"],
        "signer": ("TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ TỔ CHỨC CÁN BỘ", "Nguyễn Văn Sinh"),
        "distribution_count": 7, "distribution_last": "Lưu: VT, Vụ TCCB.",
        "attachments": [("mau_bao_cao", "Mẫu báo cáo")],
        "deadlines": ["2017-06-05", "2017-12-05"],
        "provenance": {"organ_name": "inferred", "number": "missing"},
    },
}


def _doc(root, prefix):
    source = next(s for s in discover(root) if s.path.startswith(prefix))
    doc, result, _ = process_file(root, source)
    assert doc is not None, result.reason
    return doc


def _check(doc, exp):
    d = doc.to_dict()
    for key in ("type_name", "number", "code_number", "code_notation", "organ_name", "parent_organ_name",
                "place", "issued_date", "year", "subject", "to"):
        if key in exp:
            assert d[key] == exp[key], f"{key}: {d[key]!r} != {exp[key]!r}"
    if "to_count" in exp:
        assert len(doc.to) == exp["to_count"], doc.to
    if "signer" in exp:
        s = doc.signer_info
        assert (s.authority, s.position, s.full_name) == exp["signer"]
    assert len(doc.distribution) == exp["distribution_count"], doc.distribution
    if "distribution_last" in exp:
        assert doc.distribution[-1] == exp["distribution_last"]
    assert [(a.kind, a.label) for a in doc.attachments] == exp["attachments"]
    assert [x.date for x in doc.deadlines] == exp["deadlines"]
    for key, value in exp["provenance"].items():
        assert doc.provenance[key] == value, f"provenance of {key}"
    assert "ƣ" not in doc.text and "Ƣ" not in doc.text


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_sample_original(prefix):
    _check(_doc(SOURCE_DOCS, prefix), EXPECTED[prefix])


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_text_gives_the_same_model(prefix):
    """The seeds are the same letters as extracted text (tabs, interleaved
    signature columns, hard wraps): the parser must read them alike."""
    exp = dict(EXPECTED[prefix])
    if prefix == "000":
        exp["provenance"] = {}
    _check(_doc(SEEDS, prefix), exp)


def test_sample_formats():
    formats = {s.path[:3]: s.format for s in discover(SOURCE_DOCS)}
    assert formats == {"000": "docx", "001": "pdf", "002": "text", "003": "pdf"}


def test_attachment_titles():
    doc = _doc(SOURCE_DOCS, "000")
    assert doc.attachments[0].title.startswith("DANH SÁCH MỘT SỐ VĂN BẢN CỦA ĐẢNG")
    assert doc.attachments[1].title == "MẪU BÁO CÁO SƠ KẾT/TỔNG KẾT HOẠT ĐỘNG VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ NĂM 2019"
    kh = _doc(SOURCE_DOCS, "001").attachments[0]
    assert kh.title.startswith("KẾ HOẠCH Thực hiện công tác bình đẳng giới")
