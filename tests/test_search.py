"""Search (Whoosh path): the query table, number spellings, accents, facets,
highlights, bad queries, the atomic and incremental index, the CLI and the
HTTP API on 127.0.0.1. A real index built from the sample archive."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kbtest import ROOT, SOURCE_DOCS
from vnkb.build import build
from vnkb.search import QueryError, build_index, engine, open_index, parse_query, records, search
from vnkb.search.query import number_key

TABLE = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
ALIASES = TABLE["aliases"]


def resolve(ident: str) -> str:
    base, _, frag = ident.partition("#")
    return ALIASES.get(base, base) + (f"#{frag}" if frag else "")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search")
    result = build(SOURCE_DOCS, tmp / "docs", index_dir=tmp / "index")
    return tmp, result


@pytest.fixture(scope="module")
def ix(built):
    return open_index(built[0] / "index")


@pytest.mark.parametrize("row", TABLE["queries"], ids=[r["q"] for r in TABLE["queries"]])
def test_query_table_top3(ix, row):
    res = search(ix, row["q"], page_size=10)
    top = [h["id"] for h in res.hits[:3]]
    expected = {resolve(e) for e in row["expect"]}
    assert expected & set(top), f"{row['q']!r}: top 3 {top}, expected one of {sorted(expected)}"


def test_table_has_forty_queries():
    assert len(TABLE["queries"]) >= 40


@pytest.mark.parametrize("spelling", ["880/QĐ-UBND", "880/QD-UBND", "880/qd-ubnd", "880 / QĐ - UBND", "880/QÐ-UBND"])
def test_number_spellings_share_one_key(spelling):
    assert parse_query(spelling).number == number_key("880/QĐ-UBND")


def test_type_and_bare_number():
    for q in ("qđ 880", "QĐ số 880", "Quyết định 880", "quyet dinh so 880"):
        pq = parse_query(q)
        assert (pq.type_name, pq.code_number) == ("Quyết định", "880"), q
    pq = parse_query("tt 191/2009")
    assert (pq.type_name, pq.code_number, pq.year) == ("Thông tư", "191", 2009)


def test_accented_query_ranks_exact_accents_first(ix):
    """'tỉnh' folds to 'tinh' like 'tính': the accented form must win."""
    res = search(ix, "Hà Tĩnh")
    assert any(h["id"].startswith(ALIASES["HT"]) for h in res.hits[:5])
    from vnkb.vntext import fold
    # every hit of the top 5 really says "Hà Tĩnh", not "hạ"/"tính"/"tỉnh" of somewhere else
    for hit in res.hits[:5]:
        text = re.sub(r"<[^>]+>", "", " ".join(str(hit.get(k) or "") for k in ("title", "organ", "snippet")))
        assert "hà tĩnh" in text.lower() or fold(hit["organ"] or "").endswith("ha tinh"), hit


def test_facets_and_sort(ix):
    res = search(ix, "binh dang gioi", page_size=50)
    assert res.facets["year"] and sum(res.facets["type"].values()) == res.total
    by_date = search(ix, "binh dang gioi", page_size=50, sort="date")
    dates = [h["issued_date"] or "" for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)


def test_highlight_is_escaped_real_text(ix):
    res = search(ix, "binh dang gioi")
    snippet = next(h["snippet"] for h in res.hits if h["snippet"])
    assert "<mark" in snippet and "bình đẳng giới" in snippet.lower().replace("<mark class=\"match term0\">", "").replace("</mark>", "") or "<mark" in snippet


def test_did_you_mean(ix):
    res = search(ix, "binh dang gioj")
    assert res.suggestion == "binh dang gioi"


@pytest.mark.parametrize("bad", ["", "   ", '"unbalanced', "x" * 10_000, "nam:abc", "ngay:2019-13", "so:???"])
def test_bad_queries_raise_query_error(ix, bad):
    with pytest.raises(QueryError):
        search(ix, bad)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
@example(q='":"')      # a phrase of punctuation only once reached Whoosh as an empty phrase
def test_any_query_is_answered_or_refused(built, q):
    ix = open_index(built[0] / "index")
    try:
        search(ix, q)
    except QueryError:
        pass


def test_index_update_by_id_and_atomic_swap(built, tmp_path):
    tmp, result = built
    index_dir = tmp_path / "index"
    placed_recs = records(*_placed(result))
    first = build_index(index_dir, placed_recs)
    assert first.added == len(placed_recs)
    again = build_index(index_dir, placed_recs)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, len(placed_recs))
    changed = [dict(r) for r in placed_recs]
    changed[0]["subject"] = "đã sửa"
    changed = changed[:-1]
    third = build_index(index_dir, changed)
    assert (third.updated, third.deleted) == (1, 1)
    assert (index_dir / "SCHEMA_VERSION").is_file() and not (tmp_path / "index.tmp").exists()
    # a lock left by a killed writer does not block the next build
    (index_dir / "MAIN_WRITELOCK").write_text("")
    build_index(index_dir, placed_recs)


def test_a_group_held_under_its_key_is_not_made_again(built, tmp_path, monkeypatch):
    """A build keys each document's records on what they are made from: the
    index makes only the groups whose key it does not hold, and past
    UPDATE_MAX changed records writes a new index instead of updating."""
    recs = records(*_placed(built[1]))
    made: list[str] = []

    def groups(keys, edit=None):
        out = []
        for r in recs:
            key = keys.get(r["id"], "k0")
            rec = dict(r, body=r["body"] + "\nBổ sung zqxvnhom.") if r["id"] == edit else r
            out.append(engine.Group(key, [r["id"]], lambda rec=rec: made.append(rec["id"]) or [rec]))
        return out
    ix_dir = tmp_path / "ix"
    assert build_index(ix_dir, groups({})).added == len(recs) and len(made) == len(recs)
    made.clear()
    first = recs[0]["id"]
    stats = build_index(ix_dir, groups({first: "k1"}, edit=first))
    assert made == [first] and (stats.updated, stats.unchanged) == (1, len(recs) - 1)
    assert search(open_index(ix_dir), "zqxvnhom").total == 1
    made.clear()
    stats = build_index(ix_dir, groups({first: "k1"}))     # the key held: the (other) record is not made
    assert made == [] and stats.unchanged == len(recs)
    assert search(open_index(ix_dir), "zqxvnhom").total == 1
    monkeypatch.setattr(engine, "UPDATE_MAX", 1)
    stats = build_index(ix_dir, groups({r["id"]: "k2" for r in recs}))
    assert (stats.added, stats.updated) == (len(recs), 0)
    assert search(open_index(ix_dir), "zqxvnhom").total == 0


def test_counts_skip_deleted_documents(built, tmp_path):
    """An index updated in place (deleted and re-added documents, several
    segments) counts the same documents and facets as one built afresh."""
    placed_recs = records(*_placed(built[1]))
    changed = [dict(r, subject=r["subject"] + " bình đẳng giới") if i % 3 == 0 else r
               for i, r in enumerate(placed_recs) if i % 5]
    build_index(tmp_path / "updated", placed_recs)
    build_index(tmp_path / "updated", changed)
    build_index(tmp_path / "fresh", changed)
    for q in ("binh dang gioi", "ha tinh", "nam:2018", "loai:\"Quyết định\""):
        for sort in ("relevance", "date"):
            a, b = (search(open_index(tmp_path / name), q, page_size=50, sort=sort, highlight=False)
                    for name in ("updated", "fresh"))
            assert (a.total, a.facets) == (b.total, b.facets), q
            assert {h["id"] for h in a.hits} == {h["id"] for h in b.hits}, q


def _placed(result):
    from vnkb.cite import link_archive
    from vnkb.render import place_documents
    placed = place_documents(result.documents)
    return placed, link_archive(placed)


def test_cli_search_json(built):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "search", "qđ 415", "--json",
                           "--index", str(built[0] / "index")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["hits"][0]["id"] == ALIASES["BK"]
    bad = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "search", '"x',
                          "--index", str(built[0] / "index")], capture_output=True, text=True)
    assert bad.returncode == 2 and "ngoặc kép" in bad.stderr


@pytest.fixture(scope="module")
def api(built):
    from vnkb.serve import make_server
    server = make_server(ROOT / "docs", "127.0.0.1", 0, built[0] / "index")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _get(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, json.loads(r.read()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


def test_api_search_and_document(api):
    status, data, headers = _get(f"{api}/api/search?q={quote('qđ 880')}")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert data["hits"][0]["number"] == "880/QĐ-UBND"
    status, data, _ = _get(f"{api}/api/search?q={quote('binh dang gioi')}&year=2018&size=500")
    assert status == 200 and data["page_size"] == 50 and all(h["year"] == 2018 for h in data["hits"])
    status, doc, _ = _get(f"{api}/api/documents/{ALIASES['BK']}")
    assert status == 200 and doc["number"] == "415/QĐ-UBND"
    assert _get(f"{api}/api/documents/khong-co")[0] == 404


def test_api_folder_files_are_served_beside_the_api(api):
    """Portals fetch api/catalog.json from the same server (with CORS); only
    api/search and api/documents/ are answered by the index."""
    status, catalog, headers = _get(f"{api}/api/catalog.json")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert catalog == json.loads((ROOT / "docs" / "api" / "catalog.json").read_text(encoding="utf-8"))
    with urllib.request.urlopen(f"{api}/api/danh-muc.csv") as r:
        assert r.read() == (ROOT / "docs" / "api" / "danh-muc.csv").read_bytes()


@pytest.mark.parametrize("query", ["q=", "q=" + "x" * 10_000, "q=%22abc", "q=a&page=0", "q=a&year=abc",
                                   "q=nam:3000", "q=" + quote("((( AND OR NOT")])
def test_api_bad_queries_are_400_not_500(api, query):
    status, data, _ = _get(f"{api}/api/search?{query}")
    assert status in (200, 400) and "error" in data or status == 200
    assert status != 500


@pytest.mark.slow
def test_api_under_bounded_load_gives_no_5xx(built):
    """A short run of scripts/loadtest.py (make bench runs it for 60 s, 50 connections)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
    loadtest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loadtest)
    site = built[0] / "site"          # serve --no-build needs a built site; a stub is enough for the API
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    report = loadtest.run(seconds=3, connections=10, site=site, index=built[0] / "index")
    assert report["requests"] > 0
    assert report["server_errors_5xx"] == 0 and report["client_errors"] == 0, report


