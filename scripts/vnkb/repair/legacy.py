"""Legacy Vietnamese encodings -> Unicode, decided per run of text.

Before Unicode, Vietnamese was typed in 8-bit fonts: TCVN3 (ABC, ".VnTime"),
VNI ("VNI-Times", a base letter + mark bytes) and VISCII. A reader shows those
bytes as Latin-1 characters ("Céng hoµ x· héi" for "Cộng hoà xã hội"). The
tables are data (data/legacy_encodings.yaml, scripts/tools/make_legacy_tables.py).

A run is converted when the font name says so (".Vn*" -> TCVN3, "VNI-*" -> VNI)
and the conversion does not make it worse, or, without a font hint, when the
share of well-formed syllables rises clearly: a Unicode text is already
almost all syllables, so it is never touched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .syllables import is_valid_syllable

DATA = Path(__file__).resolve().parents[1] / "data"
ENCODINGS = ("tcvn3", "vni", "viscii")
_WORD = re.compile(r"[^\W\d_]+")
# PDF text layers of .Vn fonts resolve two TCVN3 bytes to other code points:
# 0xAD (ư, the soft-hyphen slot) to U+2212 MINUS SIGN, 0xB7 (ã) to U+2219.
_UNICODE_VI = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_PDF_SUBSTITUTES = {"\u2212": "\xad", "\u2219": "\xb7"}


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load((DATA / "legacy_encodings.yaml").read_text(encoding="utf-8"))
    out = {}
    for name in ENCODINGS:
        out[name] = {(chr(k) if isinstance(k, int) else str(k)): v for k, v in raw[name].items()}
    return out


@lru_cache(maxsize=None)
def _index(name: str) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for seq, letter in sorted(tables()[name].items(), key=lambda kv: -len(kv[0])):
        grouped.setdefault(seq[0], []).append((seq, letter))
    return grouped


@lru_cache(maxsize=None)
def _reverse(name: str) -> dict[str, str]:
    rev: dict[str, str] = {}
    for seq, letter in sorted(tables()[name].items(), key=lambda kv: (len(kv[0]), kv[0])):
        rev.setdefault(letter, seq)
    return rev


def _undo_pdf_substitutes(text: str) -> str:
    out = list(text)
    for i, ch in enumerate(text):
        if ch in _PDF_SUBSTITUTES:
            near = text[i - 1:i] + text[i + 1:i + 2]
            if any(c.isalpha() for c in near):
                out[i] = _PDF_SUBSTITUTES[ch]
    return "".join(out)


def convert(text: str, name: str) -> str:
    """Surface text of encoding `name` -> Unicode (longest sequence first)."""
    if name == "tcvn3":
        text = _undo_pdf_substitutes(text)
    index = _index(name)
    out = []
    i = 0
    while i < len(text):
        for seq, letter in index.get(text[i], ()):
            if text.startswith(seq, i):
                out.append(letter)
                i += len(seq)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def encode(text: str, name: str) -> str:
    """Unicode -> the surface text of encoding `name` (for tests and measurement).
    TCVN3 has no upper-case toned letters: those are written lower case."""
    rev = _reverse(name)
    table = tables()[name]
    out = []
    for i, ch in enumerate(text):
        if ch in rev:
            out.append(rev[ch])
        elif name == "tcvn3" and ch.lower() in rev and ch.lower() != ch:
            out.append(rev[ch.lower()])
        elif ch in table:     # its byte means a letter in this encoding (VISCII 0xA0 is Õ)
            raise UnicodeEncodeError(name, text, i, i + 1, "no byte for this character")
        else:
            out.append(ch)
    return "".join(out)


def to_bytes(text: str, name: str) -> bytes:
    return encode(text, name).encode("latin-1")


def from_bytes(data: bytes, name: str) -> str:
    return convert(data.decode("latin-1"), name)


def syllable_share(text: str) -> tuple[float, int]:
    """(share of words that are well-formed syllables, number of words)."""
    words = _WORD.findall(text)
    if not words:
        return 1.0, 0
    return sum(1 for w in words if is_valid_syllable(w)) / len(words), len(words)


def font_encoding(font: str) -> str | None:
    """The encoding a legacy font name implies: .VnTime/.VnArialH -> tcvn3, VNI-Times -> vni."""
    f = font.split("+")[-1].strip().lower()      # PDF subset prefix "ABCDEF+"
    if f.startswith((".vn", "vn-")) or re.match(r"^vn(?:time|arial|avant|helv|book|courier|univers)", f):
        return "tcvn3"
    if f.startswith("vni"):
        return "vni"
    if f.startswith("viscii") or f.startswith("vi-"):
        return "viscii"
    return None


def upper_font(font: str) -> bool:
    """.VnTimeH, .VnArialH: fonts that draw TCVN3's lower-case codes as capitals."""
    f = font.split("+")[-1].split(",")[0].split("-")[0].strip()
    return bool(re.match(r"^\.?Vn\w*H$", f))


