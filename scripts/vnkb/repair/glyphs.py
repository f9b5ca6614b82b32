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
def _glyph_freq() -> dict[str, float]:
    """Share of each lower-case letter among letters of real text (shipped table)."""
    c: Counter = Counter()
    for w, n in shipped().uni.items():
        for ch in w:
            if ch.isalpha():
                c[ch] += n
    total = sum(c.values()) or 1
    return {ch: n / total for ch, n in c.items()}


def _case_like(g: str, a: str, b: str) -> str:
    """The restored glyph in the case of its neighbours (Đ NG -> ĐỒNG, H ng -> Hồng)."""
    letters = (a[1:] if len(a) > 1 else "") + b
    if letters and letters.isupper() or (not letters and a.isupper()):
        return g.upper()
    if not a and b[:1].isupper():
        return g.upper()
    return g


@dataclass
class Gap:
    line: int
    start: int
    end: int
    kind: str                      # letter | digit
    font: str
    options: dict[str, float]      # replacement -> log score (letters) / confidence (digits)
    glyphs: dict[str, str]         # replacement -> glyph(s) restored
    note: str = ""


def _neighbour_words(texts: list[str], i: int, start: int, end: int) -> tuple[str | None, str | None]:
    left = _WORD.findall(texts[i][:start])
    right = _WORD.findall(texts[i][end:])
    if not left and i > 0:
        left = _WORD.findall(texts[i - 1])[-1:]
    if not right and i + 1 < len(texts):
        right = _WORD.findall(texts[i + 1])[:1]
    return (left[-1].lower() if left else None), (right[0].lower() if right else None)


def letter_gaps(texts: list[str], fonts: list[str], model: Model) -> list[Gap]:
    index = _fragments()
    gaps = []
    for i, text in enumerate(texts):
        toks = list(_TOKEN.finditer(text))
        for m1, m2 in zip(toks, toks[1:]):
            k = m2.start() - m1.end()
            if k > 2:
                continue
            ta = _ALPHA_TAIL.search(m1.group())
            tb = _ALPHA_HEAD.search(m2.group())
            if not ta or not tb:
                continue
            a, b = ta.group(), tb.group()
            if len(a) > 5 or len(b) > 5 or (is_valid_syllable(a) and is_valid_syllable(b)):
                continue
            if m1.group() != a and not m1.group()[:-len(a)].endswith(("(", "“", "\"", "'", "‘")):
                continue       # "K20", "1.000đ": the fragment is part of a code
            if m2.group() != b and m2.group()[len(b)].isalnum():
                continue
            a_start = m1.end() - len(a)
            b_end = m2.start() + len(b)
            options: dict[str, float] = {}
            glyphs: dict[str, str] = {}
            if k == 1:
                for g in index.get((a.lower(), b.lower()), ()):
                    word = a + _case_like(g, a, b) + b
                    left, right = _neighbour_words(texts, i, a_start, b_end)
                    options[word] = model.score([word.lower()], left, right)
                    glyphs[word] = g
                span = (a_start, b_end)
            else:
                # a glyph lost at the end of a ("b  câu") or the start of b ("x  ng")
                span = None
                if not is_valid_syllable(a):
                    for g in index.get((a.lower(), ""), ()):
                        word = a + _case_like(g, a, "") + " " + b
                        left, right = _neighbour_words(texts, i, a_start, b_end)
                        options[word] = model.score([(a + g).lower(), b.lower()], left, right)
                        glyphs[word] = g
                if not is_valid_syllable(b):
                    for g in index.get(("", b.lower()), ()):
                        word = a + " " + _case_like(g, "", b) + b
                        left, right = _neighbour_words(texts, i, a_start, b_end)
                        options[word] = model.score([a.lower(), (g + b).lower()], left, right)
                        glyphs[word] = g
                span = (a_start, b_end)
            if options:
                gaps.append(Gap(i, span[0], span[1], "letter", fonts[i], options, glyphs))
    return gaps


def _posteriors(gap: Gap, weight: dict[str, float]) -> dict[str, float]:
    best = max(gap.options.values())
    raw = {w: math.exp(s - best) * weight.get(gap.glyphs[w], 0.02) for w, s in gap.options.items()}
    total = sum(raw.values()) or 1.0
    return {w: v / total for w, v in raw.items()}


