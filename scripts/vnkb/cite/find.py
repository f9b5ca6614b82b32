"""find: citations in one line of text.

A full citation (Decree 30: first mention) reads
  <type word> số <number> ngày <date> của <issuer> <subject>
  "Quyết định số 880/QĐ-UBND ngày 12/4/2016 của UBND tỉnh về việc ban hành ..."
Later mentions give type and number only ("Quyết định 880"), or "Quyết định này"
for the document itself. Laws are cited by name ("Luật Bình đẳng giới").
Real texts bend every part: "11/NQ-TW" for 11-NQ/TW, "134/KH/TU", "21-CT /TW",
"392/TTr- LĐTBXH", "ngày 16 /3/2015", "sô", "số số", en dashes.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..models import Citation
from ..parse.header import iso_date
from ..vntext import collapse_spaces, fold
from .lexicon import citation_data, issuer_info, known_documents, type_of_word

# number / [year /] CODE [-/ CODE]...  with stray spaces around separators
NUMBER = re.compile(
    r"(?<![\w/.])(?P<num>\d{1,5})\s*(?P<sep>[/\-–])\s*(?:(?P<nyear>(?:19|20)\d{2})\s*/\s*)?"
    r"(?P<code>[A-ZĐ][A-Za-zĐđ&]{0,11}\d{0,2}(?:\s*[-/–]\s*[A-ZĐ][A-Za-zĐđ&]{0,13}\d{0,2}){0,3})(?![\wĐđ])")
DATE_AFTER = re.compile(
    r"^\s*,?\s*(?:[a-zA-ZÀ-ỹđĐ]{1,5}\s+){0,2}?(?:ban hành\s+)?ngày\s*(?:(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})(?!\d)"
    r"|(?P<d2>\d{1,2})\s*tháng\s*(?P<m2>\d{1,2})\s*năm\s*(?P<y2>\d{4}))", re.IGNORECASE)
# digits split by lost glyphs: "1 1/200 /TT-BTC" (191/2009/TT-BTC with two 9s lost)
DAMAGED_NUMBER = re.compile(r"(?<![\w/])\d[\d ]*(?:/[\d ]+)*/\s*[A-ZĐ][A-Za-zĐđ&]*(?:\s*-\s*[A-ZĐ][A-Za-zĐđ&]*)*")
DAMAGED_DATE = re.compile(r"^\s*,?\s*ngày\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{1,3}(?!\d)", re.IGNORECASE)
ISSUER_AFTER = re.compile(r"^\s*,?\s*của\s+(?P<iss>.+)$", re.IGNORECASE)
PIN_BEFORE = re.compile(r"((?:(?:điểm\s+[a-zđ]|khoản\s+\d+|Điều\s+\d+)[\s,]*(?:(?:và|,)\s*)?)+)(?:của\s+|tại\s+)?$",
                        re.IGNORECASE)
# a law cited by a name ("Luật Bình đẳng giới năm 2006")
LAW_NAME = re.compile(r"\b(?P<kind>Bộ luật|Luật)\s+(?P<name>[A-ZĐÀ-Ỹ][^,;.()“”\"]{2,80}?)"
                      r"(?=\s+(?:năm\s+\d{4}|ngày|số|và các|và|trong|giai đoạn|để|đã)\b|[,;.()“”\"]|$)")
SHORT_REF = None   # compiled lazily (needs the lexicon)
PARTY_ISSUERS = None


def _short_ref() -> re.Pattern:
    global SHORT_REF
    if SHORT_REF is None:
        data = citation_data()
        # (the lookahead first: a position that holds no type word's first
        # letter is passed over at once, not tried against every type word)
        SHORT_REF = re.compile(
            r"(?=[" + re.escape(data["type_initials"]) + r"])"
            r"(?P<type>\b(?:" + data["type_word"] + r")|(?<![\w/-])(?:" + data["abbrev_word"] + r"))"
            r"\s*(?:(?:số|sô)\s*)?(?:(?P<this>này)\b|(?P<num>\d{1,5})(?:\s*/\s*(?P<nyear>(?:19|20)\d{2}))?(?![\d/\-–]))")
    return SHORT_REF


def _party_codes() -> set[str]:
    global PARTY_ISSUERS
    if PARTY_ISSUERS is None:
        PARTY_ISSUERS = {c for c, v in citation_data()["issuers"].items() if v.get("party")}
    return PARTY_ISSUERS


def canonical_number(num: str, parts: list[str], nyear: str | None) -> tuple[str, str]:
    """(canonical number, code_notation). Party numbers join number and code with
    a hyphen (26-NQ/TW); normative ones carry the year (191/2009/TT-BTC); state
    administrative ones a slash (880/QĐ-UBND)."""
    num = num.lstrip("0") or "0"
    num = num.zfill(2) if len(num) < 2 else num      # Decree 30: numbers under 10 take a leading 0
    if len(parts) >= 2 and parts[-1] in _party_codes() and not nyear:
        notation = "-".join(parts[:-1]) + "/" + parts[-1]
        return f"{num}-{notation}", notation
    notation = "-".join(parts)
    if nyear:
        return f"{num}/{nyear}/{notation}", notation
    return f"{num}/{notation}", notation


def _code_parts(code: str) -> list[str]:
    return [p for p in re.split(r"\s*[-/–]\s*", code.strip()) if p]


@lru_cache(maxsize=None)
def _subject_start() -> str:
    """The words that open a cited document's subject ("về việc", "quy định" ...), as a regex."""
    return "(?:" + "|".join(re.escape(s) for s in citation_data()["subject_starts"]) + ")"


