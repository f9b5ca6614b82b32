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
    from ..cite.find import find_in_line
    counts = Counts()
    cited: list[tuple[str, str | None]] = []
    for text in lines:
        counts.add_line(text)
        for c in find_in_line(text, None):
            if c.kind == "number" and c.number and c.status != "incomplete" \
                    and not any("damaged" in f for f in c.flags):
                cited.append((c.number, c.issued_date))
    return counts, cited


def context_from(evidence: list[tuple[str, tuple[Counts, list]]]) -> RepairContext:
    """The archive's evidence from each document's (path, document_evidence)."""
    base = known_facts()
    facts = Facts({k: set(v) for k, v in base.numbers.items()}, dict(base.dates), list(base.names))
    uni, bi = Counter(), Counter()
    for path, (counts, cited) in sorted(evidence, key=lambda item: item[0]):
        uni.update(counts.uni)
        bi.update(counts.bi)
        for number, date in cited:
            facts.numbers.setdefault(number, set()).add(path)
            if date and number not in facts.dates:
                facts.dates[number] = date
    return RepairContext(Counts(uni, bi), facts)


def archive_context(documents: list[tuple[str, list[str]]]) -> RepairContext:
    """documents: (source path, normalized line texts) of every original."""
    return context_from([(path, document_evidence(lines)) for path, lines in documents])
