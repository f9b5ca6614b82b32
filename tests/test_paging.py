"""Long texts are cut into pages under 60 KB of HTML: the cut (pure), the
pages of a long document and of a long report template, and the site a
real `mkdocs build --strict` makes of a long original."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtest import assert_links_resolve, project_copy
from vnkb import paging
from vnkb.cite import cite_document, cited_by, link_archive
from vnkb.models import Attachment, Document
from vnkb.render import place_documents, render_all

PARA = ("Các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố triển khai thực hiện Luật Bình đẳng giới, "
        "lồng ghép vấn đề bình đẳng giới trong xây dựng và thực hiện chính sách, báo cáo kết quả theo "
        "Quyết định số 880/QĐ-UBND ngày 12/3/2018 của Ủy ban nhân dân tỉnh Hà Tĩnh. ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 50_000), max_size=60), st.integers(0, 20_000), st.integers(1_000, 40_000),
       st.lists(st.booleans(), max_size=60))
def test_cut_keeps_every_block_once_in_order_and_under_the_budget(costs, first, budget, flags):
    breaks = (flags + [False] * len(costs))[:len(costs)]
    pages = paging.cut(costs, budget, first, breaks)
    assert [i for page in pages for i in page] == list(range(len(costs)))
    if first + sum(costs) <= budget:
        assert len(pages) == 1
    for k, page in enumerate(pages):
        used = (first if k == 0 else 0) + sum(costs[i] for i in page)
        assert used <= budget or len(page) == 1 or (k == 0 and len(page) == 0)
        assert page or k == 0                      # only the first page may hold the head alone


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300), min_size=1, max_size=80),
       st.integers(200, 5_000))
def test_split_list_cuts_only_between_items_and_loses_nothing(items, budget):
    block = "## Được dẫn chiếu bởi\n\n" + "\n".join(f"- {x}" for x in items) + "\n"
    pieces = paging.split_list(block, budget)
    assert "".join(pieces) == block
    assert pieces[0].startswith("## ") and all(p.startswith("- ") for p in pieces[1:])


def _long_document(sections: int = 14, template: bool = True) -> Document:
    body = []
    for s in range(1, sections + 1):
        body.append(f"{s}. Nhiệm vụ số {s} về bình đẳng giới")
        body += [f"- Đoạn {s}.{j}: {PARA * 2}" for j in range(8)]
    attachments = []
    if template:
        lines = ["MẪU BÁO CÁO"]
        for s in range(1, sections + 1):
            lines.append(f"{s}. Kết quả thực hiện nhiệm vụ {s}")
            lines += [f"- Mục {s}.{j}: {PARA * 2}" for j in range(6)]
        attachments.append(Attachment(kind="mau_bao_cao", label="Mẫu báo cáo", title="Báo cáo kết quả", lines=lines))
    doc = Document(source={"path": "dai.txt", "sha256": "1" * 64, "format": "text", "pages": 30},
                   number="12/HD-UBND", type_name="Hướng dẫn", organ_name="Ủy ban nhân dân tỉnh Hà Tĩnh",
                   year=2019, issued_date="2019-03-01", title="Hướng dẫn thực hiện công tác bình đẳng giới",
                   subject="Về công tác bình đẳng giới", body=body, text="\n".join(body), attachments=attachments)
    cite_document(doc)
    return doc


def _pages(doc: Document) -> dict[str, str]:
    placed = place_documents([doc])
    every = render_all(placed, link_archive(placed), cited_by(placed), [])
    # a link written for the first page, left as it was on a page in another folder, would not resolve
    assert_links_resolve(every, [p for p in every if p.startswith(("van-ban/", "dan-chieu/")) and p.endswith(".md")],
                         outside=lambda path: path.startswith("goc/"))         # originals: copied by build
    return {p: v for p, v in every.items() if p.startswith("van-ban/")}


def test_a_long_document_is_cut_into_linked_pages_that_hold_its_text_once():
    pages = _pages(_long_document())
    home = "van-ban/2019/uy-ban-nhan-dan-tinh-ha-tinh/12-hd-ubnd"
    doc_pages = sorted(p for p in pages if re.fullmatch(re.escape(home) + r"/(index|trang-\d+)\.md", p))
    assert len(doc_pages) >= 3
    for p in doc_pages:
        assert paging.html_cost(pages[p].split("---\n", 2)[-1]) < paging.BUDGET + 2_000, p
    text = "".join(pages[p].split('<div class="kb-search-text"')[0] for p in doc_pages)   # the hidden block repeats the lead
    for s in range(1, 15):                         # every paragraph once, in order, across the pages
        for j in range(8):
            assert text.count(f"Đoạn {s}.{j}:") == 1
    order = [text.index(f"Đoạn {s}.0:") for s in range(1, 15)]
    assert order == sorted(order)
    # only the first page carries the facts and the hidden block Pagefind indexes
    assert pages[f"{home}/index.md"].count("data-pagefind-body") == 1
    assert all("data-pagefind-body" not in pages[p] for p in doc_pages if p.endswith(("trang-2.md", "trang-3.md")))
    assert "Số, ký hiệu" in pages[f"{home}/index.md"]
    # the pager links each page to the next one
    assert "[Trang sau ›](trang-2.md)" in pages[f"{home}/index.md"]
    assert "[‹ Trang trước](index.md)" in pages[f"{home}/trang-2.md"]
    # anchors stay unique across the pages of one text
    anchors = re.findall(r"\{#([a-z0-9-]+)\}", text)
    assert len(anchors) == len(set(anchors))


def test_a_long_template_outline_links_to_the_page_of_each_section():
    pages = _pages(_long_document())
    home = "van-ban/2019/uy-ban-nhan-dan-tinh-ha-tinh/12-hd-ubnd"
    parts = sorted(p for p in pages if p.startswith(f"{home}/mau-bao-cao") and p.endswith(".md"))
    assert len(parts) >= 2 and f"{home}/mau-bao-cao/trang-2.md" in parts
    where = {a: p for p in parts for a in re.findall(r"\{#([a-z0-9-]+)\}", pages[p])}
    first = pages[f"{home}/mau-bao-cao.md"]
    links = re.findall(r"\]\(([^)#]*)#([a-z0-9-]+)\)", first)
    assert links
    for target, aid in links:
        expected = "" if where[aid] == f"{home}/mau-bao-cao.md" else where[aid][len(home) + 1:]
        assert target == expected, (aid, target)


def test_a_short_document_stays_one_page():
    pages = _pages(_long_document(sections=2, template=False))
    assert sorted(pages) == ["van-ban/2019/uy-ban-nhan-dan-tinh-ha-tinh/12-hd-ubnd/index.md"]
    assert "Trang sau" not in next(iter(pages.values()))


@pytest.mark.slow
def test_the_site_of_a_long_original_has_small_pages_and_working_links(tmp_path):
    """A 40-page original among the samples, built and put through `mkdocs
    build --strict` (which fails on a link or anchor that does not resolve)."""
    from vnkb.build import build
    from vnkb.site import build_site
    project = project_copy(tmp_path)
    doc = _long_document(sections=30, template=False)
    header = ("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH HÀ TĨNH\tĐộc lập - Tự do - Hạnh phúc\n"
              "Số: 12/HD-UBND\tHà Tĩnh, ngày 01 tháng 03 năm 2019\n\nHƯỚNG DẪN\n"
              "Thực hiện công tác bình đẳng giới năm 2019\n\n")
    (project / "source_docs" / "huong-dan-dai.txt").write_text(header + "\n".join(doc.body) + "\n", encoding="utf-8")
    result = build(project / "source_docs", project / "docs")
    assert not result.failed
    site = project / "site"
    build_site(project, site)
    home = next(p.parent for p in site.glob("van-ban/2019/*/12-hd-ubnd/index.html"))
    parts = sorted(home.glob("trang-*/index.html"))
    assert len(parts) >= 2
    for page in [home / "index.html", *parts]:
        assert page.stat().st_size < 60 * 1024, page
    # the entry of the document it cites 240 times: ENTRY_MENTIONS listed, on pages of the budget too
    entry = next(site.glob("dan-chieu/2018/*/880-qd-ubnd/index.html")).parent
    assert sorted(entry.glob("trang-*/index.html"))
    heavy = [p for p in site.glob("*/**/*.html") if p.stat().st_size >= 60 * 1024 and p.parts[-3:-1] != ("danh-muc",)]
    assert not [p for p in heavy if "van-ban" in p.parts or "dan-chieu" in p.parts], heavy
    html = "".join(p.read_text(encoding="utf-8").split('<div class="kb-search-text"')[0] for p in [home / "index.html", *parts])
    assert all(html.count(f"Đoạn {s}.0:") == 1 for s in range(1, 31))
    assert 'href="../trang-2/"' in html or 'href="trang-2/"' in html
