"""The evidence a document's repair may draw on beyond itself: the archive's
word counts and the numbers it cites in full, plus the known documents.

Built once per build from every document's text before any repair (pass 1),
then handed to each document's repair (pass 2): per-file processing stays a
pure function of (file, context), and the context does not depend on order.
"""
from __future__ import annotations

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


def archive_context(documents: list[tuple[str, list[str]]]) -> RepairContext:
    """documents: (source path, normalized line texts) of every original."""
    from ..cite.find import find_in_line
    base = known_facts()
    facts = Facts({k: set(v) for k, v in base.numbers.items()}, dict(base.dates), list(base.names))
    counts = Counts()
    for path, lines in sorted(documents):
        for text in lines:
            counts.add_line(text)
            for c in find_in_line(text, None):
                if c.kind == "number" and c.number and c.status != "incomplete" \
                        and not any("damaged" in f for f in c.flags):
                    facts.numbers.setdefault(c.number, set()).add(path)
                    if c.issued_date and c.number not in facts.dates:
                        facts.dates[c.number] = c.issued_date
    return RepairContext(counts, facts)