@pytest.mark.parametrize("procs", [2, 3])
def test_parallel_writers_give_the_same_results(built, tmp_path, procs):
    """A new index written by several processes (one segment each, over
    contiguous runs of documents) ranks and scores as one written by one."""
    placed_recs = records(*_placed(built[1]))
    build_index(tmp_path / "one", placed_recs, procs=1)
    build_index(tmp_path / "many", placed_recs, procs=procs)
    many = open_index(tmp_path / "many")
    assert len(many._segments()) == procs
    for q in ("binh dang gioi", "880/QĐ-UBND", "ke hoach 2019", "\"bình đẳng giới\"", "loai:\"Quyết định\""):
        a, b = (search(open_index(tmp_path / name), q, page_size=50, highlight=False) for name in ("one", "many"))
        assert (a.total, a.facets) == (b.total, b.facets), q
        assert [(h["id"], h["score"]) for h in a.hits] == [(h["id"], h["score"]) for h in b.hits], q


@pytest.mark.parametrize("block", [4, None])
def test_scores_are_whooshs_own(built, tmp_path, monkeypatch, block):
    """The matching set and the scores computed on whole posting arrays are
    those of Whoosh's own matchers (docs_for_query, searcher.search) for every
    query of the table, on an index whose posting lists span many packed
    blocks (4 postings each) and on one with the usual blocks: Whoosh reads
    the packed blocks, and the arrays hold its arithmetic."""
    from whoosh import query as Q
    from vnkb.search import engine
    if block:
        monkeypatch.setattr(engine, "POSTING_BLOCK", block)
    build_index(tmp_path / "ix", records(*_placed(built[1])), procs=1)
    with open_index(tmp_path / "ix").searcher() as s:
        if block:       # the packed blocks were written, and span several blocks
            m = s.postings("body_words", "gioi")
            m = getattr(m, "child", m)
            m._read_data()
            assert type(m._data[0]).__name__ == "array" and len(m._data[0]) == block
        checked = 0
        for row in TABLE["queries"]:
            pq = parse_query(row["q"])
            # (without the optional boosts of a query of several words: Whoosh
            # drops the boost of an And of one term, the near-pair boost)
            for loose in (False, True):
                q = engine.build_query(pq, loose, ranked=len(pq.terms) < 2)
                run = engine._Run(s)
                docs = engine._docset(run, engine.build_query(pq, loose, ranked=False))
                assert set(docs.nonzero()[0].tolist()) == set(s.docs_for_query(q)), row["q"]
                ours = dict((d, v) for v, d in engine._rank(run, q, docs, 10**6))
                theirs = {hit.docnum: hit.score for hit in s.search(q, limit=None)}
                assert ours.keys() == theirs.keys(), row["q"]
                for d in ours:
                    assert ours[d] == pytest.approx(theirs[d], rel=1e-9, abs=1e-12), (row["q"], d)
                checked += len(ours)
        assert checked > 200
        assert isinstance(engine.build_query(parse_query("binh dang gioi")), Q.AndMaybe)


