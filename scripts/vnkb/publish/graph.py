"""Relationships of a page as a small Mermaid diagram (Material renders
```mermaid fences, see docs/assets/kb.js) and a list of related documents.

Labels are document text: Mermaid reads `"`, `#...;` entities, backticks and
angle brackets specially, so each is written as a Mermaid entity code inside a
quoted label; node ids are ours (n0, n1, c1 ...). Superfences writes the
fence's text HTML-escaped into the page."""
from __future__ import annotations

from collections import Counter

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;", "&": "#amp;",
                     "\\": "#92;"}
MAX_NODES = 8


def mermaid_label(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text)


def diagram(center: str, cites: list[str], citers: list[str]) -> str:
    """A left-to-right graph: citers -> center -> cited. Empty when nothing links."""
    if not cites and not citers:
        return ""
    lines = ['%%{init: {"flowchart": {"nodeSpacing": 8, "rankSpacing": 40}}}%%', "graph LR",
             f'  n0["{mermaid_label(center)}"]', "  classDef kbself stroke-width:3px;", "  class n0 kbself"]

    def add(labels: list[str], prefix: str, outgoing: bool) -> None:
        shown = labels[:MAX_NODES]
        for i, label in enumerate(shown, 1):
            node = f'{prefix}{i}["{mermaid_label(label)}"]'
            lines.append(f"  n0 --> {node}" if outgoing else f"  {node} --> n0")
        if len(labels) > len(shown):
            more = f'{prefix}more["… và {len(labels) - len(shown)} văn bản khác"]'
            lines.append(f"  n0 --> {more}" if outgoing else f"  {more} --> n0")

    add(citers, "c", outgoing=False)
    add(cites, "n", outgoing=True)
    return "``` mermaid\n" + "\n".join(lines) + "\n```\n"


COMMON = 200      # a target cited by more documents than this relates none of them by itself


def related_documents(doc_id: str, targets: dict[str, set[str]], cited_by: dict[str, set[str]],
                      limit: int = 10, common: int = COMMON) -> list[tuple[str, str, list[str]]]:
    """[(other id, reason, shared targets)] for archived documents related to doc_id:
    it cites them, they cite it, or both cite the same documents (most shared first).

    Two documents that both cite the Constitution or the Law on Gender Equality
    (cited by most of an archive) are not related by that alone: a target with
    more than `common` citing documents counts among the shared ones, but does
    not make a document a candidate (finding those would compare every pair)."""
    mine = targets.get(doc_id, set())
    sharing: set[str] = set()
    for t in mine:
        citers = cited_by.get(t, ())
        if len(citers) <= common:
            sharing.update(citers)
    candidates = (sharing | mine | set(cited_by.get(doc_id, ()))) - {doc_id}
    out = []
    for other in candidates:
        theirs = targets.get(other)
        if theirs is None:
            continue
        if other in mine:
            out.append((0, other, "được văn bản này dẫn chiếu", []))
        elif doc_id in theirs:
            out.append((0, other, "dẫn chiếu văn bản này", []))
        elif other in sharing:
            shared = sorted(mine & theirs)
            out.append((-len(shared), other, f"cùng dẫn chiếu {len(shared)} văn bản", shared))
    for citer in sorted(cited_by.get(doc_id, set())):
        if citer not in targets and citer != doc_id:
            out.append((0, citer, "dẫn chiếu văn bản này", []))
    out.sort(key=lambda x: (x[0], x[1]))
    return [(other, reason, shared) for _, other, reason, shared in out[:limit]]


def co_cited(entry_id: str, targets: dict[str, set[str]], limit: int = 8,
             citing: set[str] | None = None) -> list[tuple[str, int]]:
    """Other cited documents most often cited by the same documents as entry_id
    (citing: the ids of those documents, when known, saves a pass over all)."""
    counts: Counter[str] = Counter()
    docs = targets.values() if citing is None else (targets.get(d, set()) for d in sorted(citing))
    for cited in docs:
        if entry_id in cited:
            counts.update(cited)         # (counted in C: a law is cited by thousands of documents)
    counts.pop(entry_id, None)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
