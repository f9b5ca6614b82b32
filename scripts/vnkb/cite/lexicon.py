"""Citation lexicons from data files: type words, issuer codes and phrases,
known documents (data/citations.yaml, data/known_documents.yaml)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..parse.lexicon import doc_types
from ..vntext import fold

DATA = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=None)
def citation_data() -> dict:
    with (DATA / "citations.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    names = sorted(set(doc_types()["by_name"].values()) | set(raw["type_variants"]), key=len, reverse=True)
    abbrevs = sorted(raw["type_abbreviations"], key=len, reverse=True)
    type_word = "|".join(re.escape(n) for n in names)
    abbrev_word = "|".join(re.escape(a) for a in abbrevs)
    phrases = sorted(raw["issuer_phrases"].items(), key=lambda kv: -len(kv[0]))
    return {
        "type_variants": raw["type_variants"],
        "type_abbreviations": raw["type_abbreviations"],
        "issuers": raw["issuers"],
        "issuer_phrases": phrases,
        "subject_starts": raw["subject_starts"],
        "short_reference_types": set(raw["short_reference_types"]),
        # "Quyết định số", "Nghị quyết số số", "Quyết định sô", "QĐ số", "kế hoạch số"
        "type_before": re.compile(
            r"(?P<type>\b(?:" + type_word + r")|(?<![\w/-])(?:" + abbrev_word + r"))\s*(?:(?:số|sô|Số)\s*)*$",
            re.IGNORECASE),
        "type_word": type_word,
        "abbrev_word": abbrev_word,
        # the letters a type word or abbreviation starts with
        "type_initials": "".join(sorted({w[0] for w in names} | {a[0] for a in abbrevs})),
    }


def type_of_word(word: str) -> str | None:
    """'Quyết định' / 'quyết định' / 'QĐ' / 'Thông báo kết luận' -> the type name."""
    data = citation_data()
    for abbr, name in data["type_abbreviations"].items():
        if word == abbr:
            return name
    f = fold(word)
    for variant, base in data["type_variants"].items():
        if fold(variant) == f:
            return base
    return doc_types()["by_name"].get(f)


def issuer_info(code: str) -> dict | None:
    issuers = citation_data()["issuers"]
    if code in issuers:
        return issuers[code]
    m = re.fullmatch(r"(QH|UBTVQH)\d{1,2}", code)   # QH14: the legislature's term
    return issuers.get(m.group(1)) if m else None


@lru_cache(maxsize=None)
def known_documents() -> list[dict]:
    with (DATA / "known_documents.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    out = []
    for entry in raw:
        out.append({"names": entry.get("names") or [], "number": entry["number"],
                    "issued_date": str(entry["issued_date"]) if entry.get("issued_date") else None,
                    "issuer": entry.get("issuer"), "subject": entry.get("subject")})
    return out
