"""Lexicons the parser reads from data files (scripts/vnkb/data/*.yaml)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..vntext import fold

DATA = Path(__file__).resolve().parent.parent / "data"


def _load(name: str):
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def doc_types() -> dict:
    raw = _load("doc_types.yaml")
    by_code: dict[str, str] = {}
    by_code_ci: dict[str, str] = {}
    by_folded_name: dict[str, str] = {}
    for entry in raw["types"]:
        by_folded_name[fold(entry["name"])] = entry["name"]
        for code in entry["codes"]:
            by_code.setdefault(code, entry["name"])
            by_code_ci.setdefault(code.upper(), entry["name"])
    return {"by_code": by_code, "by_code_ci": by_code_ci, "by_name": by_folded_name,
            "letter": raw["letter"]}


def type_from_code(code: str) -> str | None:
    types = doc_types()
    return types["by_code"].get(code) or types["by_code_ci"].get(code.upper())


def type_from_title(text: str) -> str | None:
    """'QUYẾT ĐỊNH' -> 'Quyết định' when the whole line is a type name."""
    return doc_types()["by_name"].get(fold(text).strip(" :."))


@lru_cache(maxsize=None)
def organs() -> dict:
    raw = _load("organs.yaml")
    canonical = sorted(raw["canonical"].items(), key=lambda kv: -len(kv[0]))
    return {"canonical": canonical, "heads": sorted(raw["heads"], key=len, reverse=True),
            "acronyms": {fold(a) for a in raw["acronyms"]},
            "capitalize_after": sorted(raw["capitalize_after"], key=len, reverse=True),
            "locality_words": raw["locality_words"], "address_verbs": raw["address_verbs"]}


@lru_cache(maxsize=None)
def places() -> dict:
    raw = _load("places.yaml")
    provinces = {fold(p): p for p in raw["provinces"]}
    return {"provinces": provinces, "cities": raw["cities"],
            "province_re": re.compile(r"\b(?:tỉnh|thành phố|TP\.?)\s+(" + "|".join(
                sorted((re.escape(p) for p in raw["provinces"]), key=len, reverse=True)) + r")\b",
                re.IGNORECASE)}


@lru_cache(maxsize=None)
def attachment_patterns() -> dict:
    raw = _load("attachments.yaml")
    return {kind: {"label": spec["label"], "start": re.compile(spec["start"]),
                   "confirm": re.compile(spec["confirm"]) if spec.get("confirm") else None}
            for kind, spec in raw.items()}
