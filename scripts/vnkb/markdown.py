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
_LINE_START = re.compile(r"^([-+#])")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")


def inline(text: str) -> str:
    """Escape document text for use inside a Markdown line."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text.startswith("~"):          # "~~~" would open a fenced code block
        text = "&#126;" + text[1:]
    text = _LINE_START.sub(r"\\\1", _BACKSLASHED.sub(r"\\\1", text))
    # "1." or "1)" at the start of a line would open an ordered list.
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


def link(label: str, target: str) -> str:
    """A link whose target we built ourselves (slugs: [a-z0-9-/._]) and whose label is escaped."""
    if not re.fullmatch(r"[A-Za-z0-9_./#-]+", target) or target.lower().startswith(("javascript", "data", "vbscript")):
        raise ValueError(f"unsafe link target {target!r}")
    return f"[{inline(label)}]({target})"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Rows are already escaped Markdown cells."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(out)


def front_matter(meta: dict) -> str:
    """YAML front matter written with safe_dump and read back to prove it
    round-trips (MkDocs silently drops front matter that fails to parse)."""
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False)
    if yaml.safe_load(dumped) != meta:
        raise ValueError("front matter does not round-trip through YAML")
    return f"---\n{dumped}---\n"
