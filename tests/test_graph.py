"""Relations between documents: the counted version (citing lists) gives what
the definition (every pair compared) gives."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vnkb.publish import graph


def pairwise(doc_id, targets, cited_by, limit=10, common=graph.COMMON):
    mine = targets.get(doc_id, set())
    rare = {t for t in mine if len(cited_by.get(t, ())) <= common}
    out = []
    for other, theirs in targets.items():
        if other == doc_id:
            continue
        if other in mine:
            out.append((0, other, "được văn bản này dẫn chiếu", []))
        elif doc_id in theirs:
            out.append((0, other, "dẫn chiếu văn bản này", []))
        elif rare & theirs:
            shared = sorted(mine & theirs)
            out.append((-len(shared), other, f"cùng dẫn chiếu {len(shared)} văn bản", shared))
    for citer in sorted(cited_by.get(doc_id, set())):
        if citer not in targets and citer != doc_id:
            out.append((0, citer, "dẫn chiếu văn bản này", []))
    out.sort(key=lambda x: (x[0], x[1]))
    return [(o, r, s) for _, o, r, s in out[:limit]]


ids = st.sampled_from([f"d{i}" for i in range(12)] + [f"e{i}" for i in range(8)])
graphs = st.dictionaries(st.sampled_from([f"d{i}" for i in range(12)]), st.sets(ids, max_size=6), max_size=12)


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_related_documents_match_the_pairwise_definition(raw):
    targets = {d: ts - {d} for d, ts in raw.items()}
    cited_by: dict[str, set[str]] = {}
    for d, ts in targets.items():
        for t in ts:
            cited_by.setdefault(t, set()).add(d)
    for d in targets:
        assert graph.related_documents(d, targets, cited_by) == pairwise(d, targets, cited_by)
        # targets cited by more than `common` documents relate none by themselves
        assert graph.related_documents(d, targets, cited_by, common=2) == pairwise(d, targets, cited_by, common=2)
    for e in cited_by:
        assert graph.co_cited(e, targets, citing=cited_by[e]) == graph.co_cited(e, targets)
