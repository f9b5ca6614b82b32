"""Organ names: sentence case for header capitals, canonical spellings, and
the locality (province) an organ belongs to."""
from __future__ import annotations

import re
from collections import Counter

from ..vntext import collapse_spaces, fold, is_upper_line
from .lexicon import organs, places

_PAREN = re.compile(r"\s*\([^)]*\)")


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def sentence_case(text: str) -> str:
    """'ỦY BAN NHÂN DÂN TỈNH BẮC KẠN' -> 'Ủy ban nhân dân tỉnh Bắc Kạn'.

    Decree 30 writes organ names in capitals in the header; pages and metadata
    use the ordinary spelling: first word capitalised, acronyms kept, place
    names after a locality word capitalised."""
    text = collapse_spaces(text)
    if not is_upper_line(text):
        return canonical_prefix(text)
    lex = organs()
    words = text.split(" ")
    out: list[str] = []
    proper = False          # inside a place name
    cap_next = False        # first word of a ministry/department's field
    for i, word in enumerate(words):
        f = fold(word)
        if f.strip(",.;:") in lex["acronyms"] or any(ch.isdigit() for ch in word):
            out.append(word)
            proper = cap_next = False
            continue
        low = word.lower()
        if i == 0:
            out.append(_cap(low))
        elif proper or cap_next:
            out.append(_cap(low))
            cap_next = False
        else:
            out.append(low)
        joined = fold(" ".join(words[: i + 1]))
        tail = " ".join(o.lower() for o in out[-2:])
        if low in lex["locality_words"] or tail in lex["locality_words"]:
            proper = True
        elif not proper and any(joined.endswith(fold(h)) for h in lex["capitalize_after"]) and i + 1 < len(words):
            cap_next = True
    result = " ".join(out)
    return fix_place_names(canonical_prefix(result))


def canonical_prefix(text: str) -> str:
    """Replace a known organ name at the start by its canonical spelling
    ('Ban vì sự tiến bộ phụ nữ tỉnh' -> 'Ban vì sự tiến bộ của phụ nữ tỉnh')."""
    f = fold(text)
    for key, canonical in organs()["canonical"]:
        if f == key or f.startswith(key + " ") or f.startswith(key + ","):
            n_words = len(key.split(" "))
            rest = text.split(" ")[n_words:]
            return " ".join([canonical] + rest)
    return text


def fix_place_names(text: str) -> str:
    """Write a known province name in its proper form ('tỉnh Hà tĩnh' -> 'tỉnh Hà Tĩnh')."""
    def repl(m: re.Match) -> str:
        name = places()["provinces"].get(fold(m.group(1)), m.group(1))
        return m.group(0)[: m.start(1) - m.start(0)] + name
    return places()["province_re"].sub(repl, text)


def strip_parenthetical(text: str) -> str:
    return collapse_spaces(_PAREN.sub("", text))


def has_locality(name: str) -> bool:
    """True when the name already says where: 'tỉnh Hà Tĩnh', 'Bộ Xây dựng' (national)."""
    f = fold(name)
    if places()["province_re"].search(name):
        return True
    return f.startswith(("bo ", "thu tuong", "chinh phu", "quoc hoi", "van phong chinh phu",
                         "uy ban quoc gia", "ban chap hanh trung uong", "bo chinh tri", "ban bi thu"))


def provinces_in(text: str) -> Counter:
    return Counter(places()["provinces"].get(fold(m.group(1)), m.group(1))
                   for m in places()["province_re"].finditer(text))


def with_locality(name: str, province: str | None) -> str:
    """'Ban vì sự tiến bộ của phụ nữ' or '... tỉnh' + 'Hà Tĩnh' -> '... tỉnh Hà Tĩnh'."""
    if not province or has_locality(name):
        return name
    if fold(name).endswith(" tinh"):
        return f"{name} {province}"
    return f"{name} tỉnh {province}"


def is_organ_phrase(text: str) -> bool:
    f = fold(text)
    return any(f == fold(h) or f.startswith(fold(h) + " ") for h in organs()["heads"])
