"""Small pure helpers for Vietnamese text shared by every stage: folding,
slugs, case. Unicode decomposition does not fold "đ/Đ" (it is a letter of its
own, not d + a mark), so folding maps it explicitly."""
from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def strip_marks(text: str) -> str:
    """Remove tones and vowel marks, keep case: 'Đà Nẵng' -> 'Da Nang'."""
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: 'Bình Đẳng' -> 'binh dang'."""
    return strip_marks(unicodedata.normalize("NFC", text)).casefold()


def slugify(text: str, max_len: int = 80) -> str:
    """ASCII slug for paths and anchors; never empty, never a path component
    like '.' or '..' (only [a-z0-9-])."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug or "x"


def letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


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
