"""Glyphs lost in PDF text layers, restored from evidence.

A PDF font whose glyphs map to nothing loses those letters in the text layer:
each leaves a space, and only in text set in that font ("b u cử" for "bầu cử",
"Hội đ ng" for "Hội đồng", "năm 201 " for "năm 2019"). Such gaps cannot be
Vietnamese: the fragments are not syllables, or a number is cut short.

For letters every glyph that makes the fragments one well-formed syllable is a
candidate; candidates are weighed by the words around them (lm.Model) and by
the glyphs this document (and font) has lost: a glyph that explains many gaps
and is rare in the rest of the text is the lost one. For numbers the evidence
is another document citing the same thing in full, a known document's name,
word statistics, and the digits this document is known to lose. A gap is
restored only when one candidate clearly wins; otherwise it is reported and
the text stays as it was.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Repair
from .lm import Model, shipped
from .syllables import is_valid_syllable, syllables

APPLY_AT = 0.8          # confidence needed to change the text
_ALPHA_TAIL = re.compile(r"[^\W\d_]+$")
_ALPHA_HEAD = re.compile(r"^[^\W\d_]+")
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[^\W_]+")
_MARKS = ".,;:)!?…"      # Vietnamese puts no space before these
# What a line must hold for a glyph lost at the start of a word (a line that
# opens with one space, a run of spaces, a space after "/", "(" or "“") or at
# the end of one (a space before a mark, a run of spaces, a space at the line's
# end) to be looked for at all: most lines hold neither, and skip those loops.
_START_SIGN = re.compile(r"^ |  |[/(“] ")
_END_SIGN = re.compile(r"\s[.,;:)!?…\s]|\s\Z")


@dataclass
class Facts:
    """What the archive states in full: numbers cited intact (canonical ->
    where), their dates, and known documents' names."""
    numbers: dict[str, set[str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _fragments() -> dict[tuple[str, str], tuple[str, ...]]:
    """(left, right) -> glyphs g such that left + g + right is a syllable."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in syllables():
        for i, g in enumerate(s):
            index[(s[:i], s[i + 1:])].add(g)
    return {k: tuple(sorted(v)) for k, v in index.items()}


@lru_cache(maxsize=1)
def _fragments2() -> dict[tuple[str, str], tuple[str, ...]]:
    """(left, right) -> glyph pairs g1g2 such that left + g1g2 + right is a syllable."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in syllables():
        for i in range(len(s) - 1):
            if not (s[i].isascii() and s[i + 1].isascii()):
                index[(s[:i], s[i + 2:])].add(s[i:i + 2])
    return {k: tuple(sorted(v)) for k, v in index.items()}


@lru_cache(maxsize=1)
def _glyph_freq() -> dict[str, float]:
    """Share of each lower-case letter among letters of real text (shipped table)."""
    c: Counter = Counter()
    for w, n in shipped().uni.items():
        for ch in w:
            if ch.isalpha():
                c[ch] += n
    total = sum(c.values()) or 1
    return {ch: n / total for ch, n in c.items()}


def _cases(g: str, a: str, b: str, upper_line: bool = False) -> tuple[str, ...]:
    """The restored glyph's possible cases: after a lone capital ("S " of "Sở"
    or "SỞ") nothing in the word tells, so both are offered and the glyphs
    this font lost decide; otherwise the case of the neighbours."""
    if len(a) == 1 and a.isupper() and not b:
        return (g.lower(), g.upper())
    return (_case_like(g, a, b, upper_line),)


@lru_cache(maxsize=64)
def _lost_words(lost: frozenset[str], n: int) -> tuple[str, ...]:
    """Words of n glyphs (one or two) made only of glyphs a font lost: such a
    word vanishes whole and leaves n spaces ("ở", "đó", "để")."""
    if n == 1:
        words = [g for g in lost if is_valid_syllable(g)]
    else:
        words = [g + h for g in lost for h in lost if (g + h).islower() or (g + h).isupper() or
                 g.isupper() and h.islower()]
        words = [w for w in words if is_valid_syllable(w)]
    return tuple(sorted(words))


def _end_glyphs(a: str, upper_line: bool) -> list[str]:
    """Every glyph (in its possible cases) that makes a + glyph one syllable."""
    return [g for g0 in _fragments().get((a.lower(), ""), ()) for g in _cases(g0, a, "", upper_line)]


def _case_like(g: str, a: str, b: str, upper_line: bool = False) -> str:
    """The restored glyph in the case of its neighbours (Đ NG -> ĐỒNG, H ng -> Hồng,
    B  trưởng -> Bộ trưởng; in a line of capitals, capitals)."""
    letters = (a[1:] if len(a) > 1 else "") + b
    if letters and letters.isupper() or upper_line:
        return g.upper()
    if not a and b[:1].isupper():
        return g.upper()
    return g


Option = tuple[int, int, str]     # (start, end, replacement) within the line


@dataclass
class Gap:
    line: int
    font: str
    options: dict[Option, float]   # log score of each reading
    glyphs: dict[Option, str]      # the glyph(s) each reading restores, in their case
    # gaps that read as words as they stand ("ngư i", "huy  ộng", "v   các"): per
    # reading, how much more likely it is than the text as it stands (shipped and
    # archive counts only: the document's own counts hold the damage)
    margin: dict[Option, float] | None = None
    where: str = ""                # "start": a glyph lost at the start of a word; "word": a one-glyph word

    @property
    def start(self) -> int:
        return min(o[0] for o in self.options)

    @property
    def end(self) -> int:
        return max(o[1] for o in self.options)


def _neighbour_words(texts: list[str], i: int, start: int, end: int) -> tuple[str | None, str | None]:
    """The words either side; a neighbour that is itself a fragment ("t" of
    "t nh h nh") tells nothing and counts as none."""
    left = _WORD.findall(texts[i][:start])
    right = _WORD.findall(texts[i][end:])
    if not left and i > 0:
        left = _WORD.findall(texts[i - 1])[-1:]
    if not right and i + 1 < len(texts):
        right = _WORD.findall(texts[i + 1])[:1]

    def useful(w: str | None) -> str | None:
        if w is None:
            return None
        w = w.lower()
        return None if len(w) <= 3 and w.isalpha() and not is_valid_syllable(w) else w
    return useful(left[-1] if left else None), useful(right[0] if right else None)


def _letter_counts(texts: list[str], fonts: list[str], keep=str.isalpha) -> dict[str, Counter]:
    """Per font: how often each letter (each character that `keep` keeps)
    occurs in the text set in it. (Every character is counted, then only the
    letters kept: a test per distinct character, not per character.)"""
    chars: dict[str, Counter] = defaultdict(Counter)
    for text, font in zip(texts, fonts):
        chars[font].update(text)
    return {font: Counter({ch: n for ch, n in seen.items() if keep(ch)}) for font, seen in chars.items()}


def scarce_glyphs(texts: list[str], fonts: list[str]) -> dict[str, set[str]]:
    """Per font: glyphs (case counts: a font may lack "Ế" and have "ế") common
    in Vietnamese but (nearly) absent from the text set in that font."""
    freq = _glyph_freq()
    counts = _letter_counts(texts, fonts)
    out: dict[str, set[str]] = defaultdict(set)
    for font, seen in counts.items():
        lower = sum(n for ch, n in seen.items() if not ch.isupper())
        upper = sum(n for ch, n in seen.items() if ch.isupper())
        for g, f in freq.items():
            for glyph, total in ((g, lower), (g.upper(), upper)):
                if total * f >= 4 and seen[glyph] <= 0.25 * total * f:
                    out[font].add(glyph)
    return out


def _alpha_bounds(tok: re.Match, tail: bool) -> str | None:
    return _bounds(tok.group(), tail)


@lru_cache(maxsize=100_000)
def _bounds(t: str, tail: bool) -> str | None:
    """The letters at the end (tail) or start of a token, when the rest of the
    token is an opening (before) or closing (after) mark and not a code ("K20").
    Cached: words repeat, and every gap of every line asks."""
    m = (_ALPHA_TAIL if tail else _ALPHA_HEAD).search(t)
    if not m:
        return None
    rest = t[:m.start()] if tail else t[m.end():]
    if tail and rest and not rest.endswith(("(", "“", "\"", "'", "‘", "/", "<", "[", "«", "*")):
        return None
    if not tail and rest and rest[0].isalnum():
        return None
    return m.group()


@lru_cache(maxsize=1024)
def _upper_line(text: str) -> bool:
    """A line of capitals: six letters or more, four in five of them upper
    case. Asked only where a gap offers a reading (most lines have none), and
    then for each of them: cached."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 6 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def letter_gaps(texts: list[str], fonts: list[str], model: Model, base: Model | None = None,
                scarce: dict[str, set[str]] | None = None, only: set[int] | None = None) -> list[Gap]:
    """Every place where a lost glyph would explain the text: fragments that
    are no syllables around one or two spaces; and, for glyphs this font lost,
    words that would read better with one (both fragments valid). only: the
    line numbers to look at (all by default)."""
    index, index2 = _fragments(), _fragments2()
    base = base or model
    scarce = scarce if scarce is not None else scarce_glyphs(texts, fonts)
    gaps = []
    for i, text in enumerate(texts):
        if only is not None and i not in only:
            continue
        lost_here = frozenset(scarce.get(fonts[i], ()))
        toks = list(_TOKEN.finditer(text))
        words = [m.group() for m in toks]
        tails, heads = [_bounds(w, True) for w in words], [_bounds(w, False) for w in words]
        for m1, m2, a, b in zip(toks, toks[1:], tails, heads[1:]):
            if not a or not b:
                continue
            k = m2.start() - m1.end()
            if k > 4:
                continue
            if k == 1 and (len(a) > 6 or len(b) > 6 or (a.lower(), b.lower()) not in index):
                continue          # most gaps: two words no lost glyph joins (the branch below offers nothing)
            a_start, a_end = m1.end() - len(a), m1.end()
            b_start, b_end = m2.start(), m2.start() + len(b)
            va, vb = is_valid_syllable(a), is_valid_syllable(b)
            options: dict[Option, float] = {}
            glyphs: dict[Option, str] = {}
            margin: dict[Option, float] = {}
            guarded = (va and vb) or k >= 3
            near: list = []       # the words either side, found at the first reading offered (most gaps have none)

            def offer(opt: Option, gl: str, words: list[str]):
                if not near:
                    near.extend(_neighbour_words(texts, i, a_start, b_end))
                left, right = near
                options[opt] = model.score(words, left, right)
                glyphs[opt] = gl
                if guarded:
                    margin[opt] = (base.score(words, left, right)
                                   - base.score([a.lower(), b.lower()], left, right)
                                   # a reading with one more word pays for that word's
                                   # probability; the text as it stands pays for its
                                   # run of spaces, which words do not leave
                                   + (SPACE_RUN if k >= 3 else 0.0))

            if k >= 3:
                # a word of one or two glyphs lost whole between two words ("ở",
                # "để"): only glyphs this font lost
                for w in _lost_words(lost_here, k - 2):
                    offer((a_end, b_start, f" {w} "), w, [a.lower(), w.lower(), b.lower()])
            elif len(a) > 6 or len(b) > 6:
                continue
            elif k == 1:
                for g0 in index.get((a.lower(), b.lower()), ()):
                    for g in _cases(g0, a, b, _upper_line(text)):
                        if guarded and g not in lost_here:
                            continue
                        offer((a_start, b_end, a + g + b), g, [(a + g + b).lower()])
            else:
                # a glyph lost at the end of a ("b  câu") or the start of b ("huy  ộng"),
                # or two glyphs lost inside one word ("tr  ng")
                for g in _end_glyphs(a, _upper_line(text)):
                    if (va or guarded) and g not in lost_here:
                        continue
                    offer((a_start, a_end + 1, a + g), g, [(a + g).lower(), b.lower()])
                if not va and not vb:
                    for gg in index2.get((a.lower(), b.lower()), ()):
                        gg = "".join(_case_like(g, a, b, _upper_line(text)) for g in gg)
                        offer((a_start, b_end, a + gg + b), gg, [(a + gg + b).lower()])
            if options:
                gaps.append(Gap(i, fonts[i], options, glyphs, margin if guarded else None,
                                "word" if k >= 3 else ""))
        # a glyph lost at the start of a word ("huy  ộng", "chủ trương,  ường", "ngành/ ịa")
        for m2, b in zip(toks, heads) if _START_SIGN.search(text) else ():
            if not b or not m2.group().startswith(b) or len(b) > 6:
                continue
            pre = text[:m2.start()]
            if not (pre == " " or pre.endswith("  ") and pre.strip() or pre.endswith(("/ ", "( ", "“ "))):
                continue
            vb = is_valid_syllable(b)
            nxt = _ALPHA_HEAD.match(text[m2.start() + len(b) + 1:]) if text[m2.start() + len(b):][:1] == " " else None
            if not vb and nxt and (b.lower(), nxt.group().lower()) in index:
                continue       # "t  ch c": "ch" is the head of the next gap ("chức"), not a word
            left, right = _neighbour_words(texts, i, m2.start(), m2.end())
            options, glyphs, margin = {}, {}, {}
            cands = []
            for g in index.get(("", b.lower()), ()):
                g = _case_like(g, "", b, _upper_line(text))
                cands.append(g)
                if g.islower() and b.islower():
                    cands.append(g.upper())       # a capital lost at the start of a word: "Đại hội"
            if pre.endswith("   ") and pre.strip():
                # two glyphs lost at the start ("cấp   c biệt" for "cấp đặc biệt"): both lost in this font
                for gg in index2.get(("", b.lower()), ()):
                    gg = "".join(_case_like(g, "", b, _upper_line(text)) for g in gg)
                    if all(g in lost_here for g in gg):
                        cands.append(gg)
            for g in cands:
                # a glyph not shown lost in this font must win by a decisive margin (decide_letters)
                opt = (m2.start() - len(g), m2.start() + len(b), g + b)
                options[opt] = model.score([(g + b).lower()], left, right)
                glyphs[opt] = g
                if vb:
                    margin[opt] = base.score([(g + b).lower()], left, right) - base.score([b.lower()], left, right)
            if options:
                gaps.append(Gap(i, fonts[i], options, glyphs, margin if vb else None, "start"))
        # a glyph lost at the end of a word before punctuation, a number or the
        # line's end ("hồ s :", "Nghị định s  92/2017", "kinh t  - xã hội")
        if not _END_SIGN.search(text):
            continue
        for n, m1 in enumerate(toks):
            nxt = toks[n + 1] if n + 1 < len(toks) else None
            if m1.end() >= len(text) or text[m1.end()] != " ":
                continue
            if nxt is not None and not (nxt.start() == m1.end() + 1 and nxt.group()[0] in ".,;:)!?…"
                                        or nxt.start() == m1.end() + 2 and not nxt.group()[0].isalpha()):
                continue
            a = tails[n]
            if not a or is_valid_syllable(a) or len(a) > 6 or \
                    len(a) == 1 and a.isupper() and not (nxt is not None and nxt.group()[0] in _MARKS):
                continue       # "Vitamin C  2", "điểm D": a label, not a fragment; "S :" is "Số:", "B ," "Bộ,"
            a_start = m1.end() - len(a)
            left, right = _neighbour_words(texts, i, a_start, m1.end())
            options, glyphs = {}, {}
            for g in _end_glyphs(a, _upper_line(text)):
                options[(a_start, m1.end() + 1, a + g)] = model.score([(a + g).lower()], left, right)
                glyphs[(a_start, m1.end() + 1, a + g)] = g
            if options:
                gaps.append(Gap(i, fonts[i], options, glyphs))
        gaps += _before_marks(texts, i, fonts[i], toks, lost_here, model, base, _upper_line(text), tails)
    return gaps


def _before_marks(texts: list[str], i: int, font: str, toks: list[re.Match], lost_here: frozenset[str],
                  model: Model, base: Model, upper_line: bool, tails: list[str | None] | None = None) -> list[Gap]:
    """Vietnamese puts no space before these marks, so spaces there after a
    word are lost glyphs: one at the end of a word that reads as one ("trí
    tu ." for "trí tuệ.", "sau thu " at the line's end), or a word of one or
    two glyphs lost whole ("Theo   ," for "Theo đó,"). Only glyphs this font
    lost, and the reading must beat the text as it stands (margin). tails: the
    letters at the end of each token (letter_gaps has them)."""
    text = texts[i]
    gaps = []
    if tails is None:
        tails = [_alpha_bounds(m, True) for m in toks]
    for m1, m2, a in zip(toks, toks[1:] + [None], tails):
        # the line's end counts as a mark: extracted lines keep no trailing space of their own
        k = (m2.start() if m2 else len(text)) - m1.end()
        if m2 and m2.group()[0] not in _MARKS or not m2 and k != 1 or k > 3 or not a or len(a) > 6 \
                or not is_valid_syllable(a):
            continue
        a_start, a_end = m1.end() - len(a), m1.end()
        left, right = _neighbour_words(texts, i, a_start, a_end)
        options, glyphs, margin = {}, {}, {}

        def offer(opt: Option, gl: str, words: list[str], run: float) -> None:
            options[opt] = model.score(words, left, right)
            glyphs[opt] = gl
            margin[opt] = base.score(words, left, right) - base.score([a.lower()], left, right) + run

        if k == 1:
            for g in _end_glyphs(a, upper_line):
                if g in lost_here:
                    offer((a_start, a_end + 1, a + g), g, [(a + g).lower()], 0.0)
        else:
            for w in _lost_words(lost_here, k - 1):
                offer((a_end, a_end + k, " " + w), w, [a.lower(), w.lower()], SPACE_RUN)
        if options:
            gaps.append(Gap(i, font, options, glyphs, margin, "word" if k > 1 else ""))
    return gaps


def _weight(glyphs: str, weight: dict[str, float]) -> float:
    return math.prod(weight.get(g, 0.02) for g in glyphs)


def _posteriors(gap: Gap, weight: dict[str, float]) -> dict[Option, float]:
    best = max(gap.options.values())
    raw = {o: math.exp(s - best) * _weight(gap.glyphs[o], weight) for o, s in gap.options.items()}
    total = sum(raw.values()) or 1.0
    return {o: v / total for o, v in raw.items()}


def lost_glyph_weights(texts: list[str], fonts: list[str], gaps: list[Gap],
                       scarce: dict[str, set[str]] | None = None
                       ) -> tuple[dict[str, dict[str, float]], dict[str, set[str]]]:
    """Per font: how likely each glyph is to be one this text lost.

    Two signals: the gaps vote for the glyphs that explain them (an EM-like
    loop over candidate posteriors), and a glyph common in Vietnamese but
    (nearly) absent from the text set in that font is suspect."""
    freq = _glyph_freq()
    counts = _letter_counts(texts, fonts)
    scarce_in = scarce if scarce is not None else scarce_glyphs(texts, fonts)
    weights: dict[str, dict[str, float]] = {}
    for font, seen in counts.items():
        total = sum(seen.values())
        w = {}
        for g in set(freq) | {x.upper() for x in freq} | set(seen):
            expected = total * freq.get(g.lower(), 0.0)
            w[g] = (0.05 + (1.0 if g in scarce_in[font] else 0.0)) / (1.0 + seen[g] / max(1.0, expected))
        weights[font] = w
    base = {font: dict(w) for font, w in weights.items()}
    for _ in range(3):
        votes: dict[str, Counter] = defaultdict(Counter)
        for gap in gaps:
            if gap.margin is not None:
                continue
            for o, p in _posteriors(gap, weights[gap.font]).items():
                for g in gap.glyphs[o]:
                    votes[gap.font][g] += p
        weights = {font: {g: b + (votes[font][g] if votes[font][g] >= 1.5 else 0.0) for g, b in w.items()}
                   for font, w in base.items()}
    return weights, scarce_in


MARGIN = 2.0     # log-odds a reading as words must lose by before a lost glyph is put in
DECISIVE = 6.0   # ... and by which it needs no other sign that the glyph was lost
# log-odds against a run of 3-4 spaces between two words of running text: the
# PDF reader gives one space per word gap (0 runs in 5,015 gaps of the sample
# PDFs; 1 in 366,764 gaps of the clean benchmark text, i.e. odds of e^-8 or less)
SPACE_RUN = 8.0


def decide_letters(texts: list[str], fonts: list[str], gaps: list[Gap], model: Model,
                   vote_gaps: list[Gap] | None = None, weighed: tuple | None = None
                   ) -> list[tuple[Gap, Option, float, str]]:
    """(gap, best reading, confidence, evidence) for every letter gap worth
    acting on or reporting (a gap that reads as words and shows no clear
    case is dropped silently: it is most likely just words). texts are the
    lines as extracted; vote_gaps, when given, are the gaps that weigh which
    glyphs were lost (those of the text as extracted, for a second pass)."""
    vote_gaps = gaps if vote_gaps is None else vote_gaps
    weights, scarce = weighed or lost_glyph_weights(texts, fonts, vote_gaps)
    votes: dict[str, Counter] = defaultdict(Counter)
    plain: dict[str, Counter] = defaultdict(Counter)     # votes of gaps that cannot be words
    # "huy  ộng", "của  ảng": a glyph lost only ever at the start of words ("đ")
    # leaves no fragment that cannot be Vietnamese; the same pattern repeating is the sign
    starts: dict[str, Counter] = defaultdict(Counter)
    for gap in vote_gaps:
        p = _posteriors(gap, weights[gap.font])
        best = max(p, key=lambda o: (p[o], o))
        for g in gap.glyphs[best]:
            votes[gap.font][g] += 1
            if gap.margin is None and p[best] >= 0.5:
                plain[gap.font][g] += 1
        if gap.where in ("start", "word") and gap.margin is not None and gap.margin[best] >= MARGIN \
                and all(model.uni(w) > 0 for w in _WORD.findall(best[2].lower())):
            for g in gap.glyphs[best]:
                starts[gap.font][g] += 1
    post = []
    for gap in gaps:
        p = _posteriors(gap, weights[gap.font])
        post.append((gap, p, max(p, key=lambda o: (p[o], o))))
    out = []
    for gap, p, best in post:
        gg = gap.glyphs[best]
        n = min(votes[gap.font][g] for g in gg)
        seen = sum(t.count(g) for t, f in zip(texts, fonts) if f == gap.font for g in gg)
        # lost: scarce in this font's text, or the best reading of several gaps
        # while rare elsewhere ("n" in "g và h" is neither)
        lost = all(g in scarce[gap.font] for g in gg) or (n >= 3 and n >= 0.1 * seen)
        attested = all(model.uni(w) > 0 for w in _WORD.findall(best[2].lower()))
        # a word far likelier with a glyph this font never shows (" y ban nhân
        # dân" -> "Ủy ban") is its own evidence
        decisive = gap.margin is not None and seen == 0 and attested and gap.margin[best] >= DECISIVE
        if not lost and not decisive:
            continue       # no sign this text lost that glyph: a label ("g và h"), a name, a code
        # "điều"/"Điều" read the same to the word model: the case is the font's
        # (the weights pick it), the confidence is that of the word
        pw = sum(v for o, v in p.items() if o[:2] == best[:2] and o[2].lower() == best[2].lower())
        conf = pw if attested else min(pw, 0.6)
        # a reading that merges words needs the glyph shown lost by fragments
        # that cannot be Vietnamese elsewhere in this font's text
        shown = all(plain[gap.font][g] >= 2 for g in gg) or \
            (gap.where == "start" and all(starts[gap.font][g] >= 3 for g in gg)) or \
            (gap.where == "word" and all(starts[gap.font][g] >= 2 for g in gg))
        if gap.margin is not None and not decisive and \
                not (lost and attested and gap.margin[best] >= MARGIN and shown):
            continue
        runner = sorted(p.values())[-2] if len(p) > 1 else 0.0
        evidence = (f"“{gg}” mất ở {n} chỗ, còn {seen} lần trong văn bản"
                    + (f" (phông {gap.font})" if gap.font else "")
                    + f"; “{best[2].strip()}” hợp với từ xung quanh {p[best]:.0%}"
                    + (f", phương án kế tiếp {runner:.0%}" if len(p) > 1 else "")
                    + ("" if attested else "; từ này chưa gặp trong thống kê"))
        out.append((gap, best, round(conf, 3), evidence))
    return out


# --- numbers ----------------------------------------------------------------

_SPLIT_NUMBER = re.compile(
    r"(?<![\w/])\d[\d ]*(?:/[\d ]*)*/ ?[A-ZĐ][A-Za-zĐđ&]*(?:-[A-ZĐ][A-Za-zĐđ&]*)*")
_YEAR3 = re.compile(r"(?<![\d/])(?P<pre>(?:năm|Năm|NĂM) +|\d{1,2} */ *\d{1,2} */ *)(?P<y>(?:19|20)\d) (?= |[.,;:)]|$)")
_CODE_DIGIT = re.compile(r"\b(?P<code>[A-Z]{2,}-\d{1,3}) (?= |[.,;:)]|$)")
_EMPTY_NUMBER = re.compile(r"\b(?P<w>Điều|Khoản|khoản|Chương|chương|Mục|mục)   (?=\S)")
_PHONE = re.compile(r"(?:Điện thoại|điện thoại|ĐT|Tel|Fax)\s*:?\s*(?P<num>\d[\d.]*\d\.? \d[\d.]*)")


def _canonical(text: str) -> str | None:
    from ..cite.find import NUMBER, _code_parts, canonical_number
    m = NUMBER.search(text)
    if not m or m.start() != 0:
        return None
    return canonical_number(m["num"], _code_parts(m["code"]), m["nyear"])[0]


def _fills(pattern: str, digits: str) -> list[str]:
    """Every way of putting a digit of `digits` at each "_" of pattern."""
    out = [""]
    for ch in pattern:
        out = [o + d for o in out for d in digits] if ch == "_" else [o + ch for o in out]
        if len(out) > 2000:
            return []
    return out


def number_gaps(texts: list[str], facts: Facts, model: Model) -> tuple[list[tuple], list[tuple]]:
    """(confirmed, open) number gaps. confirmed: (line, start, end, after, conf, evidence);
    open: (line, start, end, pattern, note) to fill with the lost digit, or report."""
    confirmed, open_ = [], []
    names = [(n, re.sub(r"\d", "_", n)) for n in facts.names if re.search(r"\d{4}$", n)]
    for i, text in enumerate(texts):
        taken: list[tuple[int, int]] = []
        for m in _SPLIT_NUMBER.finditer(text):
            s = m.group()
            code_at = re.search(r"/ ?[A-ZĐ]", s).start()
            numeric, code = s[:code_at], s[code_at:].replace(" ", "")
            # digits split by a space, or a year cut to three digits; not a
            # deviant spacing like "12 /KH-UBND"
            if not (re.search(r"\d \d", numeric) or re.search(r"/ ?\d{3} $", numeric)):
                continue
            # each space inside the numeric part (not the one before the code) is a lost digit
            pattern = re.sub(r"(?<=[\d/]) (?=[\d/])", "_", numeric.rstrip()) + ("_" if numeric.endswith(" ") and not numeric.endswith("/ ") else "")
            pattern = pattern.replace(" ", "")
            known = sorted({f for f in _fills(pattern, "0123456789") if (_canonical(f + code) or "") in facts.numbers})
            if len(known) == 1:
                num = _canonical(known[0] + code)
                where = ", ".join(sorted(facts.numbers[num]))
                confirmed.append((i, m.start(), m.start() + len(s), known[0] + code, 0.97,
                                  f"số {num} được dẫn đầy đủ ở: {where}"))
                taken.append((m.start(), m.end()))
                date = facts.dates.get(num)
                rest = text[m.end():]
                dm = re.match(r"(?P<pre> *ngày *\d{1,2} */ *\d{1,2} */ *)(?P<y>\d{3}) (?= |[.,;:)]|$)", rest)
                if date and dm and date[:3] == dm["y"]:
                    a = m.end() + dm.start("y")
                    confirmed.append((i, a, a + 4, date[:4], 0.95, f"ngày ban hành của {num} là {date}"))
                    taken.append((a, a + 4))
            else:
                open_.append((i, m.start(), m.start() + len(s), None,
                              "số văn bản thiếu chữ số" + (f", {len(known)} số đã biết khớp" if known else "")))
                taken.append((m.start(), m.end()))
        for m in _YEAR3.finditer(text):
            a = m.start("y")
            if any(s <= a < e for s, e in taken):
                continue
            before = text[:a]
            hits = sorted({name for name, _ in names
                           if before.rstrip().lower().endswith(name[:-4].rstrip().lower()) and name[-4:-1] == m["y"]})
            if len(hits) == 1:
                confirmed.append((i, a, a + 4, hits[0][-4:], 0.95, f"tên văn bản đã biết: “{hits[0]}”"))
            elif hits:     # "Bộ luật Lao động năm 2012" and "... năm 2019": the lost digit decides
                open_.append((i, a, a + 4, m["y"] + "_", "năm thiếu chữ số cuối; tên văn bản đã biết: "
                              + ", ".join(f"“{h}”" for h in hits), tuple(h[-4:] for h in hits)))
            else:
                open_.append((i, a, a + 4, m["y"] + "_", "năm thiếu chữ số cuối"))
            taken.append((a, a + 4))
        for m in _CODE_DIGIT.finditer(text):
            code = m["code"]
            stem, digits = code.split("-", 1)
            backed = [d for d in "0123456789" if model.bi(stem.lower(), digits + d) > 0]
            if len(backed) == 1:
                confirmed.append((i, m.start(), m.end(), code + backed[0], 0.9,
                                  f"“{code + backed[0]}” có trong thống kê từ, không chữ số nào khác"))
            else:
                open_.append((i, m.start(), m.end(), code + "_", "mã thiếu chữ số"))
        for m in _EMPTY_NUMBER.finditer(text):
            a = m.end("w") + 1
            open_.append((i, a - 1, a + 2, " _ ", f"“{m['w']}” không có số"))
        for m in _PHONE.finditer(text):
            open_.append((i, m.start("num"), m.end("num"), None, "số điện thoại có khoảng trống"))
    return confirmed, open_


# words a number follows; not "ngày", "tháng", "số": forms leave those blank
# on purpose ("ngày    tháng    năm 2025", "Số:      /QĐ-UBND")
_NUMBER_WORDS = re.compile(r"(?:^|\s)(?:Điều|khoản|Khoản|Mục|mục|Chương|chương|điểm|Bước|bước)$")
# ... but a month after a day is never left blank
_DATED_MONTH = re.compile(r"\b[Nn]gày +\d[\d ]* +tháng$")


def _fragment_before(text: str, a: int) -> bool:
    """The letters just before position a are a piece of a word, not a word
    ("s" of "s   6" where "số 16" lost its "ố" and its "1")."""
    m = _ALPHA_TAIL.search(text[:a])
    return bool(m) and not is_valid_syllable(m.group())


def _fragment_after(text: str, b: int) -> bool:
    """The letters from position b are a piece of a Vietnamese word that lost
    its first letter ("iều" of "khoản 2  iều"), not a unit ("m", "kg")."""
    m = _ALPHA_HEAD.match(text[b:])
    return bool(m) and not m.group().isascii() and not is_valid_syllable(m.group())


def digit_positions(text: str) -> list[int]:
    """Spaces of a line that stand where a digit was lost, from the run of
    spaces and what is either side of it. A font that maps a digit to nothing
    leaves one space per digit: "1 /202 /NĐ-CP", "58/ 0 4/QH15", "( 28)",
    "năm  0  ." (2025 without its 2s), " . Kết quả" (list number "1."),
    "sau 1  giờ" (16), "khoản   Điều" (a one-digit number lost). Blanks that
    forms leave on purpose ("ngày   /   /2025") are not gaps."""
    out: list[int] = []
    if text.strip() == "" and 0 < len(text) <= 3:
        return list(range(len(text)))          # a table cell holding only a lost number

    def digit(k: int) -> bool:
        return 0 <= k < len(text) and text[k].isdigit() or k in out

    for m in re.finditer(r" +", text):
        a, b = m.span()
        n = b - a
        left = text[a - 1] if a else "^"
        right = text[b] if b < len(text) else "$"
        lnum, rnum = digit(a - 1), right.isdigit()
        after_digit = digit(a - 2)              # "58/ 0", "1. 3"
        # a decimal comma opens a number only after a digit already known lost
        # (" , 85" for "0,085"); "1, 2" is a list
        opens = left in "(^" or left in "/." and after_digit or left == "," and a - 2 in out
        if (lnum or opens or left == "/") and rnum or (lnum or opens) and right == "/" and (lnum or after_digit):
            out.extend(range(a, b))             # inside a number, or opening one
        elif (lnum or left == "/" and after_digit) and (right in ".,;:%)" or right == "$"):
            out.extend(range(a, b))             # closing one
        elif left in "^(" and right in ".,)" and n <= 2:
            out.extend(range(a, b))             # a list number: " . Kết quả", "( ) Điều chỉnh"
        elif n < 2:
            continue
        elif lnum:
            if not _fragment_after(text, b):
                out.extend(range(a, b - 1))     # lost at the end, then the separating space
        elif left in ",." and after_digit and not right.isspace():
            out.extend(range(a, b - 1))         # a decimal lost: "47,  nghìn" (47,5)
        elif rnum:
            # the separating space, then lost at the start ("năm  0" for 2025);
            # after a word piece the first space is its lost letter ("s  92")
            out.extend(range(a + 1 + _fragment_before(text, a), b))
        elif n in (3, 4) and _DATED_MONTH.search(text[:a]) and right.isalpha():
            out.extend(range(a + 1, b - 1))     # "ngày 21 tháng    năm": a form leaves no month blank after a day
        elif _NUMBER_WORDS.search(text[:a]) and (n >= 3 or right in ".,;:)$"):
            out.extend(range(a + 1, b - 1 if n >= 3 else b))   # "khoản   Điều", "Điều  ."
    return out


_NUMBER_TOKEN = re.compile(r"\d+(?:[./,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?: \d{3})+(?!\d)")


@lru_cache(maxsize=1)
def _digit_freq() -> dict[str, float]:
    """Share of each digit among the digits of real text (shipped table):
    dates make 0, 1 and 2 common, 7, 8 and 9 rare."""
    c: Counter = Counter({d: 1 for d in "0123456789"})
    for w, n in shipped().uni.items():
        c.update({ch: n for ch in w if ch.isdigit()})
    total = sum(c.values())
    return {d: c[d] / total for d in "0123456789"}


STRONG_DIGIT = 6.0     # a digit the text would hold this many times, absent: lost, not chance


def scarce_digits(texts: list[str], fonts: list[str]) -> dict[str, dict[str, float]]:
    """Per font: digits (nearly) absent from that font's text, each with how
    many times the text would hold it (the weight of the evidence: a rare "7"
    absent from 20 digits is chance, a "2" absent from 40 is a lost glyph)."""
    freq = _digit_freq()
    counts = _letter_counts(texts, fonts, str.isdigit)
    out = {}
    for font, seen in counts.items():
        total = sum(seen.values())
        lost = {d: round(total * f, 1) for d, f in freq.items()
                if total * f >= 2.5 and seen[d] <= 0.05 * total * f}
        if lost:
            out[font] = lost
    return out


def _plausible(chunk: str) -> bool:
    """A filled number chunk that reads as a possible date or year."""
    for m in re.finditer(r"(?<!\d)(\d+)/(\d+)/(\d{4})(?!\d)", chunk):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        if not (1 <= d <= 31 and 1 <= mo <= 12 and 1945 <= y <= 2099):
            return False
    for m in re.finditer(r"(?<![\d/])(\d{4})(?![\d/])|/(\d{4})/", chunk):
        y = int(m[1] or m[2])
        if not 1945 <= y <= 2099:
            return False
    return True


def _fits_word(before: str, chunk: str) -> bool:
    """A filled number that the word before it allows: "tháng 1..12", "ngày 1..31"."""
    m = re.search(r"\b(tháng|ngày)\s+$", before, re.IGNORECASE)
    if not m or not chunk.isdigit():
        return True
    return 1 <= int(chunk) <= (12 if m[1].lower() == "tháng" else 31)


def digit_sites(texts: list[str], fonts: list[str], taken: dict[int, list[tuple[int, int]]],
                model: Model | None = None) -> list[tuple[int, int, int, str, float, str]]:
    """Digits lost in fonts that lack them: (line, start, end, after, confidence, evidence)."""
    scarce = scarce_digits(texts, fonts)
    years = Counter(m for t in texts for m in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", t))
    year = years.most_common(1)[0][0] if years else None
    intact = {x for t in texts for x in _NUMBER_TOKEN.findall(t)}
    out = []
    for i, (text, font) in enumerate(zip(texts, fonts)):
        lost = scarce.get(font)
        if not lost or len(lost) > 3:
            continue
        # try the digits whose absence is strong evidence first, then all
        strong = "".join(sorted(d for d, e in lost.items() if e >= STRONG_DIGIT))
        tiers = [t for t in (strong, "".join(sorted(lost))) if t]
        thousands = [t.span() for t in _THOUSANDS.finditer(text)]
        sites = [k for k in digit_positions(text)
                 if not any(s <= k < e for s, e in taken.get(i, []) + thousands)]
        # group the sites of one number ("1 /6/ 0 5") and fill them together
        groups: list[list[int]] = []
        for pos in sites:
            if groups and re.fullmatch(r"[\d/. ]*", text[groups[-1][-1]:pos]) and pos - groups[-1][-1] <= 8:
                groups[-1].append(pos)
            else:
                groups.append([pos])
        for g in groups:
            a = g[0]
            while a > 0 and (text[a - 1].isdigit() or text[a - 1] in "/."):
                a -= 1
            b = g[-1] + 1
            while b < len(text) and (text[b].isdigit() or text[b] in "/"):
                b += 1
            # "10  ến": the digit lost after 10 and the letter lost before "ến"
            # both claim the space between them; the edit spans it so that
            # the more confident of the two readings wins
            span_end = b + 1 if b == g[-1] + 1 and text[b:b + 1] == " " else b
            for digits in tiers:
                fills = []
                for combo in _fills("_" * len(g), digits):
                    chunk = list(text[a:b])
                    for pos, d in zip(g, combo):
                        chunk[pos - a] = d
                    fills.append("".join(chunk))
                ok = [f for f in fills if _plausible(f) and _fits_word(text[:a], f)]
                conf = 0.85 if len(digits) == 1 else 0.8
                if len(ok) > 1:
                    # several fit: the one whose numbers the document states intact
                    # elsewhere ("2017" in another font's lines), if only one is
                    stated = [f for f in ok if all(x in intact for x in _NUMBER_TOKEN.findall(f))]
                    if len(stated) == 1:
                        ok, conf = stated, 0.8
                if len(ok) > 1 and model is not None:
                    # several fit: the one the word statistics know after the word
                    # before it ("Covid 19", "Kỳ họp thứ 10"), if only one is
                    prev = _WORD.findall(text[:a])[-1:]
                    known = [f for f in ok if prev and model.bi(prev[0].lower(), f) > 0]
                    if len(known) == 1:
                        ok, conf = known, 0.8
                if len(ok) > 1 and year:
                    # several dates fit: the one in the document's own year, if only one is
                    near = [f for f in ok if re.search(rf"(?<!\d){year}(?!\d)", f)]
                    if len(near) == 1:
                        ok, conf = near, 0.8
                if len(ok) == 1 and ok[0] != text[a:b]:
                    conf += 0.05 if digits == strong else 0.0
                    out.append((i, a, span_end, ok[0] + text[b:span_end], conf,
                                f"phông {font or '(không rõ)'} thiếu chữ số " + ", ".join(f"“{d}”" for d in digits)
                                + " (gần như không gặp trong phần văn bản dùng phông này)"))
                if ok:
                    break
    # one fitting number could be a stray space ("ngày 16 /3/2015"): a font that
    # lost a digit shows it in several places, unless its absence is itself
    # strong evidence
    per_font = Counter(fonts[i] for i, *_ in out)
    return [o for o in out if per_font[fonts[o[0]]] >= 2 or o[4] >= 0.9]


def lost_digit(texts: list[str], confirmed: list[tuple]) -> tuple[str | None, str]:
    """The one digit this document loses, when every confirmed number repair
    restored the same digit and that digit is scarce in the rest of the text."""
    used = Counter()
    for i, a, b, after, conf, _ in confirmed:
        before = texts[i][a:b]
        for x, y in zip(before.ljust(len(after)), after):
            if x != y and y.isdigit():
                used[y] += 1
        if len(after) > len(before):
            used.update(ch for ch in after[len(before.rstrip()):] if ch.isdigit())
    if len(used) != 1:
        return None, ""
    d, n = next(iter(used.items()))
    seen = Counter(ch for t in texts for ch in t if ch.isdigit())
    others = [seen[x] for x in "0123456789" if x != d]
    mean = sum(others) / len(others)
    if n >= 2 and seen[d] <= 0.25 * mean:
        return d, f"chữ số “{d}” mất ở {n} chỗ đã xác minh, chỉ còn {seen[d]} lần trong văn bản"
    return None, ""


@lru_cache(maxsize=1)
def _known_codes() -> frozenset[str]:
    """Type codes (Decree 30 Phụ lục III) and issuer codes of document numbers."""
    from ..cite.lexicon import citation_data
    from ..parse.lexicon import doc_types
    return frozenset(doc_types()["by_code"]) | frozenset(citation_data()["issuers"])


# a space inside the code of a number ("1509/Q -UBND", "13/2023/N -CP") or an
# upper-case abbreviation ("TT H ND tỉnh"): a capital lost, most often "Đ"
_CODE_HEAD = re.compile(r"(?:(?<=\d/)|(?<![\w/-]))[A-ZĐ][A-Za-zĐ]{0,4}$")
_CODE_TAIL = re.compile(r"^(?P<part>-|[A-ZĐ][A-Za-zĐ]{0,5}(?![\w]))")


def code_gaps(texts: list[str], fonts: list[str], lost: dict[str, set[str]]
              ) -> list[tuple[int, int, int, str, float, str]]:
    """Capitals lost inside the codes of numbers and abbreviations: the one
    lost capital of this font that makes a known code of the fragments either
    side. (line, start, end, after, confidence, evidence)."""
    known = _known_codes()
    out = []
    caps_of = {font: sorted(g for g in lost.get(font, ()) if g.isupper()) for font in set(fonts)}
    for i, (text, font) in enumerate(zip(texts, fonts)):
        caps = caps_of[font]
        if not caps:
            continue
        for sp in re.finditer(r"(?<=[A-Za-zĐ]) (?=[-A-ZĐ])", text):
            k = sp.start()
            head = _CODE_HEAD.search(text[:k])
            tail = _CODE_TAIL.match(text[k + 1:])
            if not head or not tail or head.group() in known:
                continue
            after_number = text[head.start() - 1:head.start()] == "/"
            part = tail["part"]
            if part == "-" and not after_number:
                continue
            word = head.group() + "{}" + ("" if part == "-" else part)
            fits = [g for g in caps if word.format(g) in known]
            if len(fits) == 1:
                a, b = head.start(), k + 1 + (0 if part == "-" else len(part))
                after = head.group() + fits[0] + text[k + 1:b]
                out.append((i, a, b, after, 0.9, f"“{word.format(fits[0])}”: mã đã biết; "
                            f"phông {font or '(không rõ)'} thiếu “{fits[0]}”"))
    return out


def repair_glyphs(texts: list[str], fonts: list[str], model: Model, facts: Facts
                  ) -> tuple[list[str], list[Repair]]:
    """Restore lost glyphs in the lines of one document (texts as NFC, spaces
    as extracted). Returns the new texts and every repair or reported spot;
    span offsets refer to the input texts."""
    edits: dict[int, list[tuple[int, int, str, Repair]]] = defaultdict(list)

    def add(i, a, b, after, kind, evidence, conf, applied):
        r = Repair(kind=kind, line=i, start=a, end=b, before=texts[i][a:b], after=after,
                   evidence=evidence, confidence=round(conf, 3), applied=applied)
        edits[i].append((a, b, after, r))

    confirmed, open_ = number_gaps(texts, facts, model)
    for i, a, b, after, conf, ev in confirmed:
        add(i, a, b, after, "number", ev, conf, True)
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, a, b, *_ in confirmed:
        taken[i].append((a, b))
    if len(set(fonts)) > 1:      # per-font digit loss needs font runs (PDF)
        for i, a, b, after, conf, ev in digit_sites(texts, fonts, taken, model):
            add(i, a, b, after, "number", ev, conf, True)
            taken[i].append((a, b))
    scarce = scarce_glyphs(texts, fonts)
    for i, a, b, after, conf, ev in code_gaps(texts, fonts, scarce):
        if not any(a < e and s < b for s, e in taken[i]):
            add(i, a, b, after, "glyph", ev, conf, True)
            taken[i].append((a, b))
    digit, why = lost_digit(texts, confirmed)
    for i, a, b, pattern, note, *choices in open_:
        if any(a < e and s < b for s, e in taken[i]):
            continue
        after = pattern.replace("_", digit) if pattern and digit else None
        if after and choices and after not in choices[0]:
            after = None
        if after:
            if pattern.strip() == "_":
                after = " " + digit + " "
            add(i, a, b, after, "number", f"{note}; {why}", 0.9 if choices else 0.85, True)
        else:
            add(i, a, b, texts[i][a:b], "number", note + ": để nguyên, cần người xem", 0.0, False)
    base = Model(model.layers[1][0]) if len(model.layers) > 1 else model
    gaps = letter_gaps(texts, fonts, model, base, scarce)
    weighed = lost_glyph_weights(texts, fonts, gaps, scarce)
    first = decide_letters(texts, fonts, gaps, model, weighed=weighed)
    for gap, (a, b, after), conf, ev in first:
        applied = conf >= APPLY_AT
        add(gap.line, a, b, after if applied else texts[gap.line][a:b],
            "glyph", ev if applied else f"{ev}; gợi ý “{after.strip()}”, để nguyên", conf, applied)
    # further passes: a word next to another damaged one ("v  s  tiến b " for
    # "vì sự tiến bộ") is judged again once its neighbours are whole; only where
    # the passes before kept lengths, so offsets still refer to the input
    done: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    decided = first
    for _ in range(2):
        for gap, (a, b, after), conf, _ in decided:
            if conf >= APPLY_AT:
                done[gap.line].append((a, b, after))
        mended = list(texts)
        for i, spans in done.items():
            if all(len(after) == b - a for a, b, after in spans):
                t = texts[i]
                for a, b, after in spans:
                    t = t[:a] + after + t[b:]
                mended[i] = t
        changed = {i for i in done if mended[i] is not texts[i]}
        again = [g for g in letter_gaps(mended, fonts, model, base, scarce, changed)
                 if not any(g.start < b and a < g.end for a, b, _ in done[g.line])]
        decided = [d for d in decide_letters(texts, fonts, again, model, gaps, weighed) if d[2] >= APPLY_AT]
        for gap, (a, b, after), conf, ev in decided:
            add(gap.line, a, b, after, "glyph", ev + "; sau khi các từ bên cạnh được khôi phục", conf, True)
        if not decided:
            break

    out = list(texts)
    repairs: list[Repair] = []
    for i, items in edits.items():
        # overlapping readings: the most confident applied one wins
        kept: list = []
        for e in sorted(items, key=lambda e: (not e[3].applied, -e[3].confidence, e[0], e[1])):
            if any(e[0] < k[1] and k[0] < e[1] for k in kept):
                continue
            kept.append(e)
        kept.sort(key=lambda e: (e[0], e[1]))
        text = texts[i]
        for a, b, after, r in reversed(kept):
            if r.applied:
                text = text[:a] + after + text[b:]
        out[i] = text
        repairs.extend(r for _, _, _, r in kept)
    repairs.sort(key=lambda r: (r.line, r.start))
    return out, repairs
