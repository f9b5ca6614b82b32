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
