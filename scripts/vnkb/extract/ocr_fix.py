"""Post-OCR correction: conservative, every change recorded.

Vietnamese syllables form a closed set. Tesseract's typical errors are marks:
a tone or vowel mark lost, doubled or swapped (ư/u, ơ/o, â/a, đ/d), or a
foreign letter (ä, ï) in their place. Only a word that CANNOT be Vietnamese is
corrected: a mark Vietnamese does not use (diaeresis, ring ...), two tone marks,
or a tone a syllable ending in c/ch/p/t cannot carry (only sắc and nặng can).
Such a word is replaced by the known syllable with the same letters (marks
aside) when that one is far more frequent than any other candidate. A word
with Vietnamese marks whose consonants cannot form a syllable ("Pbạm") is
replaced by the one common syllable a consonant away ("Phạm"). Names are
valid syllables, so they are never touched; nor is anything else:
a valid syllable read in place of another ("nắm" for "năm") needs context,
which the repair stage's syllable model (scripts/vnkb/repair, when it lands)
can give through the same `Lexicon` interface.

The lexicon is data: scripts/vnkb/data/syllables.tsv (made by
scripts/tools/make_ocr_lexicon.py from real legal texts).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..models import Line
from ..vntext import fold

DATA = Path(__file__).resolve().parent.parent / "data" / "syllables.tsv"
MIN_COUNT = 30          # the replacement must be a common syllable ...
MIN_RATIO = 10.0        # ... and at least this many times more common than the next candidate
_WORD = re.compile(r"[^\W\d_]+")
# A syllable after folding marks: onset, 1-3 vowels, coda.
_SHAPE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$")


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}    # huyền sắc ngã hỏi nặng
_VOWEL_MARKS = {"\u0306", "\u0302", "\u031b"}                    # ă, â/ê/ô, ơ/ư
_STOP_TONES = {"\u0301", "\u0323"}                                # what -c/-ch/-p/-t allow


def is_syllable_shape(word: str) -> bool:
    return bool(_SHAPE.match(fold(word)))


def impossible(word: str) -> bool:
    """True when the word cannot be a Vietnamese syllable (see the module doc)."""
    marks = [ch for ch in unicodedata.normalize("NFD", word.lower()) if unicodedata.combining(ch)]
    if any(m not in _TONES and m not in _VOWEL_MARKS for m in marks):
        return True
    tones = [m for m in marks if m in _TONES]
    if len(tones) > 1:
        return True
    skeleton = fold(word)
    return bool(_SHAPE.match(skeleton)) and skeleton.endswith(("c", "ch", "p", "t")) \
        and (not tones or tones[0] not in _STOP_TONES)


class Lexicon:
    """Known syllables with counts; candidates by letters without marks."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        self.by_skeleton: dict[str, list[tuple[int, str]]] = {}
        for word, n in counts.items():
            self.by_skeleton.setdefault(fold(word), []).append((n, word))
        for group in self.by_skeleton.values():
            group.sort(reverse=True)

    def known(self, word: str) -> bool:
        return word.lower() in self.counts

    def best(self, word: str) -> tuple[str, int] | None:
        """The syllable this non-syllable was most likely meant to be, with the number
        of candidates; None without strong evidence."""
        group = self.by_skeleton.get(fold(word), [])
        if not group:
            return None
        top, cand = group[0]
        second = group[1][0] if len(group) > 1 else 0
        if top < MIN_COUNT or top < MIN_RATIO * second:
            return None
        return cand, len(group)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    counts = {}
    for row in DATA.read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#"):
            word, n = row.split("\t")
            counts[word] = int(n)
    return Lexicon(counts)


_LETTERS = "abcdđeghiklmnopqrstuvxy"


def respelled(word: str, lexicon: "Lexicon") -> tuple[str, int] | None:
    """A word with Vietnamese marks whose letters cannot start or end a syllable
    ("Pbạm"): the one known syllable one consonant away ("phạm"), when it is far
    more common than any other such syllable."""
    low = word.lower()
    if low.isascii() or is_syllable_shape(low):
        return None
    found = []
    for i, ch in enumerate(low):
        if ch not in _LETTERS or ch in "aeiouy":
            continue             # only consonants are swapped; vowels carry the marks
        for other in _LETTERS:
            cand = low[:i] + other + low[i + 1:]
            if other != ch and other not in "aeiouy" and cand in lexicon.counts:
                found.append((lexicon.counts[cand], cand))
    if not found:
        return None
    found.sort(reverse=True)
    top, cand = found[0]
    second = found[1][0] if len(found) > 1 else 0
    if top < MIN_COUNT or top < MIN_RATIO * second:
        return None
    return cand, len(found)


def _same_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def correct(lines: list[Line], lexicon: Lexicon | None = None) -> tuple[list[Line], list[dict]]:
    """Correct OCR lines (conf is not None); returns (lines, corrections), each
    correction {page, line, start, from, to, rule, candidates} (line: index in lines,
    start: offset in the corrected line's text)."""
    lexicon = lexicon or default_lexicon()
    out: list[Line] = []
    fixes: list[dict] = []
    for index, line in enumerate(lines):
        if line.conf is None:
            out.append(line)
            continue
        parts: list[str] = []
        pos = 0
        length = 0
        for m in _WORD.finditer(line.text):
            word = m.group()
            parts.append(line.text[pos:m.start()])
            length += m.start() - pos
            pos = m.end()
            fixed = word
            hit = rule = None
            if len(word) >= 2 and not lexicon.known(word):
                if impossible(word) and is_syllable_shape(word):
                    hit, rule = lexicon.best(word.lower()), "impossible marks; one common syllable has its letters"
                elif len(word) <= 7:
                    hit, rule = respelled(word, lexicon), "impossible consonants; one common syllable a letter away"
            if hit:
                fixed = _same_case(word, hit[0])
                fixes.append({"page": line.page, "line": index, "start": length, "from": word, "to": fixed,
                              "rule": rule, "candidates": hit[1]})
            parts.append(fixed)
            length += len(fixed)
        parts.append(line.text[pos:])
        text = "".join(parts)
        out.append(line if text == line.text else replace(line, text=text))
    return out, fixes