def test_update_shares_segment_files_and_never_writes_them(built, tmp_path):
    """The copy of the index an update works on shares the segment files by
    hard links: Whoosh must never write to one (the published index would
    change under the swap). The ids and hashes file is kept with the index;
    without it, the stored fields tell the same."""
    import os
    recs = records(*_placed(built[1]))
    ix_dir, keep = tmp_path / "ix", tmp_path / "keep"
    build_index(ix_dir, recs, procs=1)
    before = {p.name: p.read_bytes() for p in ix_dir.glob("*.seg")}
    assert before
    keep.mkdir()
    for name in before:
        os.link(ix_dir / name, keep / name)
    changed = [dict(r, body=r["body"] + "\nBổ sung zqxvdong.") if i == 0 else r for i, r in enumerate(recs)]
    stats = build_index(ix_dir, changed)
    assert (stats.updated, stats.unchanged) == (1, len(recs) - 1)
    assert search(open_index(ix_dir), "zqxvdong").total == 1
    assert {name: (keep / name).read_bytes() for name in before} == before
    hashes = json.loads((ix_dir / "content-hashes.json").read_text(encoding="utf-8"))
    assert sorted(hashes) == sorted(r["id"] for r in recs)
    (ix_dir / "content-hashes.json").unlink()
    again = build_index(ix_dir, changed[1:])
    assert (again.deleted, again.updated, again.unchanged) == (1, 0, len(recs) - 1)
    assert search(open_index(ix_dir), "zqxvdong").total == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
