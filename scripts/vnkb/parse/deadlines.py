"""Reporting deadlines ("báo cáo sơ kết 6 tháng trước ngày 15/6", "trước ngày
10 tháng 12 đối với báo cáo tổng kết năm") and named periods ("Tháng hành động
vì bình đẳng giới ... từ ngày 15/11 đến ngày 15/12/2019")."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..models import Deadline, Event
from ..vntext import collapse_spaces, fold, sentence_around
from .header import iso_date

_BEFORE = re.compile(r"trước\s+ngày\s*(?P<d>\d{1,2})\s*(?:/|tháng)\s*(?P<m>\d{1,2})"
                     r"(?:\s*(?:/|năm)\s*(?P<y>(?:19|20)\d{2}))?", re.IGNORECASE)
_KINDS = (("so ket", "so_ket"), ("tong ket", "tong_ket"), ("6 thang", "so_ket"), ("ca nam", "tong_ket"))

# "từ [ngày] 15/11[/2019] đến [ngày] 15/12[/2019]", "từ 15/11-15/12",
# "từ ngày 15 tháng 11 – 15 tháng 12 năm 2018"
_DAY = r"(?P<{0}d>\d{{1,2}})\s*(?:/|tháng)\s*(?P<{0}m>\d{{1,2}})(?:\s*(?:/|năm)\s*(?P<{0}y>(?:19|20)\d{{2}}))?"
_RANGE = re.compile(r"\btừ\s+(?:ngày\s*)?" + _DAY.format("a") + r"(?!\d)\s*(?:đến|tới|[-–])\s*(?:ngày\s*)?"
                    + _DAY.format("b") + r"(?![\d/])", re.IGNORECASE)
_PARENS = re.compile(r"\([^()]*\)")


def _kind(fragment: str) -> str | None:
    f = fold(fragment)
    hits = [(f.find(key), kind) for key, kind in _KINDS if key in f]
    return min(hits)[1] if hits else None


def _kind_before(fragment: str) -> str | None:
    f = fold(fragment)
    hits = [(f.rfind(key), kind) for key, kind in _KINDS if key in f]
    return max(hits)[1] if hits else None


def find_deadlines(texts: list[str], year: int | None) -> list[Deadline]:
    found: dict[tuple[str, str], Deadline] = {}
    for text in texts:
        if "báo cáo" not in text.lower():
            continue
        for m in _BEFORE.finditer(text):
            y = m["y"] or (str(year) if year else None)
            if not y:
                continue
            date = iso_date(m["d"], m["m"], y)
            if not date:
                continue
            after = text[m.end():m.end() + 60]
            # "trước ngày X (đối với báo cáo sơ kết)" names the report after the
            # date; "báo cáo sơ kết trước ngày X" before it.
            if re.match(r"\s*\(?\s*đối với", after, re.IGNORECASE):
                kind = _kind(after)
            else:
                clause = re.split(r"[;.]", text[:m.start()])[-1]
                kind = _kind_before(clause[-80:]) or _kind(after[:30])
            kind = kind or "bao_cao"
            sentence = collapse_spaces(sentence_around(text, m.start(), m.end()))
            found.setdefault((date, kind), Deadline(date=date, kind=kind, text=sentence))
    return sorted(found.values(), key=lambda d: (d.date, d.kind))


@lru_cache(maxsize=None)
def _event_words() -> tuple[re.Pattern, re.Pattern]:
    from .lexicon import _load
    data = _load("events.yaml")
    starts = "|".join(re.escape(s) for s in sorted(data["name_starts"], key=len, reverse=True))
    trailers = "|".join(re.escape(s) for s in sorted(data["name_trailers"], key=len, reverse=True))
    return (re.compile(r"(?<!\w)(?:" + starts + r")(?!\w)", re.IGNORECASE),
            re.compile(r"(?:\s*(?:" + trailers + r"|[(,:–-]))+\s*$", re.IGNORECASE))


def event_name(clause: str) -> str | None:
    """The name of the period announced at the end of a clause, or None."""
    starts, trailers = _event_words()
    text = clause
    while _PARENS.search(text):                # nested "(gọi tắt là (...))" too
        text = _PARENS.sub(" ", text)
    text = collapse_spaces(text)
    hits = list(starts.finditer(text))
    if not hits:
        return None
    name = trailers.sub("", text[hits[-1].start():]).strip(" ,;:.")
    return name[:1].upper() + name[1:] if len(name) >= 4 else None


def _range_dates(m: re.Match, year: int | None) -> tuple[str, str] | None:
    end_year = m["by"] or m["ay"] or (str(year) if year else None)
    if not end_year:
        return None
    end = iso_date(m["bd"], m["bm"], end_year)
    start_year = m["ay"] or end_year
    start = iso_date(m["ad"], m["am"], start_year)
    if not (start and end):
        return None
    if start > end and not m["ay"]:             # "từ 15/12 đến 15/01/2020": starts the year before
        start = iso_date(m["ad"], m["am"], str(int(end_year) - 1))
    if not start or start > end or (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days > 366:
        return None
    return start, end


def find_events(texts: list[str], year: int | None) -> list[Event]:
    """Named periods: a date range with an event name (data/events.yaml) before it."""
    found: dict[tuple[str, str], Event] = {}
    for text in texts:
        for m in _RANGE.finditer(text):
            dates = _range_dates(m, year)
            if not dates:
                continue
            clause = re.split(r"(?<=[.;:])\s", text[:m.start()])[-1]
            name = event_name(clause)
            if not name:
                continue
            sentence = collapse_spaces(sentence_around(text, m.start(), m.end()))
            key = dates
            old = found.get(key)
            # the longest name found for one period is the most telling
            if old is None or len(name) > len(old.name):
                found[key] = Event(start=dates[0], end=dates[1], name=name, text=sentence)
    return sorted(found.values(), key=lambda e: (e.start, e.end))