@lru_cache(maxsize=None)
def _issuer_stop() -> re.Pattern:
    return re.compile(r"\s+" + _subject_start() + r"\b|[,;.()“\"]|\s-\s")


@lru_cache(maxsize=None)
def _subject_re() -> re.Pattern:
    return re.compile(r"^\s*,?\s*(?P<s>" + _subject_start() + r"\b.*)$", re.IGNORECASE)


def _issuer_phrase(text: str) -> str:
    """The issuer phrase at the start of text (after "của"), up to its subject."""
    m = _issuer_stop().search(text)
    phrase = text[: m.start()] if m else text
    words = phrase.split()
    return " ".join(words[:16])


def resolve_issuer(phrase: str | None, code_issuer: str | None, province: str | None) -> tuple[str | None, bool]:
    """(issuer in full, whether the locality was taken from the citing document)."""
    from ..parse.lexicon import places
    borrowed = False
    if phrase:
        f = fold(phrase)
        for key, full in citation_data()["issuer_phrases"]:
            if f == key or f.startswith(key + " "):
                if "{province}" in full:
                    m = places()["province_re"].search(phrase)
                    prov = places()["provinces"].get(fold(m.group(1)), m.group(1)) if m else None
                    if not prov:
                        prov, borrowed = province, True
                    return (full.format(province=prov).strip() if prov else full.replace(" {province}", "")
                            .replace("tỉnh", "").strip()), borrowed
                return full, False
        from ..parse.organ import sentence_case
        return sentence_case(phrase), False
    if code_issuer:
        info = issuer_info(code_issuer)
        if info:
            if info["scope"] == "local" and province:
                # the same code exists in every province: assume the citing one's
                if code_issuer == "TU":
                    return f"Tỉnh ủy {province}", True
                return f"{info['name']} tỉnh {province}", True
            return info["name"], False
    return None, False


def _damaged_citations(text: str) -> list[Citation]:
    out = []
    for m in DAMAGED_NUMBER.finditer(text):
        numeric = m.group(0).rsplit("/", 1)[0]
        # split digits, or a year cut to three digits: not a deviant spacing like "12 /KH-UBND"
        if not (re.search(r"\d\s+\d", numeric) or re.search(r"/\s*\d{1,3}\s+/", m.group(0))):
            continue
        before = text[: m.start()]
        tm = citation_data()["type_before"].search(before[-40:])
        start = m.start() - (len(before[-40:]) - tm.start("type")) if tm else m.start()
        end = m.end()
        dd = DAMAGED_DATE.match(text[end:]) or DATE_AFTER.match(text[end:])
        if dd:
            end += dd.end()
        c = Citation(text="", where="", line=0, start=start, end=end, kind="number", status="incomplete",
                     type_written=tm["type"] if tm else None, type_name=type_of_word(tm["type"]) if tm else None,
                     number_written=collapse_spaces(m.group(0)))
        c.flags.append("number damaged in the text (lost glyphs)")
        out.append(c)
    return out


