"""Pages made in forked processes are the pages one process makes: same
paths, same bytes, in the same order, whatever the scheduling."""
from __future__ import annotations

import os

import pytest

from vnkb import forked
from vnkb.cite import cite_document, cited_by, link_archive
from vnkb.forked import forked_map
from vnkb.models import Document
from vnkb.render import place_documents, render_all


def _archive(n: int) -> list[Document]:
    docs = []
    for i in range(n):
        body = [f"Căn cứ Quyết định số {100 + i % 7}/QĐ-UBND ngày 12/3/2018 của Ủy ban nhân dân tỉnh Hà Tĩnh;",
                "Căn cứ Luật Bình đẳng giới năm 2006 và Thông tư số 191/2009/TT-BTC;",
                f"Văn bản này thay thế Hướng dẫn số {i + 1:02d}/HD-UBND.", "<script>alert(1)</script> [x](javascript:1)"]
        doc = Document(source={"path": f"{i:03d}.txt", "sha256": f"{i:064x}", "format": "text", "pages": 1},
                       number=f"{i + 2:02d}/HD-UBND", type_name="Hướng dẫn", organ_name="Ủy ban nhân dân tỉnh Hà Tĩnh",
                       year=2019, issued_date=f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}", title=f"Hướng dẫn {i}",
                       body=body, text="\n".join(body))
        cite_document(doc)
        docs.append(doc)
    return docs


def _render(monkeypatch, parallel_from: int, sink=None) -> dict:
    monkeypatch.setattr(forked, "PARALLEL_FROM", parallel_from)
    placed = place_documents(_archive(80))
    entries = link_archive(placed)
    return render_all(placed, entries, cited_by(placed), [], sink=sink)


def test_forked_pages_are_the_serial_pages(monkeypatch, tmp_path):
    """Pages and archive-wide files made by forked processes (each job's files
    written by the process that ran it) are the serial ones, in the same order."""
    serial = _render(monkeypatch, 10**9)

    def sink(path: str, data) -> bool:
        out = tmp_path / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return True
    parallel = _render(monkeypatch, 1, sink=sink)
    assert sum(1 for p in serial if p.startswith("van-ban/")) >= 80
    assert list(parallel) == list(serial) and set(parallel.values()) == {True}
    assert {p: (tmp_path / p).read_bytes() for p in parallel} == \
        {p: v.encode("utf-8") if isinstance(v, str) else v for p, v in serial.items()}


def test_forked_map_keeps_order_and_raises(monkeypatch):
    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)
    assert list(forked_map(lambda i: i * i, range(200), procs=2)) == [i * i for i in range(200)]

    def boom(i):
        if i == 150:
            raise ValueError("page 150")
        return i
    with pytest.raises(ValueError, match="page 150"):
        list(forked_map(boom, range(200), procs=2))
    assert forked._TASK is None


def _grow_and_count(n):
    junk = [str(i) * 10 for i in range(n)]
    return len(junk), __import__("os").getpid()


def _fail():
    raise ValueError("tệp hỏng")


def test_in_child_returns_the_result_and_raises_the_error():
    """kb.py build runs the docs and index stages in a child (its memory is
    given back before MkDocs runs): the result crosses over, and so does an error."""
    import os
    count, pid = forked.in_child(_grow_and_count, 100_000)
    assert count == 100_000 and pid != os.getpid()
    with pytest.raises(ValueError, match="tệp hỏng"):
        forked.in_child(_fail)
    with pytest.raises(RuntimeError, match="without a result"):
        forked.in_child(os._exit, 3)


def _square_or_fail(n):
    if n == 13:
        raise ValueError("tệp hỏng")
    return n * n, os.getpid()


def test_two_way_map_keeps_order_shares_the_work_and_raises():
    """The archive-wide files are made by this process and one forked child,
    each taking the next job: results in the jobs' order, made in both, and
    an error in either is raised here."""
    import time

    def slow_square(n):
        time.sleep(0.01)
        return n * n, os.getpid()
    out = forked.two_way_map(slow_square, range(40))
    assert [v for v, _ in out] == [n * n for n in range(40)]
    if forked.processes() > 1:
        assert len({pid for _, pid in out}) == 2 and os.getpid() in {pid for _, pid in out}
    with pytest.raises(ValueError, match="tệp hỏng"):
        forked.two_way_map(_square_or_fail, range(40))
