"""registry: citations across the archive.

The same document cited in different spellings by different letters becomes
one entry; a cited document that is itself in the archive is linked to its
page instead. A citation whose year is unknown joins the one entry with the
same issuer and number, if there is exactly one.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

from ..models import Citation
from ..vntext import slugify
from .resolve import document_key

REGISTRY_DIR = "dan-chieu"


@dataclass
class Mention:
    citing_id: str
    citing_title: str
    citation: Citation


@dataclass
class Entry:
    """One referenced document; its fields are read once all mentions are in."""
    key: str
    id: str = ""
    mentions: list[Mention] = field(default_factory=list)

    @cached_property
    def _citations(self) -> list[Citation]:
        return [m.citation for m in self.mentions]

    def _common(self, attr: str):
        values = Counter(filter(None, map(attrgetter(attr), self._citations)))    # (every entry, every build)
        return max(values.items(), key=lambda kv: (kv[1], len(str(kv[0])), str(kv[0])))[0] if values else None

    @cached_property
    def number(self):
        return self._common("number")

    @cached_property
    def name(self):
        return self._common("name")

    @cached_property
    def type_name(self):
        return self._common("type_name")

    @cached_property
    def issuer(self):
        return self._common("issuer")

    @cached_property
    def issued_date(self):
        return self._common("issued_date")

    @cached_property
    def year(self):
        return self._common("year")

    @cached_property
    def subject(self):
        subjects = [m.citation.subject for m in self.mentions if m.citation.subject]
        return max(subjects, key=lambda s: (len(s), s)) if subjects else None

    @cached_property
    def status(self) -> str:
        return "known" if any(m.citation.status == "known" for m in self.mentions) else "registry"

    @cached_property
    def dates(self) -> list[str]:
        return sorted({m.citation.issued_date for m in self.mentions if m.citation.issued_date})

    @cached_property
    def spellings(self) -> list[str]:
        return sorted({(m.citation.number_written or m.citation.name or m.citation.text) for m in self.mentions})

    @cached_property
    def citing(self) -> list[str]:
        return sorted({m.citing_id for m in self.mentions})

    @cached_property
    def label(self) -> str:
        if self.number:
            return f"{self.type_name or 'Văn bản'} số {self.number}"
        return self.name or self.key


def _entry_id(entry: Entry) -> str:
    if entry.number:
        year = str(entry.year) if entry.year else "khong-ro-nam"
        issuer = slugify(entry.issuer, 50) if entry.issuer else "khong-ro-co-quan"
        return f"{REGISTRY_DIR}/{year}/{issuer}/{slugify(entry.number, 60)}"
    return f"{REGISTRY_DIR}/theo-ten/{slugify(entry.name or entry.key, 80)}"


def _merge_yearless(keys: set[str]) -> dict[str, str]:
    """'TTg|?|1696/QĐ-TTg' -> 'TTg|2015|1696/QĐ-TTg' when that is the only dated one."""
    by_issuer_number: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in keys:
        issuer, year, number = key.split("|", 2) if key.count("|") >= 2 else (key, "", "")
        if year != "?" and number:
            by_issuer_number[(issuer, number)].append(key)
    remap = {}
    for key in keys:
        if key.count("|") >= 2:
            issuer, year, number = key.split("|", 2)
            dated = by_issuer_number.get((issuer, number), [])
            if year == "?" and len(dated) == 1:
                remap[key] = dated[0]
    return remap


def link_archive(placed: list) -> dict[str, Entry]:
    """Set status and target of every citation of every placed document;
    return the registry entries (cited documents not in the archive) by id."""
    archive = {}
    for p in placed:
        key = document_key(p.doc)
        if key:
            archive[key] = p
    all_keys = {c.key for p in placed for c in p.doc.citations if c.key} | set(archive)
    remap = _merge_yearless(all_keys)
    entries: dict[str, Entry] = {}
    for p in placed:
        for c in p.doc.citations:
            if c.kind == "self":
                c.status, c.target = "archive", p.id
                continue
            if not c.key:
                continue
            c.key = remap.get(c.key, c.key)
            if c.key in archive:
                c.status, c.target = "archive", archive[c.key].id
                continue
            entry = entries.setdefault(c.key, Entry(key=c.key))
            entry.mentions.append(Mention(citing_id=p.id, citing_title=p.doc.title or p.id, citation=c))
    by_id: dict[str, Entry] = {}
    for key in sorted(entries):
        entry = entries[key]
        entry.id = _entry_id(entry)
        if entry.id in by_id:                 # two identities, one slug: keep both apart
            entry.id = f"{entry.id}-{slugify(key, 20)}"
        by_id[entry.id] = entry
        for m in entry.mentions:
            m.citation.target = entry.id
            if m.citation.status != "incomplete":
                m.citation.status = entry.status
    return by_id


def cited_by(placed: list) -> dict[str, list[tuple[str, str, Citation]]]:
    """Archived document id -> [(citing id, citing title, citation)] (self references left out)."""
    out: dict[str, list] = defaultdict(list)
    for p in placed:
        for c in p.doc.citations:
            if c.status == "archive" and c.target and c.target != p.id:
                out[c.target].append((p.id, p.doc.title or p.id, c))
    return out
