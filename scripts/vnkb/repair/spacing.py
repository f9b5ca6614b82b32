"""Spacing artefacts of PDF text layers: letter-spaced words in headings
("B Ộ LAO ĐỘNG", "V À X Ã HỘI", "U B ND") and words glued by a lost space
("Hội đồngnhân dân", "vìsự")."""
from __future__ import annotations

import re
from functools import lru_cache

from ..models import Repair
from .lm import Model
from .syllables import is_valid_syllable

_TOKEN = re.compile(r"\S+")
# A whole token (between spaces) that is a word of four or more letters, with
# an opening quote or bracket and closing marks: what a lost space may have glued.
_LONG_WORD = re.compile(r"(?<!\S)[\(“\"']?([^\W\d_]{4,})[.,;:)”\"']*(?!\S)")
# Two tokens of one or two characters, one space apart, neither holding an
# ASCII lower-case letter: a line without such a pair has no letter-spaced run.
_SHORT_PAIR = re.compile(r"(?<!\S)[^\sa-z]{1,2}\s[^\sa-z]{1,2}(?!\S)")
_VI_ONLY = re.compile(r"[đăâêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Upper-case abbreviations a heading may spell out letter by letter (UBND, HĐND ...)."""
    from ..cite.lexicon import citation_data
    data = citation_data()
    codes = set(data.get("issuers", {}))
    for word in ("UBND", "HĐND", "MTTQ", "TW", "VN", "BCH", "BTC", "LĐTBXH", "QĐ", "KH", "CV", "TTr", "BC"):
        codes.add(word)
    return frozenset(c.upper() for c in codes if c and c.replace("Đ", "D").isalpha() and len(c) >= 2)


def _pieces(word: str) -> list[str] | None:
    """Split an upper-case run into syllables and abbreviations, fewest pieces."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 7), end):
            if best[start] is None:
                continue
            piece = word[start:end]
            if is_valid_syllable(piece) and len(piece) >= 2 or piece in abbreviations():
                cand = best[start] + [piece]
                if best[end] is None or len(cand) < len(best[end]):
                    best[end] = cand
    return best[n]


def fix_letter_spacing(text: str, line: int = 0) -> tuple[str, list[Repair]]:
    """Join runs of upper-case fragments of one or two letters, where at least
    two are single letters, when they spell syllables or known abbreviations."""
    if not _SHORT_PAIR.search(text):
        return text, []
    toks = list(_TOKEN.finditer(text))
    repairs = []
    i = 0
    spans = []
    while i < len(toks):
        j = i
        while j < len(toks) and toks[j].group().isalpha() and toks[j].group().isupper() and len(toks[j].group()) <= 2 \
                and (j == i or toks[j].start() - toks[j - 1].end() == 1):
            j += 1
        run = toks[i:j]
        if len(run) >= 2 and sum(1 for t in run if len(t.group()) == 1) >= 2:
            word = "".join(t.group() for t in run)
            pieces = _pieces(word)
            if pieces and len(pieces) < len(run) and not all(is_valid_syllable(t.group()) for t in run):
                spans.append((run[0].start(), run[-1].end(), " ".join(pieces)))
        i = max(j, i + 1)
    for a, b, after in reversed(spans):
        repairs.append(Repair(kind="spacing", line=line, start=a, end=b, before=text[a:b], after=after,
                              evidence="chữ hoa bị giãn cách: ghép lại thành âm tiết hoặc chữ viết tắt", confidence=0.9))
        text = text[:a] + after + text[b:]
    repairs.reverse()
    return text, repairs


def fix_glued(text: str, model: Model, line: int = 0) -> tuple[str, list[Repair]]:
    """Split a word that is no syllable but two well-formed syllables whose
    pair is attested (a lost space: "đồngnhân", "vìsự")."""
    spans = []
    for m in _LONG_WORD.finditer(text):
        word = m.group(1)
        low = word.lower()
        if not _VI_ONLY.search(low) or is_valid_syllable(word):
            continue
        if not (word.islower() or word[0].isupper() and word[1:].islower()):
            continue
        best = None
        for k in range(1, len(word)):
            a, b = low[:k], low[k:]
            if is_valid_syllable(a) and is_valid_syllable(b):
                pair = model.bi(a, b)
                if pair >= 3 and (best is None or pair > best[0]):
                    best = (pair, k)
        if best:
            a_pos = m.start(1)
            k = best[1]
            spans.append((a_pos, a_pos + len(word), word[:k] + " " + word[k:], best[0]))
    repairs = []
    for a, b, after, n in reversed(spans):
        repairs.append(Repair(kind="glue", line=line, start=a, end=b, before=text[a:b], after=after,
                              evidence=f"không phải một âm tiết; cặp “{after.lower()}” gặp {n:g} lần",
                              confidence=0.9))
        text = text[:a] + after + text[b:]
    repairs.reverse()
    return text, repairs