def lost_glyph_weights(texts: list[str], fonts: list[str], gaps: list[Gap]
                       ) -> tuple[dict[str, dict[str, float]], dict[str, set[str]]]:
    """Per font: how likely each glyph is to be one this text lost.

    Two signals: the gaps vote for the glyphs that explain them (an EM-like
    loop over candidate posteriors), and a glyph common in Vietnamese but
    (nearly) absent from the text set in that font is suspect."""
    freq = _glyph_freq()
    counts: dict[str, Counter] = defaultdict(Counter)
    for text, font in zip(texts, fonts):
        counts[font].update(ch for ch in text.lower() if ch.isalpha())
    weights: dict[str, dict[str, float]] = {}
    scarce_in: dict[str, set[str]] = defaultdict(set)
    for font, seen in counts.items():
        total = sum(seen.values())
        w = {}
        for g in set(freq) | set(seen):
            expected = total * freq.get(g, 0.0)
            scarce = expected >= 4 and seen[g] <= 0.25 * expected
            if scarce:
                scarce_in[font].add(g)
            w[g] = (0.05 + (1.0 if scarce else 0.0)) / (1.0 + seen[g] / max(1.0, expected))
        weights[font] = w
    base = {font: dict(w) for font, w in weights.items()}
    for _ in range(3):
        votes: dict[str, Counter] = defaultdict(Counter)
        for gap in gaps:
            for word, p in _posteriors(gap, weights[gap.font]).items():
                votes[gap.font][gap.glyphs[word]] += p
        weights = {font: {g: b + (votes[font][g] if votes[font][g] >= 1.5 else 0.0) for g, b in w.items()}
                   for font, w in base.items()}
    return weights, scarce_in


def decide_letters(texts: list[str], fonts: list[str], gaps: list[Gap]) -> list[tuple[Gap, str, float, str]]:
    """(gap, best replacement, confidence, evidence) for every letter gap."""
    weights, scarce = lost_glyph_weights(texts, fonts, gaps)
    votes: dict[str, Counter] = defaultdict(Counter)
    post = []
    for gap in gaps:
        p = _posteriors(gap, weights[gap.font])
        best = max(p, key=lambda w: (p[w], w))
        votes[gap.font][gap.glyphs[best]] += 1
        post.append((gap, p, best))
    out = []
    for gap, p, best in post:
        g = gap.glyphs[best]
        n = votes[gap.font][g]
        seen = sum(t.lower().count(g) for t, f in zip(texts, fonts) if f == gap.font)
        # lost: scarce in this font's text, or the best reading of several gaps
        # while rare enough elsewhere ("n" in "g và h" is neither)
        lost = g in scarce[gap.font] or (n >= 3 and n >= 0.1 * seen)
        conf = p[best] if lost else min(p[best], 0.6)
        runner = sorted(p.values())[-2] if len(p) > 1 else 0.0
        evidence = (f"“{g}” mất ở {n} chỗ, còn {seen} lần trong văn bản"
                    + (f" (phông {gap.font})" if gap.font else "")
                    + f"; từ “{best}” hợp với từ xung quanh {p[best]:.0%}"
                    + (f", phương án kế tiếp {runner:.0%}" if len(p) > 1 else ""))
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
    digit, why = lost_digit(texts, confirmed)
    for i, a, b, pattern, note, *choices in open_:
        after = pattern.replace("_", digit) if pattern and digit else None
        if after and choices and after not in choices[0]:
            after = None
        if after:
            if pattern.strip() == "_":
                after = " " + digit + " "
            add(i, a, b, after, "number", f"{note}; {why}", 0.9 if choices else 0.85, True)
        else:
            add(i, a, b, texts[i][a:b], "number", note + ": để nguyên, cần người xem", 0.0, False)
    for gap, best, conf, ev in decide_letters(texts, fonts, letter_gaps(texts, fonts, model)):
        applied = conf >= APPLY_AT
        add(gap.line, gap.start, gap.end, best if applied else texts[gap.line][gap.start:gap.end],
            "glyph", ev if applied else f"{ev}; gợi ý “{best}”, để nguyên", conf, applied)

    out = list(texts)
    repairs: list[Repair] = []
    for i, items in edits.items():
        items.sort(key=lambda e: (e[0], e[1]))
        kept = []
        for e in items:      # overlapping spans: the first (numbers come first) wins
            if kept and e[0] < kept[-1][1]:
                continue
            kept.append(e)
        text = texts[i]
        for a, b, after, r in reversed(kept):
            if r.applied:
                text = text[:a] + after + text[b:]
        out[i] = text
        repairs.extend(r for _, _, _, r in kept)
    repairs.sort(key=lambda r: (r.line, r.start))
    return out, repairs