@dataclass
class Decision:
    encoding: str | None
    text: str
    before: float
    after: float
    evidence: str
    confidence: float


def decide(text: str, font: str = "") -> Decision:
    """Convert one run if it is legacy text (see module doc)."""
    share, n = syllable_share(text)
    keep = Decision(None, text, share, share, "", 0.0)
    if n == 0 or text.isascii() or _UNICODE_VI.search(text):
        return keep     # letters no 8-bit font can hold: Unicode already, whatever the font says
    hint = font_encoding(font) if font else None
    best = keep
    for name in ENCODINGS:
        converted = convert(text, name)
        if converted == text:
            continue
        if name == hint and upper_font(font):
            converted = converted.upper()
        after, _ = syllable_share(converted)
        if name == hint:
            ok = after >= share and after >= 0.5
            conf = 0.95
            why = f"phông {font.split('+')[-1]}"
        else:
            ok = after - share >= 0.25 and after >= 0.75 and n >= 2
            conf = min(0.95, 0.5 + (after - share))
            why = "nội dung"
        if ok and (best.encoding is None or after > best.after):
            best = Decision(name, converted, share, after,
                            f"{why}: {after:.0%} âm tiết hợp lệ sau khi chuyển, {share:.0%} trước", round(conf, 2))
    return best


def decode_line_bytes(raw: bytes, fallback: str = "cp1258") -> tuple[str, Decision | None]:
    """One line of an 8-bit text file: Windows-1258, or a legacy encoding when
    that reads as Vietnamese clearly better."""
    try:
        base = raw.decode(fallback)
    except UnicodeDecodeError:
        base = raw.decode("latin-1")
    import unicodedata
    base = unicodedata.normalize("NFC", base)
    share, n = syllable_share(base)
    best: tuple[str, Decision | None] = (base, None)
    best_share = share
    if raw.isascii():
        return best
    for name in ENCODINGS:
        converted = from_bytes(raw, name)
        after, m = syllable_share(converted)
        if after - share >= 0.25 and after >= 0.75 and m >= 2 and after > best_share:
            best_share = after
            best = (converted, Decision(name, converted, share, after,
                                        f"nội dung: {after:.0%} âm tiết hợp lệ theo {name}, {share:.0%} theo {fallback}",
                                        round(min(0.95, 0.5 + after - share), 2)))
    return best


def decode_lines_bytes(raws: list[bytes], fallback: str = "cp1258") -> list[tuple[str, Decision | None]]:
    """Lines of one 8-bit file. Each line is decided on its own (files mix
    encodings); a line that reads about as well in several ("Phụ lục I",
    "- VPCP: BTCN, các PCN,") follows the encoding the file's clear lines use."""
    out = [decode_line_bytes(raw, fallback) for raw in raws]
    shares: list[dict[str, float]] = []
    votes: dict[str, int] = {}
    for raw, (text, d) in zip(raws, out):
        row = {}
        if not raw.isascii():
            row = {name: syllable_share(from_bytes(raw, name))[0] for name in ENCODINGS}
            row[""] = syllable_share(text if d is None else _base(raw, fallback))[0]
            ranked = sorted(row.values(), reverse=True)
            if d is not None and row[d.encoding] - ranked[1] >= 0.2:
                votes[d.encoding] = votes.get(d.encoding, 0) + 1
        shares.append(row)
    if not votes:
        return out
    name = max(sorted(votes), key=lambda k: votes[k])
    if votes[name] < 2 or votes[name] < 0.8 * sum(votes.values()):
        return out
    for n, (raw, row) in enumerate(zip(raws, shares)):
        if not row or (out[n][1] is not None and out[n][1].encoding == name):
            continue
        if row[name] >= row[""] and row[name] >= max(row.values()) - 0.1:
            converted = from_bytes(raw, name)
            out[n] = (converted, Decision(name, converted, row[""], row[name],
                                          f"các dòng rõ ràng của tệp dùng {name} ({votes[name]} dòng); "
                                          f"{row[name]:.0%} âm tiết hợp lệ sau khi chuyển, {row['']:.0%} trước",
                                          0.85))
    return out


def _base(raw: bytes, fallback: str) -> str:
    import unicodedata
    try:
        return unicodedata.normalize("NFC", raw.decode(fallback))
    except UnicodeDecodeError:
        return raw.decode("latin-1")
