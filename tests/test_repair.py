"""Text repair: the case table (tests/data/repair_cases.yaml), the syllable
set, legacy-encoding round trips, the samples, and properties (hypothesis):
repair is idempotent, text of valid syllables is never changed, and a repair
only ever changes text inside the span it reports."""
from __future__ import annotations

import unicodedata

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtest import ROOT, SEEDS, SOURCE_DOCS
from vnkb.build import process_file
from vnkb.discover import discover, identify
from vnkb.extract import extract
from vnkb.models import Extracted, Line
from vnkb.normalize import normalize
from vnkb.repair import repair_lines
from vnkb.repair.legacy import ENCODINGS, convert, decode_lines_bytes, encode, tables, to_bytes
from vnkb.repair.lm import shipped
from vnkb.repair.syllables import is_valid_syllable, syllables

CASES = yaml.safe_load((ROOT / "tests" / "data" / "repair_cases.yaml").read_text(encoding="utf-8"))


def run_case(case, tmp_path):
    lines = case["lines"]
    if "fonts" in case:
        ex = Extracted(lines=[Line(text=t, font=f) for t, f in zip(lines, case["fonts"])], pages=1, format="pdf")
        return normalize(ex)
    path = tmp_path / "case.txt"
    text = "\n\n".join(lines) + "\n"
    path.write_bytes(to_bytes(text, case["encode"]) if "encode" in case else text.encode("utf-8"))
    return normalize(extract(path, identify(path, path.name)))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, tmp_path):
    out = run_case(case, tmp_path)
    assert [line.text for line in out.lines] == case.get("expect", case["lines"])
    applied = [r for r in out.repairs if r.applied]
    reported = [r for r in out.repairs if not r.applied]
    if "applied" in case:
        assert len(applied) == case["applied"], [(r.before, r.after, r.evidence) for r in applied]
    if "reported" in case:
        assert len(reported) == case["reported"], [(r.before, r.evidence) for r in reported]
    for r in out.repairs:
        assert r.evidence and 0.0 <= r.confidence <= 1.0 and r.context


@pytest.mark.parametrize("word,ok", [
    ("bầu", True), ("Đồng", True), ("NGHIÊNG", True), ("gì", True), ("giếng", True), ("quốc", True),
    ("khuya", True), ("hoà", True), ("hòa", True), ("thuỷ", True), ("thủy", True), ("Kạn", True),
    ("b", False), ("ng", False), ("đ", False), ("UBND", False), ("cóć", False), ("bầuu", False),
    ("ghà", False), ("ngẹ", False), ("các", True), ("cács", False), ("ấp", True), ("ầp", False),
])
def test_syllables(word, ok):
    assert is_valid_syllable(word) is ok
    assert is_valid_syllable(unicodedata.normalize("NFD", word)) is ok


def test_syllable_set_covers_real_text():
    """Nearly every lower-case word of the shipped corpus counts that carries a
    Vietnamese letter is a syllable (the rest: abbreviations such as nđ, qđ)."""
    words = [(w, n) for w, n in shipped().uni.items() if w.isalpha() and not w.isascii()]
    total = sum(n for _, n in words)
    bad = sum(n for w, n in words if w not in syllables())
    assert bad / total < 0.01


def test_legacy_tables_are_complete():
    t = tables()
    assert len(t["tcvn3"]) == 74 and len(t["viscii"]) >= 100
    letters = {ch for s in syllables() for ch in s if not ch.isascii()}
    for name in ENCODINGS:
        covered = set(t[name].values())
        if name == "vni":
            covered |= set("ìí")                 # the Latin-1 letters themselves
        if name == "viscii":
            covered |= {chr(b) for b in range(0xC0, 0x100) if chr(b).isalpha() and chr(b) not in t[name]}
        missing = {ch for ch in letters if ch not in covered}
        assert not missing, (name, sorted(missing))


@pytest.mark.parametrize("name", ENCODINGS)
def test_legacy_round_trip_on_the_seeds(name):
    """Passages of the seeds -> legacy bytes -> Unicode, decided line by line."""
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [unicodedata.normalize("NFC", t) for t in path.read_text(encoding="utf-8").splitlines()]
        keep = []
        for t in lines:
            try:
                keep.append((t, to_bytes(t, name)))
            except UnicodeEncodeError:      # a character the encoding has no byte for
                continue
        got = decode_lines_bytes([raw for _, raw in keep])
        for (t, _), (text, _) in zip(keep, got):
            # TCVN3 has no upper-case toned letters: the .VnTimeH font draws them
            want = convert(encode(t, name), name) if name == "tcvn3" else t
            assert text == want, (path.name, t)


