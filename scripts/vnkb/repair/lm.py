"""Word and bigram counts: the evidence that weighs candidate repairs.

Three layers are summed: the shipped table of real administrative text
(data/lm_vi.tsv.gz, scripts/tools/make_lm.py), the archive being built (every
document's text, counted before any repair) and the document itself (weighted
up: a name like "Diên Hồng" is best attested in its own document).
"""
from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lower-case words (letters and digits) of one line, in order."""
    return list(map(str.lower, _TOKEN.findall(text)))


@dataclass
class Counts:
    uni: Counter = field(default_factory=Counter)
    bi: Counter = field(default_factory=Counter)
    total: int | None = None         # sum of uni when fixed ahead (the archive's, rounded)

    def add_line(self, text: str) -> None:
        toks = tokens(text)
        self.uni.update(toks)
        self.bi.update(zip(toks, toks[1:]))

    @classmethod
    def of_lines(cls, lines) -> "Counts":
        """The counts of add_line over each line, summed by one update each."""
        c = cls()
        toks = [tokens(line) for line in lines]
        c.uni.update(chain.from_iterable(toks))
        c.bi.update(chain.from_iterable(zip(t, t[1:]) for t in toks))
        return c

    def merged(self, other: "Counts") -> "Counts":
        return Counts(self.uni + other.uni, self.bi + other.bi)


@lru_cache(maxsize=1)
def shipped() -> Counts:
    c = Counts()
    raw = gzip.decompress((DATA / "lm_vi.tsv.gz").read_bytes()).decode("utf-8")
    for row in raw.splitlines():
        if not row or row.startswith("#"):
            continue
        key, n = row.rsplit("\t", 1)
        if " " in key:
            a, b = key.split(" ", 1)
            c.bi[(a, b)] = int(n)
        else:
            c.uni[key] = int(n)
    return c


class Model:
    """Interpolated bigram scores over the three layers."""

    DOC_WEIGHT = 20

    def __init__(self, archive: Counts | None = None, doc: Counts | None = None):
        self.layers = [(shipped(), 1), (archive or Counts(), 1), (doc or Counts(), self.DOC_WEIGHT)]
        self.total = sum((c.total if c.total is not None else sum(c.uni.values())) * w
                         for c, w in self.layers) or 1
        self.vocab = max(1, len(shipped().uni))

    def uni(self, w: str) -> float:
        return sum(c.uni.get(w, 0) * k for c, k in self.layers)

    def bi(self, a: str, b: str) -> float:
        return sum(c.bi.get((a, b), 0) * k for c, k in self.layers)

    def p(self, w: str) -> float:
        return (self.uni(w) + 0.1) / (self.total + 0.1 * self.vocab)

    def p_after(self, w: str, prev: str | None, lam: float = 0.7) -> float:
        """Interpolated with a fixed weight: an unseen pair costs every word the
        same, so a frequent word is not penalised for pairs the table lacks."""
        n = self.uni(prev) if prev else 0
        if not n:
            return self.p(w)
        return lam * self.bi(prev, w) / n + (1 - lam) * self.p(w)

    def score(self, words: list[str], left: str | None, right: str | None) -> float:
        """log P of words (one or more) between left and right neighbours."""
        s = 0.0
        prev = left
        for w in words:
            s += math.log(self.p_after(w, prev))
            prev = w
        if right:
            s += math.log(self.p_after(right, prev))
        return s