@example("Quyết định số 880/QĐ-UBND ngày 12/4/2016 về Bình Đẳng giới, bình đẳng GIỚI 2016-2020.")
@example("İstanbul ǅ ß ﬁ Ⅻ ² ½ x_y a.b-c/d ĐĐ đ ð Ð e\u0301 ")
def test_one_pass_indexing_gives_whooshs_terms(text):
    """The segment writers' schema lists each field's words in one pass: for
    any text, the same terms, frequencies, weights and positions as the
    field's own analyzer and format; the fields it applies to are named."""
    from vnkb.search import engine
    plain = engine.schema()
    fast = engine._indexing_schema(plain)
    swapped = sorted(n for n in plain.names() if type(fast[n].format) is not type(plain[n].format))
    assert swapped == ["body", "body_exact", "body_words", "organ", "signer", "subject", "title", "title_exact"]
    for name in swapped:
        assert list(fast[name].index(text)) == list(plain[name].index(text)), name


def test_index_keeps_the_plain_schema(built, tmp_path):
    """The one-pass formats stay in the writers: the index's table of
    contents holds the schema with Whoosh's own formats."""
    from whoosh.formats import Frequency, Positions
    build_index(tmp_path / "ix", records(*_placed(built[1])), procs=1)
    schema = open_index(tmp_path / "ix").schema
    assert {type(schema[n].format) for n in schema.names() if getattr(schema[n], "format", None)} \
        <= {Positions, Frequency, type(schema["id"].format)}
