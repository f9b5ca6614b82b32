"""Markdown writing helpers. Text from documents is data: every string that
comes from a document goes through `inline()` so that it can never become
HTML, a link, an attribute list or Markdown structure."""
from __future__ import annotations

import re

import yaml

# Characters with a Markdown meaning anywhere in a line (Python-Markdown
# honours backslash escapes for them) ...
_BACKSLASHED = re.compile(r"([\\`*_{}\[\]|])")
# ... and at the start of a line only: lists, headings, quotes, rules, fences.
_LINE_START = re.compile(r"^([-+#!])")     # "!!! note" would open an admonition
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_SPACES = re.compile(r"\s+")


def escape_fragment(text: str, at_line_start: bool = True) -> str:
    """Escape part of a Markdown line; white space is folded but kept at the ends
    (fragments are joined with links between them)."""
    text = _SPACES.sub(" ", str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BACKSLASHED.sub(r"\\\1", text)
    if at_line_start:
        if text.startswith("~"):          # "~~~" would open a fenced code block
            text = "&#126;" + text[1:]
        if _LINE_START.match(text):       # (most fragments: no substitution to make)
            text = _LINE_START.sub(r"\\\1", text)
        # "1." or "1)" at the start of a line would open an ordered list.
        if _LINE_START_NUMBER.match(text):
            text = _LINE_START_NUMBER.sub(r"\1\\\2", text)
    return text


def inline(text: str) -> str:
    """Escape document text for use as (the start of) a Markdown line."""
    return escape_fragment(" ".join(str(text).split()))


def rich(text: str, spans: list[tuple[int, int, str | None, bool]], offset: int = 0) -> str:
    """Escape text and turn the spans (start, end, relative target or None,
    incomplete) into links; offsets are those of the full line, of which text
    starts at `offset`. An incomplete citation is visibly marked."""
    out: list[str] = []
    pos = 0
    for start, end, target, incomplete in sorted(spans):
        a, b = start - offset, end - offset
        if a < pos or b > len(text) or a >= b:
            continue
        out.append(escape_fragment(text[pos:a], at_line_start=not out and pos == 0))
        label = escape_fragment(text[a:b], at_line_start=False)
        if target:
            link_md = f"[{label}]({_safe_target(target)})"
            out.append(link_md + (_INCOMPLETE_MARK if incomplete else ""))
        else:
            out.append(f'<span class="kb-incomplete" title="Trích dẫn chưa đầy đủ">{label}</span>')
        pos = b
    out.append(escape_fragment(text[pos:], at_line_start=not out))
    return " ".join("".join(out).split(" ")).strip()


_INCOMPLETE_MARK = ' <span class="kb-incomplete-mark" title="Trích dẫn chưa đầy đủ">⚠</span>'


def _safe_target(target: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_./#-]+", target) or target.lower().startswith(("javascript", "data", "vbscript")):
        raise ValueError(f"unsafe link target {target!r}")
    return target


def link(label: str, target: str) -> str:
    """A link whose target we built ourselves (slugs: [a-z0-9-/._]) and whose label is escaped."""
    return f"[{inline(label)}]({_safe_target(target)})"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Rows are already escaped Markdown cells."""
    return "\n".join([table_head(header)] + [table_row(row) for row in rows])


def table_head(header: list[str]) -> str:
    """The header and separator lines of a table (cells already escaped)."""
    return "| " + " | ".join(header) + " |\n|" + "|".join(" --- " for _ in header) + "|"


def table_row(row: list[str]) -> str:
    """One table line of already escaped Markdown cells."""
    return "| " + " | ".join(cell or " " for cell in row) + " |"


_YAML_BREAKS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _yaml_safe(value):
    """Strings without characters YAML reads as line breaks or cannot print."""
    if isinstance(value, str):
        return _YAML_BREAKS.sub(" ", value)
    if isinstance(value, dict):
        return {k: _yaml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_safe(v) for v in value]
    return value


# libyaml's safe dumper/loader when PyYAML has it (10x faster, same safe subset).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def front_matter(meta: dict) -> str:
    """YAML front matter written with safe_dump and read back to prove it
    round-trips (MkDocs silently drops front matter that fails to parse)."""
    meta = _yaml_safe(meta)
    dumped = yaml.dump(meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=4096,
                       default_flow_style=False)
    if yaml.load(dumped, Loader=_LOADER) != meta:
        raise ValueError("front matter does not round-trip through YAML")
    return f"---\n{dumped}---\n"


def rel(from_page: str, to_path: str) -> str:
    """Relative link between two files under docs/ (what MkDocs validates):
    posixpath.relpath for the plain relative paths pages have (no "." or ".."
    parts), by string operations (a large archive's pages hold millions of links)."""
    base = from_page.split("/")[:-1]
    target = to_path.split("/")
    n = 0
    while n < len(base) and n < len(target) and base[n] == target[n]:
        n += 1
    return "/".join([".."] * (len(base) - n) + target[n:]) or "."
