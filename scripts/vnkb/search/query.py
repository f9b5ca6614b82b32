"""One normalization for every search path (Whoosh, the browser index, query
parsing): NFC, case folding, diacritics folded with an explicit đ→d, and one
canonical key for document numbers.

Staff type numbers in any form: "880/QĐ-UBND" = "880/QD-UBND" = "880/qd-ubnd";
"qđ 880" and "QĐ số 880" mean type Quyết định with number 880; "tt 191/2009"
means Thông tư 191 of 2009; "26/NQ-TW" is the Party number 26-NQ/TW.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..cite.find import NUMBER, _code_parts, canonical_number
from ..cite.lexicon import citation_data
from ..parse.lexicon import doc_types
from ..vntext import fold

MAX_QUERY = 500
FIELD = re.compile(r'(?P<field>so|loai|nam|co_quan|ngay|kieu):(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))', re.IGNORECASE)
PHRASE = re.compile(r'"([^"]+)"')
YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/.-])")
DATE_RANGE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)?\.\.(\d{4}(?:-\d{2}(?:-\d{2})?)?)?$")
WORD = re.compile(r"[\w]+(?:[./-][\w]+)*", re.UNICODE)


class QueryError(ValueError):
    """A query that cannot be run; the message is shown to the user (Vietnamese)."""


def has_marks(text: str) -> bool:
    """True when the text carries Vietnamese diacritics (or đ)."""
    return fold(text) != text.lower()


def number_key(number: str) -> str:
    """'880/QĐ-UBND' -> '880/qd-ubnd'; the same key for every spelling."""
    return fold(number).replace(" ", "")


def canonical_number_of(text: str) -> str | None:
    """A number as typed -> its canonical form, or None ('880/qd-ubnd' -> '880/QD-UBND')."""
    upper = unicodedata.normalize("NFC", text).upper().replace("Ð", "Đ")
    m = NUMBER.fullmatch(upper.strip())
    if not m:
        return None
    number, _ = canonical_number(m["num"], _code_parts(m["code"]), m["nyear"])
    return number


@lru_cache(maxsize=None)
def _type_words() -> tuple[re.Pattern, dict[str, str]]:
    names = {fold(n): n for n in doc_types()["by_name"].values()}
    for abbr, name in citation_data()["type_abbreviations"].items():
        names.setdefault(fold(abbr), name)
    alternation = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
    rx = re.compile(r"(?<!\w)(?P<type>" + alternation + r")\s+(?:so\s+)?(?P<num>\d{1,5})(?:\s*/\s*(?P<year>(?:19|20)\d{2}))?(?![\w/-])")
    return rx, names


def type_key(type_name: str) -> str:
    return fold(type_name)


@dataclass
class ParsedQuery:
    raw: str
    terms: list[str] = field(default_factory=list)       # as typed, lower case (accents kept)
    phrases: list[str] = field(default_factory=list)
    number: str | None = None                              # number_key
    code_number: str | None = None
    type_name: str | None = None
    year: int | None = None                                # from nam: or a year in the text
    year_required: bool = False
    organ: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    kind: str | None = None

    @property
    def accented(self) -> bool:
        return any(has_marks(t) for t in self.terms + self.phrases)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.number or self.code_number or self.type_name
                    or self.year or self.organ or self.date_from or self.date_to or self.kind)


def _valid_date_prefix(value: str) -> bool:
    parts = [int(p) for p in value.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3:
        import datetime as dt
        try:
            dt.date(*parts)
        except ValueError:
            return False
    return True


def _range(value: str) -> tuple[str | None, str | None]:
    """'2019-01-01..2019-12-31', '2019..', '..2019-06', '2019' -> (from, to) on ISO strings."""
    m = DATE_RANGE.match(value)
    if m and (m.group(1) or m.group(2)):
        start, end = m.group(1), m.group(2)
    elif re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value):
        start = end = value
    else:
        raise QueryError(f"khoảng ngày không hợp lệ: {value!r} (ví dụ ngay:2019-01-01..2019-12-31)")
    if not all(_valid_date_prefix(v) for v in (start, end) if v):
        raise QueryError(f"ngày không hợp lệ: {value!r}")
    return start, (end + "~") if end else None


def parse_query(q: str) -> ParsedQuery:
    if q is None:
        raise QueryError("thiếu từ khóa tìm kiếm")
    q = unicodedata.normalize("NFC", q)
    if len(q) > MAX_QUERY:
        raise QueryError(f"từ khóa quá dài (tối đa {MAX_QUERY} ký tự)")
    if q.count('"') % 2:
        raise QueryError("thiếu dấu ngoặc kép đóng")
    pq = ParsedQuery(raw=q)
    rest = q
    for m in list(FIELD.finditer(q)):
        name, value = m["field"].lower(), (m["quoted"] if m["quoted"] is not None else m["bare"])
        if name == "so":
            canon = canonical_number_of(value)
            pq.number = number_key(canon) if canon else None
            if not canon:
                digits = re.fullmatch(r"\d{1,5}", value.strip())
                if not digits:
                    raise QueryError(f"số văn bản không hợp lệ: {value!r}")
                pq.code_number = value.strip()
        elif name == "loai":
            pq.type_name = value
        elif name == "nam":
            if not re.fullmatch(r"(?:19|20)\d{2}", value):
                raise QueryError(f"năm không hợp lệ: {value!r}")
            pq.year, pq.year_required = int(value), True
        elif name == "co_quan":
            pq.organ = value
        elif name == "ngay":
            pq.date_from, pq.date_to = _range(value)
        elif name == "kieu":
            pq.kind = value
        rest = rest.replace(m.group(0), " ")
    for m in PHRASE.finditer(rest):
        if WORD.search(m.group(1)):     # a phrase of punctuation only (":") searches nothing
            pq.phrases.append(m.group(1).strip().lower())
    rest = PHRASE.sub(" ", rest)
    # full numbers anywhere in the text
    for token in re.findall(r"\d{1,5}\s*[/-]\s*(?:\d{4}\s*/\s*)?[A-Za-zĐđÐ][\wĐđ&]*(?:\s*[-/]\s*[\wĐđ&]+)*", rest):
        canon = canonical_number_of(token)
        if canon:
            pq.number = number_key(canon)
            rest = rest.replace(token, " ")
    # type word + bare number: "qđ 880", "thong tu 191/2009", "Quyết định số 880"
    rx, names = _type_words()
    folded = fold(rest)
    m = rx.search(folded)
    if m:
        pq.type_name = pq.type_name or names[m["type"]]
        pq.code_number = m["num"]
        if m["year"]:
            pq.year = int(m["year"])
        folded_words = set(WORD.findall(folded[m.start():m.end()]))
        rest = " ".join(w for w in WORD.findall(rest) if fold(w) not in folded_words)
    for m in YEAR.finditer(rest):
        pq.year = pq.year or int(m.group(1))
    pq.terms = [w.lower() for w in WORD.findall(rest) if not YEAR.fullmatch(w)]
    if pq.empty:
        raise QueryError("hãy nhập từ khóa, số hiệu hoặc điều kiện tìm kiếm")
    return pq


def read_number(text: str) -> dict | None:
    """What a number typed into the resolver (/tra-cuu/?so=...) means; the page's
    JavaScript (docs/assets/kb.js readNumber) does the same, the browser tests
    compare both on tests/data/resolver_spellings.yaml.
    {"key": number_key} for a full number ("880/QĐ-UBND" in any spelling),
    {"code", "type", "year"} for "qđ 880", "Quyết định số 880", "tt 191/2009",
    {"code"} for a bare "880"; None otherwise."""
    canon = canonical_number_of(text)
    if canon:
        return {"key": number_key(canon), "canonical": canon}
    folded = fold(unicodedata.normalize("NFC", text)).strip()
    bare = re.fullmatch(r"(?:so\s+)?0*(\d{1,5})", folded)
    if bare:
        return {"code": bare.group(1) or "0"}
    rx, names = _type_words()
    rx = re.compile(rx.pattern.replace(r"(?:so\s+)?(?P<num>", r"(?:so\s+)?0*(?P<num>"))
    m = rx.search(folded)
    if m:
        return {"code": m["num"] or "0", "type": names[m["type"]], "year": int(m["year"]) if m["year"] else None}
    return None
