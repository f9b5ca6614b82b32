"""Deadlines and events as iCalendar (RFC 5545) that Outlook and Google
Calendar subscribe to: all-day VEVENTs, CRLF line ends, lines folded at 75
octets (never inside a UTF-8 character), TEXT values escaped, UIDs from the
original's sha256 and the event (stable across rebuilds and URL changes), and
DTSTAMP from the document's date, not the clock, so rebuilds are identical."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRODID = "-//Kho van ban binh dang gioi//vnkb//VI"
UID_DOMAIN = "kho-van-ban.vnkb"
DEADLINE_KIND = {"so_ket": "Báo cáo sơ kết", "tong_ket": "Báo cáo tổng kết", "bao_cao": "Báo cáo"}


@dataclass
class CalEvent:
    uid: str
    start: str            # ISO date, first day
    end: str              # ISO date, last day (inclusive)
    summary: str
    description: str
    stamp: str            # ISO date the event was announced (the document's date)
    doc_id: str
    kind: str             # deadline | event


def escape_text(text: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash, semicolon, comma, newline."""
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def fold_line(line: str, limit: int = 75) -> str:
    """Content line -> physical lines of at most `limit` octets joined by CRLF
    + space (RFC 5545 3.1), never inside a character's UTF-8 sequence."""
    data = line.encode("utf-8")
    parts, start, room = [], 0, limit
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:      # a continuation octet: cut before its character
            cut -= 1
        parts.append(data[start:cut])
        start, room = cut, limit - 1         # a continuation line starts with its space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _date(iso: str) -> str:
    return iso.replace("-", "")


def vevent(e: CalEvent) -> list[str]:
    end_exclusive = (dt.date.fromisoformat(e.end) + dt.timedelta(days=1)).isoformat()
    return ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{_date(e.stamp)}T000000Z",
            f"DTSTART;VALUE=DATE:{_date(e.start)}", f"DTEND;VALUE=DATE:{_date(end_exclusive)}",
            f"SUMMARY:{escape_text(e.summary)}", f"DESCRIPTION:{escape_text(e.description)}",
            "TRANSP:TRANSPARENT", "END:VEVENT"]


def calendar(name: str, events: list[CalEvent]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}", f"NAME:{escape_text(name)}"]
    for e in sorted(events, key=lambda e: (e.start, e.end, e.uid)):
        lines += vevent(e)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold_line(x) for x in lines) + "\r\n").encode("utf-8")


def document_events(doc, doc_id: str) -> list[CalEvent]:
    """A document's reporting deadlines and announced periods."""
    label = doc.number or doc.title or doc_id
    stamp = doc.issued_date or (f"{doc.year}-01-01" if doc.year else "2000-01-01")
    sha = doc.source["sha256"][:16]
    out = []
    for d in doc.deadlines:
        kind = DEADLINE_KIND.get(d.kind, "Báo cáo")
        out.append(CalEvent(uid=f"{sha}-han-{d.kind}-{_date(d.date)}@{UID_DOMAIN}", start=d.date, end=d.date,
                            summary=f"{kind} – {label}", description=f"{d.text}\n({doc.title or label})",
                            stamp=stamp, doc_id=doc_id, kind="deadline"))
    for ev in doc.events:
        out.append(CalEvent(uid=f"{sha}-su-kien-{_date(ev.start)}-{_date(ev.end)}@{UID_DOMAIN}", start=ev.start,
                            end=ev.end, summary=ev.name, description=f"{ev.text}\n({doc.title or label})",
                            stamp=stamp, doc_id=doc_id, kind="event"))
    return out
