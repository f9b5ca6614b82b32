"""The evidence a document's repair may draw on beyond itself: the archive's
word counts and the numbers it cites in full, plus the known documents.

Built once per build from every document's text before any repair (pass 1),
then handed to each document's repair (pass 2): per-file processing stays a
pure function of (file, context), and the context does not depend on order.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .glyphs import Facts
from .lm import Counts

KNOWN = "văn bản đã biết"


@dataclass
class RepairContext:
    archive: Counts = field(default_factory=Counts)
    facts: Facts = field(default_factory=Facts)


@lru_cache(maxsize=1)
def known_facts() -> Facts:
    from ..cite.lexicon import known_documents
    f = Facts()
    for doc in known_documents():
        f.numbers.setdefault(doc["number"], set()).add(KNOWN)
        if doc.get("issued_date"):
            f.dates[doc["number"]] = str(doc["issued_date"])
        f.names.extend(doc["names"])
    return f


def default_context() -> RepairContext:
    """No archive: the shipped word table and the known documents only."""
    return RepairContext(Counts(), known_facts())


def document_evidence(lines: list[str]) -> tuple[Counts, list[tuple[str, str | None]]]:
    """What one document adds to the archive's evidence: its word counts and the
    numbers it cites in full (with their dates, in text order). A pure function
    of the document, so the build computes it with the reading and caches it."""
    from ..cite.find import numbered_in_line
    counts = Counts.of_lines(lines)
    cited: list[tuple[str, str | None]] = []
    for text in lines:
        for c in sorted(numbered_in_line(text, None), key=lambda c: c.start):
            if c.kind == "number" and c.number and c.status != "incomplete" \
                    and not any("damaged" in f for f in c.flags):
                cited.append((c.number, c.issued_date))
    return counts, cited


class ArchiveEvidence:
    """The archive's evidence summed as each document's arrives, in any order:
    a large archive's per-document word and pair counts are never all held.
    Kept between builds (build/cache): a changed or removed original's share
    is taken out and its new one put in, so an unchanged archive's evidence is
    not summed again."""

    def __init__(self):
        self.uni, self.bi = Counter(), Counter()
        self.cited: dict[str, list] = {}
        self.members: dict[str, str] = {}     # path -> sha256 of the original whose share is in

    def add(self, path: str, sha256: str, evidence: tuple[Counts, list]) -> None:
        counts, cited = evidence
        self.uni.update(counts.uni)
        self.bi.update(counts.bi)
        if cited:
            self.cited[path] = cited
        self.members[path] = sha256

    def remove(self, path: str, evidence: tuple[Counts, list]) -> None:
        """Take out the share `add` put in for path (its evidence as it was then)."""
        counts, _ = evidence
        for mine, theirs in ((self.uni, counts.uni), (self.bi, counts.bi)):
            mine.subtract(theirs)
            for key in theirs:
                if mine[key] <= 0:      # gone from the archive: as if never counted
                    del mine[key]
        self.cited.pop(path, None)
        del self.members[path]

    def context(self) -> RepairContext:
        base = known_facts()
        facts = Facts({k: set(v) for k, v in base.numbers.items()}, dict(base.dates), list(base.names))
        # a number's date: the first one cited, documents taken in path order
        for path, cited in sorted(self.cited.items()):
            for number, date in cited:
                facts.numbers.setdefault(number, set()).add(path)
                if date and number not in facts.dates:
                    facts.dates[number] = date
        # Counts rounded to two significant digits (the total too: it scales every
        # word alike): a document added or changed moves few of the values another
        # document's repair consulted, so that repair can be reused (Recorder).
        # Keys in sorted order: the context (and its fingerprint) is the same
        # whatever order the documents arrived in.
        total = _round(sum(self.uni.values()))
        uni = Counter({k: _round(self.uni[k]) for k in sorted(self.uni)})
        bi = Counter({k: _round(self.bi[k]) for k in sorted(self.bi)})
        return RepairContext(Counts(uni, bi, total), facts)


def context_from(evidence: list[tuple[str, tuple[Counts, list]]]) -> RepairContext:
    """The archive's evidence from each document's (path, document_evidence)."""
    merged = ArchiveEvidence()
    for path, ev in evidence:
        merged.add(path, "", ev)
    return merged.context()


def _round(n: int, digits: int = 2) -> int:
    if n < 10 ** digits:
        return n
    scale = 10 ** (len(str(n)) - digits)
    return (n + scale // 2) // scale * scale


class _Watched:
    """A read-only mapping that notes every key looked up and what it held."""

    def __init__(self, data, seen: dict):
        self._data, self._seen = data, seen

    def get(self, key, default=None):
        value = self._seen[key] = self._data.get(key)
        return default if value is None else value

    def __contains__(self, key) -> bool:
        self._seen[key] = self._data.get(key)
        return key in self._data

    def __getitem__(self, key):
        self._seen[key] = self._data.get(key)
        return self._data[key]

    def values(self):
        return self._data.values()


class Recorder:
    """A view of a RepairContext that records what one document's repair looked
    up (word and pair counts, numbers, dates) with the values it saw. When a
    later build's context holds the same values for all of them, the repair
    would come out the same and the cached document stands (deps_hold)."""

    def __init__(self, context: RepairContext):
        self.uni, self.bi, self.numbers, self.dates = {}, {}, {}, {}
        a, f = context.archive, context.facts
        self.total = a.total if a.total is not None else sum(a.uni.values())
        self.context = RepairContext(
            Counts(_Watched(a.uni, self.uni), _Watched(a.bi, self.bi), self.total),
            Facts(_Watched(f.numbers, self.numbers), _Watched(f.dates, self.dates), f.names))

    def deps(self) -> dict:
        return {"total": self.total, "uni": self.uni, "bi": self.bi, "numbers": self.numbers,
                "dates": self.dates}


def deps_hold(deps: dict | None, context: RepairContext) -> bool:
    """Does `context` give every lookup in deps (Recorder.deps) the value it had?"""
    if not deps:
        return False
    a, f = context.archive, context.facts
    total = a.total if a.total is not None else sum(a.uni.values())
    return (deps["total"] == total
            and all(a.uni.get(k) == v for k, v in deps["uni"].items())
            and all(a.bi.get(k) == v for k, v in deps["bi"].items())
            and all(f.numbers.get(k) == v for k, v in deps["numbers"].items())
            and all(f.dates.get(k) == v for k, v in deps["dates"].items()))


def archive_context(documents: list[tuple[str, list[str]]]) -> RepairContext:
    """documents: (source path, normalized line texts) of every original."""
    return context_from([(path, document_evidence(lines)) for path, lines in documents])