@pytest.mark.parametrize("name", ["tcvn3", "vni"])
def test_legacy_file_reads_like_the_unicode_one(name, tmp_path):
    text = (SEEDS / "000_0ac4f819f4ce37fc.txt").read_text(encoding="utf-8")
    text = "\n".join(t for t in text.splitlines() if t.strip() and all(ord(c) < 0x2000 for c in t))
    uni, legacy = tmp_path / "u.txt", tmp_path / "l.txt"
    uni.write_text(text, encoding="utf-8")
    legacy.write_bytes(to_bytes(text if name == "vni" else convert(encode(text, name), name), name))
    a = normalize(extract(uni, identify(uni, uni.name)))
    b = normalize(extract(legacy, identify(legacy, legacy.name)))
    want = [line.text for line in a.lines]
    if name == "tcvn3":
        want = [convert(encode(t, name), name) for t in want]
    assert [line.text for line in b.lines] == want
    assert sum(1 for r in b.repairs if r.kind == "legacy") > 10


def test_font_hint_converts_a_run():
    from vnkb.repair.legacy import decide, font_encoding
    assert font_encoding(".VnTime") == "tcvn3" and font_encoding("ABCDEF+.VnArialH") == "tcvn3"
    assert font_encoding("VNI-Times") == "vni" and font_encoding("Times New Roman") is None
    d = decide("Ban v× sù tiÕn bé", ".VnTime")
    assert d.encoding == "tcvn3" and d.text == "Ban vì sự tiến bộ"
    assert decide("Ban vì sự tiến bộ của phụ nữ", ".VnTime").encoding is None


def test_samples_000_001_003_unchanged_002_repaired():
    for source in discover(SOURCE_DOCS):
        doc, _, _ = process_file(SOURCE_DOCS, source)
        applied = [r for r in doc.repairs if r.applied]
        if source.path.startswith("002"):
            text = "\n".join(doc.body + [x for a in doc.attachments for x in a.lines])
            for damaged in ("b u cử", "c n được", "Hội đ ng", "b i dưỡng", "l ng ghép", "t n tại", "Diên H ng",
                            "năm 201 ", "COVID-1 ", "1 1/200 ", "01/10/200 ", "Điều Luật"):
                assert damaged not in text, damaged
            for whole in ("bầu cử", "cần được", "Hội đồng", "bồi dưỡng", "lồng ghép", "tồn tại", "Diên Hồng",
                          "Bộ luật Lao động năm 2019", "COVID-19", "191/2009/TT-BTC ngày 01/10/2009",
                          "khoản 1 Điều 9 Luật Bầu cử"):
                assert whole in text, whole
            left = [r for r in doc.repairs if not r.applied]
            assert [r.before for r in left] == ["02563.811. 56"]
        else:
            assert applied == [], (source.path, [(r.before, r.after) for r in applied])


# --- properties -----------------------------------------------------------------

_COMMON = sorted(w for w, n in shipped().uni.items() if n >= 50 and is_valid_syllable(w))
_word = st.sampled_from(_COMMON).map(lambda w: w.capitalize() if len(w) % 3 == 0 else w)
_sentence = st.lists(_word, min_size=1, max_size=14).map(lambda ws: " ".join(ws) + ".")
_doc = st.lists(_sentence, min_size=1, max_size=12)


def _damage(lines, glyphs):
    return ["".join(" " if ch in glyphs else ch for ch in t) for t in lines]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc)
def test_valid_syllable_text_is_unchanged(lines):
    out = normalize(Extracted(lines=[Line(text=t) for t in lines], pages=1, format="text"))
    assert [line.text for line in out.lines] == lines
    assert not [r for r in out.repairs if r.applied]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc, st.sets(st.sampled_from("ầồộếờưđá"), min_size=1, max_size=2))