def _number_citations(text: str, province: str | None) -> list[Citation]:
    out = []
    for m in NUMBER.finditer(text):
        before = text[: m.start()]
        parts = _code_parts(m["code"])
        # "1 1/200 /TT-BTC": a digit or slash right before the number means glyphs
        # were lost inside it; never publish such a number as a document of its own.
        damaged = bool(re.search(r"[\d/]\s?$", before))
        tm = citation_data()["type_before"].search(before[-40:])
        if not tm and not damaged:
            # A bare number is a citation only when its code looks like one (type or issuer code).
            if not (type_of_word(parts[0]) or issuer_info(parts[-1])) or len(parts) < 2 and not m["nyear"]:
                continue
        start = m.start() - (len(before[-40:]) - tm.start("type")) if tm else m.start()
        c = Citation(text="", where="", line=0, start=start, end=m.end(), kind="number")
        c.type_written = tm["type"] if tm else None
        word_type = type_of_word(tm["type"]) if tm else None
        code_type = type_of_word(parts[0]) if parts and not issuer_info(parts[0]) else None
        c.type_name = word_type or code_type or ("Công văn" if parts and issuer_info(parts[0]) else None)
        if word_type and code_type and word_type != code_type:
            c.flags.append(f"type word “{tm['type']}” contradicts code {parts[0]} ({code_type})")
        c.number_written = collapse_spaces(m.group(0))
        if damaged:
            c.flags.append("number damaged in the text (lost glyphs)")
            c.status = "incomplete"
        else:
            c.number, c.code_notation = canonical_number(m["num"], parts, m["nyear"])
            c.code_number = c.number.split("/")[0].split("-")[0]
        c.issuer_code = parts[-1] if len(parts) >= 2 or m["nyear"] else None
        if m["nyear"]:
            c.year = int(m["nyear"])
        rest = text[m.end():]
        dm = DATE_AFTER.match(rest)
        if dm:
            d, mo, y = (dm["d"], dm["m"], dm["y"]) if dm["d"] else (dm["d2"], dm["m2"], dm["y2"])
            c.issued_date = iso_date(d, mo, y)
            c.year = c.year or (int(y) if c.issued_date else None)
            rest_start = m.end() + dm.end()
        elif DAMAGED_DATE.match(rest):
            dd = DAMAGED_DATE.match(rest)
            c.flags.append("date damaged in the text")
            rest_start = m.end() + dd.end()
        else:
            rest_start = m.end()
        c.end = rest_start
        im = ISSUER_AFTER.match(text[rest_start:])
        if im:
            c.issuer_written = _issuer_phrase(im["iss"])
        c.issuer, borrowed = resolve_issuer(c.issuer_written, c.issuer_code, province)
        if borrowed:
            c.flags.append("locality taken from the citing document")
        after_issuer = rest_start
        if c.issuer_written:
            after_issuer = rest_start + text[rest_start:].find(c.issuer_written) + len(c.issuer_written)
        c.subject = _subject(text[after_issuer:])
        out.append(c)
    return out


_SUBJECT_END = re.compile(r";|\.\s|\.$|\s\((?!.*\))|(?<=\S)\s+(?=\d+\.\s)")


def _subject(text: str) -> str | None:
    m = _subject_re().match(text)
    if not m:
        return None
    s = m["s"]
    cut = _SUBJECT_END.search(s)
    s = s[: cut.start()] if cut else s
    s = s.strip(" ,.;:“”\"")
    return collapse_spaces(s[:300]) or None


@lru_cache(maxsize=None)
def _known_keys() -> list[tuple[str, dict]]:
    keys = []
    for doc in known_documents():
        for name in doc["names"]:
            keys.append((name_key(name), doc))
    return sorted(keys, key=lambda kv: -len(kv[0]))


def name_key(text: str) -> str:
    """Comparison key for names: folded, no quotes or commas, '2016 - 2020' = '2016-2020'."""
    return _keyed(text)[0]


def _keyed(text: str) -> tuple[str, list[int]]:
    """Fold text for name matching and keep, for each output character, the
    index of the input character it came from (to map a match back to a span)."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        if ch in "“”\"'‘’,":
            continue
        c = _fold_char(ch)
        if c in ("–", "—"):
            c = "-"
        if c.isspace():
            if out and out[-1] in (" ", "-"):
                continue
            c = " "
        if c == "-" and out and out[-1] == " ":
            out.pop()
            idx.pop()
        out.append(c)
        idx.append(i)
    return "".join(out), idx


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


@lru_cache(maxsize=None)
def _known_pieces() -> tuple[tuple[str, ...], ...]:
    """The words of each known name's key (split at spaces and hyphens)."""
    return tuple(sorted({tuple(p for p in re.split(r"[ -]", key) if p) for key, _ in _known_keys()}))


@lru_cache(maxsize=None)
def _known_sign() -> re.Pattern:
    """The longest word of each known name, as one regex: a text that holds
    none of them names no known document."""
    return re.compile("|".join(sorted({re.escape(max(pieces, key=len)) for pieces in _known_pieces()})))


