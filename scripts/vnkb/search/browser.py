"""The browser search index (Pagefind), built after MkDocs.

Render adds to each document, attachment and registry page a hidden block with
Pagefind metadata (so, ngay, co_quan, loai), the page's filters (loai, nam,
co_quan) written as rare words, and a low-weight copy of the page's words that
contain "đ", folded: Pagefind ignores tones but not đ, so "binh dang gioi" or
"duong" would miss "đẳng" and "đường" without it. After MkDocs, mark_bodies()
puts data-pagefind-body on those pages' article element (so page chrome and
listings are not indexed) and run_pagefind() writes site/pagefind/.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

from ..vntext import fold, slugify

META_CLASS = "kb-search-meta"
_WORD_WITH_D = re.compile(r"\w*[đĐ]\w*")
_ARTICLE = '<article class="md-content__inner md-typeset">'


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def filter_token(name: str, value) -> str:
    """A filter as a word in the page ('nam', 2019 -> 'kbnam2019').

    Pagefind's own filters (data-pagefind-filter) write their index files in a
    different order on every run, so two builds of the same sources would
    differ; a filter written as a rare word in the page is searched like any
    other word (results must contain every word), and the index stays
    byte-identical."""
    return "kb" + name.replace("_", "") + slugify(str(value), 120).replace("-", "")


def search_block(filters: dict[str, str | int | None], meta: dict[str, str | int | None], texts: list[str]) -> str:
    """Raw HTML appended to a page's Markdown; every value is escaped text."""
    parts = [f'<div class="{META_CLASS}" hidden data-pagefind-ignore="index">']
    for name, value in meta.items():
        if value not in (None, ""):
            parts.append(f'<span data-pagefind-meta="{name}">{_attr(value)}</span>')
    parts.append("</div>")
    tokens = [filter_token(name, value) for name, value in filters.items() if value not in (None, "")]
    words = sorted({fold(w) for t in texts for w in _WORD_WITH_D.findall(t)})
    parts.append(f'<div class="kb-search-folded" hidden data-pagefind-weight="0.1">{_attr(" ".join(tokens + words))}</div>')
    return "\n".join(parts) + "\n"


def filter_options(pages_filters: list[dict[str, str | int | None]]) -> str:
    """JSON for the search page: each filter's values, counts and tokens."""
    counts: dict[str, dict[str, int]] = {}
    for filters in pages_filters:
        for name, value in filters.items():
            if value not in (None, ""):
                counts.setdefault(name, {}).setdefault(str(value), 0)
                counts[name][str(value)] += 1
    data = {name: [{"value": v, "count": c, "token": filter_token(name, v)}
                   for v, c in sorted(values.items(), key=lambda kv: (fold(kv[0]), kv[0]))]
            for name, values in sorted(counts.items())}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def mark_bodies(site: Path) -> int:
    """Add data-pagefind-body to the article of every page that carries a search block."""
    count = 0
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if f'class="{META_CLASS}"' in text and _ARTICLE in text:
            page.write_text(text.replace(_ARTICLE, _ARTICLE[:-1] + " data-pagefind-body>", 1), encoding="utf-8")
            count += 1
    return count


def run_pagefind(site: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("pagefind failed:\n" + (proc.stderr or proc.stdout)[-3000:])
    return proc.stdout


def document_filters(doc) -> dict:
    return {"loai": doc.type_name, "nam": doc.year, "co_quan": doc.organ_name}


def attachment_filters(doc, attachment) -> dict:
    kind = re.sub(r"\s+[IVXLC\d]+$", "", attachment.label)       # "Phụ lục I" -> "Phụ lục"
    return {"loai": kind, "nam": doc.year, "co_quan": doc.organ_name}


def entry_filters(entry) -> dict:
    return {"loai": entry.type_name, "nam": entry.year, "co_quan": entry.issuer}
