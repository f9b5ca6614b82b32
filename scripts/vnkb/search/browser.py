"""The browser search index (Pagefind), for a static copy of the site.

Served by `kb.py serve`, the search page asks api/search (Whoosh, full text).
A copy on a plain web server has only Pagefind, and Pagefind's index grows with
every word position of every page: at 10,000 documents one common word cost
the browser MBs and the build 11 GB. So Pagefind reads, per document,
attachment and registry page, only a hidden block render appends: the title,
the distinct words of the first LEAD_CHARS characters of the text, each once
and folded (distinct_words: a word on every page of the archive, "phụ nữ",
then costs a few bytes per page in a chunk of its own, not one entry per
occurrence in a chunk of many: at 10,000 documents 985 KB of index for that
query before), Pagefind metadata (so, ngay, co_quan, loai, and tom_tat:
the opening, which the search page shows as the excerpt, since Pagefind's own
excerpt would come from the word list; indexed too except tom_tat), the page's
filters (loai, nam, co_quan) written as rare words,
and a low-weight copy of those words that contain "đ", folded: Pagefind
ignores tones but not đ, so "binh dang gioi" or "duong" would miss "đẳng" and
"đường" without it. The block carries data-pagefind-body, so page chrome and
listings are not indexed.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

from ..vntext import fold, slugify

LEAD_CHARS = 2000
SUMMARY_CHARS = 240      # the excerpt a result shows
_EDGE = ".,;:!?()[]\"'“”‘’…*-–"
_WORD_WITH_D = re.compile(r"\w*[đĐ]\w*")


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


def lead(texts: list[str], limit: int = LEAD_CHARS) -> str:
    """The first `limit` characters of the texts, one line, cut at a space."""
    taken, size = [], 0
    for t in texts:                 # (a registry entry passes thousands of sentences: join only what is needed)
        t = " ".join(t.split()) if t else ""
        if t:
            taken.append(t)
            size += len(t) + 1
            if size > limit + 1:
                break
    text = " ".join(taken)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[:cut if cut > 0 else limit]


def distinct_words(text: str) -> str:
    """Each word of the text once, folded ("phụ" -> "phu"), in the order they
    first come (punctuation around it aside; "880/QĐ-UBND" stays one word,
    "880/qd-ubnd", as Pagefind reads it).

    Folded because of how Pagefind cuts its index into chunks: it files a word
    under its folded form, with the forms written with tones as variants, and
    ends a chunk once the pages of the folded forms it holds reach a limit;
    variants are not counted. Vietnamese written with tones was therefore
    hardly counted at all: at 10,000 documents a chunk held 45 common words,
    1.7 MB, loaded whole for "phụ nữ". Pagefind matches without tones either
    way (and the title and facts keep theirs)."""
    seen: set[str] = set()
    out = []
    for w in text.split():
        key = fold(w.strip(_EDGE))
        if key and key not in seen:
            seen.add(key)
            out.append(key)
    return " ".join(out)


def search_block(title: str, filters: dict[str, str | int | None], meta: dict[str, str | int | None],
                 texts: list[str]) -> str:
    """Raw HTML appended to a page's Markdown; every value is escaped text."""
    parts = ['<div class="kb-search-text" hidden data-pagefind-body>',
             '<div data-pagefind-ignore="index">',
             f'<span data-pagefind-meta="title">{_attr(title)}</span>']
    for name, value in meta.items():
        if value not in (None, ""):
            parts.append(f'<span data-pagefind-meta="{name}">{_attr(value)}</span>')
    opening = lead(texts)
    parts.append(f'<span data-pagefind-meta="tom_tat">{_attr(lead([opening], SUMMARY_CHARS))}</span>')
    parts.append("</div>")
    facts = " ".join(str(v) for v in meta.values() if v not in (None, ""))
    parts.append(f'<p data-pagefind-weight="7">{_attr(title)}</p>')
    parts.append(f"<p>{_attr(facts)}</p>")
    parts.append(f"<p>{_attr(distinct_words(' '.join((title, facts, opening))))}</p>")
    tokens = [filter_token(name, value) for name, value in filters.items() if value not in (None, "")]
    words = sorted({fold(w) for t in (title, facts, opening) for w in _WORD_WITH_D.findall(t)})
    parts.append(f'<p data-pagefind-weight="0.1">{_attr(" ".join(tokens + words))}</p>')
    parts.append("</div>")
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
