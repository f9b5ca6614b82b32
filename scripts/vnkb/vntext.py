"""Small pure helpers for Vietnamese text shared by every stage: folding,
slugs, case. Unicode decomposition does not fold "đ/Đ" (it is a letter of its
own, not d + a mark), so folding maps it explicitly."""
from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def _strip_marks_slow(text: str) -> str:
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def _strip_table() -> dict[int, str]:
    """Every Latin letter with marks (all of Vietnamese) -> its base letter, and
    combining marks -> nothing: one str.translate does what the slow path does
    through NFD for the text this archive holds."""
    table = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        out = _strip_marks_slow(chr(cp))
        if out != chr(cp):
            table[cp] = out
    table.update({cp: "" for cp in range(0x300, 0x370) if unicodedata.combining(chr(cp))})
    table.update({ord(k): v for k, v in (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"))})
    return table


_STRIP = _strip_table()
_KEPT: set[str] = set()          # non-ASCII characters strip_marks leaves as they are


def _kept(ch: str) -> bool:
    """A character no decomposition or composition touches (punctuation, most
    scripts); marks and Hangul jamo (which compose under NFC) are not."""
    if ch in _KEPT:
        return True
    cp = ord(ch)
    ok = (unicodedata.decomposition(ch) == "" and not unicodedata.category(ch).startswith("M")
          and not (0x1100 <= cp <= 0x11FF or 0xA960 <= cp <= 0xA97F or 0xD7B0 <= cp <= 0xD7FF)
          and unicodedata.normalize("NFC", ch) == ch)
    if ok:
        _KEPT.add(ch)
    return ok


_COMBINING = re.compile("[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]+")


def strip_marks(text: str) -> str:
    """Remove tones and vowel marks, keep case: 'Đà Nẵng' -> 'Da Nang'.
    (Short text: a translate table for Latin letters; long text and anything
    else: NFD, marks removed by one regex, NFC.)"""
    if len(text) < 400:
        fast = text.translate(_STRIP)
        if fast.isascii() or all(_kept(ch) for ch in set(fast) if not ch.isascii()):
            return fast
    text = _COMBINING.sub("", unicodedata.normalize("NFD", text.translate(_D_MAP)))
    if any(unicodedata.combining(ch) for ch in set(text)):
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: 'Bình Đẳng' -> 'binh dang'."""
    if not text.isascii():
        text = strip_marks(unicodedata.normalize("NFC", text))
    return text.casefold() if not text.isascii() else text.lower()


def slugify(text: str, max_len: int = 80) -> str:
    """ASCII slug for paths and anchors; never empty, never a path component
    like '.' or '..' (only [a-z0-9-])."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug or "x"


def letters(text: str) -> str:
    return "".join(filter(str.isalpha, text))


def is_upper_line(text: str) -> bool:
    """A line written in capitals (titles, organ names, signature positions)."""
    lt = letters(text)
    return len(lt) >= 2 and lt.isupper()


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence holding text[start:end] (no list marker), cut at word
    boundaries with "…" when it is long."""
    left = max([i + 2 for i in (text.rfind(". ", 0, start), text.rfind("; ", 0, start)) if i >= 0], default=0)
    right_candidates = [i for i in (text.find(". ", end), text.find("; ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    head = tail = ""
    if start - left > limit // 2:
        left, head = text.find(" ", start - limit // 2) + 1, "…"
    if right - end > limit // 2:
        right, tail = text.rfind(" ", end, end + limit // 2), "…"
    body = re.sub(r"^[-+•–]\s+", "", text[left:right].strip())
    return f"{head}{body}{tail}"
