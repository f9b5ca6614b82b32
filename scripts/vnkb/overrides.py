"""overrides: `source_docs/<original name>.meta.yaml` corrects fields by hand.

The file is read, never written. Its values win over extraction and are marked
"override" in the provenance. A bad file (not YAML, not a mapping, unknown
field, wrong type) is reported and ignored, never fatal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import yaml

from .models import Document, SignerInfo

STR_FIELDS = {"number", "code_number", "code_notation", "type_name", "organ_name",
              "parent_organ_name", "place", "subject", "title"}
LIST_FIELDS = {"to", "distribution"}
SIGNER_KEYS = {f.name for f in fields(SignerInfo)}


class OverrideError(Exception):
    pass


def load_override(path: Path) -> dict[str, Any] | None:
    """The override mapping, None when there is no file; OverrideError when bad."""
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, OverflowError) as exc:
        # PyYAML raises ValueError for an impossible date such as 2021-02-30
        raise OverrideError(f"not valid YAML: {exc}".splitlines()[0]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OverrideError("must be a mapping of field: value")
    check_override(data)
    return data


def _is_str_or_none(v: Any) -> bool:
    return v is None or isinstance(v, (str, int))


def check_override(data: dict[str, Any]) -> None:
    unknown = sorted(set(map(str, data)) - STR_FIELDS - LIST_FIELDS - {"issued_date", "year", "signer_info"})
    if unknown:
        raise OverrideError(f"unknown field(s): {', '.join(unknown)}")
    for key in STR_FIELDS & set(data):
        if not _is_str_or_none(data[key]):
            raise OverrideError(f"{key} must be text")
    for key in LIST_FIELDS & set(data):
        if not isinstance(data[key], list) or not all(isinstance(x, str) for x in data[key]):
            raise OverrideError(f"{key} must be a list of text lines")
    if "issued_date" in data and data["issued_date"] is not None:
        value = data["issued_date"]
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
            except ValueError as exc:
                raise OverrideError("issued_date must be a date YYYY-MM-DD") from exc
        elif not isinstance(value, dt.date):
            raise OverrideError("issued_date must be a date YYYY-MM-DD")
    if "year" in data and data["year"] is not None and not isinstance(data["year"], int):
        raise OverrideError("year must be a whole number")
    if "signer_info" in data:
        signer = data["signer_info"]
        if not isinstance(signer, dict) or set(signer) - SIGNER_KEYS:
            raise OverrideError(f"signer_info must be a mapping with keys among {sorted(SIGNER_KEYS)}")


def apply_override(doc: Document, data: dict[str, Any]) -> Document:
    doc = replace(doc, provenance=dict(doc.provenance))
    for key, value in data.items():
        if key == "issued_date" and value is not None:
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
            if "year" not in data:
                doc.year = int(value[:4])
                doc.provenance["year"] = "override"
        elif key == "signer_info":
            value = replace(doc.signer_info, **value)
        elif key in STR_FIELDS and value is not None:
            value = str(value)
        setattr(doc, key, value)
        doc.provenance[key] = "override"
    return doc
