"""Inference for what a header does not say (documents whose header was cut
off or never extracted): the issuer from the opening sentence or the
signature, the locality from the text, the year from the text."""
from __future__ import annotations

import re
from collections import Counter

from ..vntext import collapse_spaces
from . import patterns as P
from .lexicon import organs
from .organ import canonical_prefix, is_organ_phrase, strip_parenthetical


def issuer_from_opening(texts: list[str]) -> str | None:
    """'..., Bộ Xây dựng đề nghị các cơ quan ...' -> 'Bộ Xây dựng'.

    A guidance letter names its issuer as the subject of the verb with which it
    addresses the recipients; the clause before the verb starts with an organ word."""
    verbs = organs()["address_verbs"]
    verb_re = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in verbs) + r")\b", re.IGNORECASE)
    for text in texts:
        for m in verb_re.finditer(text):
            clause = re.split(r"[,;:.]\s", text[:m.start()])[-1].strip()
            clause = strip_parenthetical(clause)
            if clause and is_organ_phrase(clause) and len(clause.split()) <= 14:
                return canonical_prefix(collapse_spaces(clause))
    return None


def issuer_from_authority(authority: str | None) -> str | None:
    """'TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH' -> 'ỦY BAN NHÂN DÂN' (signing on behalf of the collective)."""
    if not authority:
        return None
    m = re.search(r"\bTM\.\s*([^,]+)", authority)
    return m.group(1).strip() if m else None


def year_from_text(texts: list[str]) -> int | None:
    """The year the text talks about most ('năm 2021'), the latest on a tie."""
    counts = Counter(int(y) for t in texts for y in P.YEAR_IN_TEXT.findall(t))
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, c in counts.items() if c == best)


def province_hint(texts: list[str]) -> str | None:
    from .organ import provinces_in
    counts = Counter()
    for t in texts:
        counts.update(provinces_in(t))
    return counts.most_common(1)[0][0] if counts else None