def test_repair_is_idempotent(lines, glyphs):
    damaged = _damage(lines, glyphs)
    once = normalize(Extracted(lines=[Line(text=t) for t in damaged], pages=1, format="text"))
    texts = [line.text for line in once.lines]
    twice = normalize(Extracted(lines=[Line(text=t) for t in texts], pages=1, format="text"))
    assert [line.text for line in twice.lines] == texts
    assert not [r for r in twice.repairs if r.applied]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc, st.sets(st.sampled_from("ầồộếờưđá0129"), min_size=1, max_size=3),
       st.lists(st.sampled_from(["A", "B"]), min_size=12, max_size=12))
def test_repairs_change_only_their_spans(lines, glyphs, fonts):
    damaged = _damage(lines, glyphs)
    fonts = [fonts[i % len(fonts)] for i in range(len(damaged))]
    out, repairs = repair_lines(damaged, fonts)
    rebuilt = list(damaged)
    spans: dict[int, list] = {}
    for r in sorted(repairs, key=lambda r: (r.line, -r.start)):
        assert damaged[r.line][r.start:r.end] == r.before
        assert all(r.end <= s or e <= r.start for s, e in spans.get(r.line, []))
        spans.setdefault(r.line, []).append((r.start, r.end))
        if r.applied:
            rebuilt[r.line] = rebuilt[r.line][:r.start] + r.after + rebuilt[r.line][r.end:]
        else:
            assert r.after == r.before
    assert rebuilt == out


@pytest.mark.parametrize("text,lost,after", [
    ("Quyết định số 1509/Q -UBND ngày 01/7/2024", {"Đ"}, "1509/QĐ-UBND"),
    ("Nghị định 13/2023/N -CP về bảo vệ dữ liệu", {"Đ"}, "13/2023/NĐ-CP"),
    ("- TT Tỉnh ủy, TT H ND tỉnh;", {"Đ"}, "TT HĐND tỉnh"),
    ("Quyết định số 1509/Q -UBND", {"Ô"}, None),      # no lost capital makes a known code
    ("Điểm A B của khoản 2", {"Đ"}, None),            # "AĐB" is no code
])
def test_code_gaps(text, lost, after):
    from vnkb.repair.glyphs import code_gaps
    got = code_gaps([text], ["F"], {"F": lost})
    if after is None:
        assert got == []
    else:
        (i, a, b, repl, conf, _), = got
        fixed = text[:a] + repl + text[b:]
        assert after in fixed and len(fixed) == len(text) and conf >= 0.8


@pytest.mark.parametrize("text,lost,best", [
    ("thuộc lĩnh vực sở hữu trí tu .", {"ệ"}, "tuệ"),              # a glyph lost before a mark
    ("Các cơ quan, đơn vị tổng hợp; trong   , ưu tiên", {"đ", "ó"}, " đó"),   # a word lost whole
    ("tổ chức thực hiện ở các cơ sở trong   .", {"đ", "ó"}, " đó"),
    ("báo cáo kết quả thực hiện  .", {"ở"}, " ở"),
    ("thuộc lĩnh vực sở hữu trí tu .", {"ó"}, None),              # no glyph this font lost fits
    ("báo cáo kết quả thực hiện .", {"đ", "ó"}, None),             # one stray space: nothing lost whole
])
def test_before_marks(text, lost, best):
    """Spaces before a mark after a whole word are lost glyphs (Vietnamese puts
    no space there): the reading offered first is the right one."""
    from vnkb.repair.glyphs import _TOKEN, _before_marks
    from vnkb.repair.lm import Model
    model = Model()
    gaps = _before_marks([text], 0, "F", list(_TOKEN.finditer(text)), frozenset(lost), model, model, False)
    if best is None:
        assert gaps == []
    else:
        (gap,) = gaps
        top = max(gap.options, key=gap.options.get)
        assert top[2] == best and gap.margin[top] > 0


def test_lost_words_and_cases():
    from vnkb.repair.glyphs import _cases, _lost_words
    assert _lost_words(frozenset("đểó"), 2) == ("đó", "để")
    assert _lost_words(frozenset({"ở", "ơ", "Đ"}), 1) == ("ơ", "ở")
    assert "Đó" in _lost_words(frozenset({"Đ", "ó"}), 2) and "đÓ" not in _lost_words(frozenset({"đ", "Ó"}), 2)
    assert _cases("ở", "S", "") == ("ở", "Ở")       # "S " of "Sở" or of "SỞ": the font decides
    assert _cases("ở", "s", "") == ("ở",) and _cases("ồ", "Đ", "NG") == ("Ồ",)