_FOLD_TABLE: dict[int, str] = {ord(ch): "" for ch in "“”\"'‘’,"}   # grows by each new character
_FOLD_KNOWN: set[str] = set("“”\"'‘’,")                            # the characters it holds


def _folded_chars(text: str) -> str:
    """text folded character by character, without quotes and commas: what
    _keyed makes before its spaces and hyphens are tidied. A word of a known
    name that _keyed's text holds, this one holds too."""
    for ch in set(text).difference(_FOLD_KNOWN):
        _FOLD_TABLE[ord(ch)] = _fold_char(ch)
        _FOLD_KNOWN.add(ch)
    return text.translate(_FOLD_TABLE)


def _may_name_known(text: str) -> bool:
    """Could a known document's name be in text? Only if every word of one is
    (most lines hold none: _keyed's character-by-character map is not needed)."""
    folded = _folded_chars(text)
    if not _known_sign().search(folded):
        return False
    return any(all(p in folded for p in pieces) for pieces in _known_pieces())


def _name_citations(text: str, taken: list[tuple[int, int]]) -> list[Citation]:
    out = []
    used = list(taken)
    keyed, idx = _keyed(text) if _may_name_known(text) else ("", [])
    for key, doc in _known_keys() if keyed else ():
        start = 0
        while True:
            pos = keyed.find(key, start)
            if pos < 0:
                break
            start = pos + 1
            end_pos = pos + len(key)
            if end_pos < len(keyed) and keyed[end_pos].isalnum():
                continue          # "Luật Bình đẳng giới" inside a longer name
            a, b = idx[pos], idx[end_pos - 1] + 1
            if any(a < e and s < b for s, e in used):
                continue
            used.append((a, b))
            c = Citation(text=text[a:b], where="", line=0, start=a, end=b, kind="name",
                         name=collapse_spaces(text[a:b].strip("“”\" ")))
            c.number = doc["number"]
            out.append(c)
    # Laws cited by a name we do not know: listed, not resolved.
    for m in LAW_NAME.finditer(text):
        a, b = m.start(), m.end()
        if any(a < e and s < b for s, e in used):
            continue
        used.append((a, b))
        name = collapse_spaces(m.group(0))
        c = Citation(text=text[a:b], where="", line=0, start=a, end=b, kind="name", name=name,
                     type_name="Bộ luật" if m["kind"] == "Bộ luật" else "Luật")
        if any(len(w) == 1 and w.isalpha() for w in m["name"].split()):
            c.status = "incomplete"
            c.flags.append("name damaged in the text (lost glyphs)")
        out.append(c)
    return out


def _short_citations(text: str, taken: list[tuple[int, int]]) -> list[Citation]:
    out = []
    for m in _short_ref().finditer(text):
        a, b = m.start(), m.end()
        if any(a < e and s < b for s, e in taken):
            continue
        word = m["type"]
        if type_of_word(word) not in citation_data()["short_reference_types"]:
            continue
        c = Citation(text=text[a:b], where="", line=0, start=a, end=b,
                     kind="self" if m["this"] else "short", type_written=word, type_name=type_of_word(word))
        if m["num"]:
            c.code_number = (m["num"].lstrip("0") or "0").zfill(2) if len(m["num"].lstrip("0")) < 2 else m["num"].lstrip("0")
            c.year = int(m["nyear"]) if m["nyear"] else None
        out.append(c)
    return out


def _pin(text: str, start: int) -> str | None:
    m = PIN_BEFORE.search(text[max(0, start - 80):start])
    if not m:
        return None
    pin = collapse_spaces(m.group(1)).strip(" ,")
    return re.sub(r"\s*(?:và|,)$", "", pin) or None


def numbered_in_line(text: str, province: str | None) -> list[Citation]:
    """The line's citations by number, damaged ones first (the part of
    find_in_line that repair's evidence needs: the others cost five times more)."""
    found = _damaged_citations(text)
    taken = [(c.start, c.end) for c in found]
    return found + [c for c in _number_citations(text, province) if not any(c.start < e and s < c.end for s, e in taken)]


def find_in_line(text: str, province: str | None) -> list[Citation]:
    """All citations of one line, in order of position."""
    found = numbered_in_line(text, province)
    taken = [(c.start, c.end) for c in found]
    found += _name_citations(text, taken)
    taken = [(c.start, c.end) for c in found]
    found += _short_citations(text, taken)
    for c in found:
        c.text = text[c.start:c.end].rstrip(" ,")
        c.end = c.start + len(c.text)
        c.pin = _pin(text, c.start)
    return sorted(found, key=lambda c: c.start)
