"""Where to read a paper: its own links from real records, and title searches for the bundled ICLR papers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from papershelf.core.model import Paper
from papershelf.core.resources import data_dir
from papershelf.formats import biblatex_export, bibtex, paperlist
from papershelf.services.links import arxiv_id, best_link, is_web_address, own_links, reading_links, search_links

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def iclr() -> dict[str, Paper]:
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    return {p.title: p for p in paperlist.parse(text, venue="ICLR", year=2021).papers}


@pytest.fixture(scope="module")
def neurips() -> list[Paper]:
    return bibtex.parse((FIXTURES / "neurips2020.bib").read_text(encoding="utf-8")).papers


def _query(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


def test_every_bundled_iclr_paper_gets_find_it_links_built_from_its_title(iclr: dict[str, Paper]) -> None:
    assert len(iclr) > 800
    for paper in iclr.values():
        assert own_links(paper) == []  # the catalogue has no link at all
        links = reading_links(paper)
        assert [link.kind for link in links] == ["openreview", "arxiv-search", "semantic-scholar", "scholar"]
        assert all(link.is_search and is_web_address(link.url) for link in links)
    paper = iclr["Certify or Predict: Boosting Certified Robustness with Compositional Architectures"]
    openreview, arxiv, semantic, scholar = reading_links(paper)
    assert urlsplit(openreview.url).hostname == "openreview.net"
    assert _query(openreview.url, "term") == paper.title
    assert _query(arxiv.url, "query") == paper.title
    assert _query(arxiv.url, "searchtype") == "title"
    assert _query(semantic.url, "q") == paper.title
    assert _query(scholar.url, "q") == f'"{paper.title}"'  # the exact title, not its words anywhere
    assert best_link(paper) == openreview


def test_a_title_with_reserved_characters_survives_the_query_string(iclr: dict[str, Paper]) -> None:
    tricky = [p for p in iclr.values() if any(c in p.title for c in "&?#+%:")]
    assert tricky
    for paper in tricky:
        for link in search_links(paper):
            query = parse_qs(urlsplit(link.url).query)
            assert " ".join(paper.title.split()) in "".join(v[0] for v in query.values())


def test_a_paper_from_another_venue_is_not_searched_on_openreview(neurips: list[Paper]) -> None:
    paper = neurips[0]
    assert [link.kind for link in search_links(paper)] == ["arxiv-search", "semantic-scholar", "scholar"]


def test_a_proceedings_record_opens_its_own_url_and_shows_no_searches(neurips: list[Paper]) -> None:
    for paper in neurips[:50]:
        links = reading_links(paper)
        assert [link.kind for link in links] == ["url"]
        assert links[0].url == paper.url
        assert links[0].label == "proceedings.neurips.cc"
        assert best_link(paper) == links[0]


ENTRIES = r"""
@article{withdoi, title = {A}, author = {B, C}, year = 2020, doi = {10.1000/xyz(1)}}
@misc{eprint, title = {A}, author = {B, C}, eprint = {2101.00001v2}, archiveprefix = {arXiv}}
@article{journal, title = {A}, author = {B, C}, journal = {arXiv preprint arXiv:1706.03762}}
@misc{oldstyle, title = {A}, author = {B, C}, note = {arXiv:hep-th/9901001}}
@misc{arxivdoi, title = {A}, author = {B, C}, doi = {10.48550/arXiv.2203.01234}}
@misc{absurl, title = {A}, author = {B, C}, url = {https://arxiv.org/abs/1312.6114}}
@misc{unsafe, title = {A}, author = {B, C}, url = {javascript:alert(1)}}
@misc{other, title = {A}, author = {B, C}, eprint = {hal-01234}, archiveprefix = {HAL}}
"""


def test_doi_and_arxiv_links_come_from_the_fields_that_name_them() -> None:
    papers = {p.key: p for p in bibtex.parse(ENTRIES).papers}
    assert [(link.kind, link.url) for link in own_links(papers["withdoi"])] == [
        ("doi", "https://doi.org/10.1000/xyz(1)")]
    assert arxiv_id(papers["eprint"]) == "2101.00001v2"
    assert [link.url for link in own_links(papers["eprint"])] == ["https://arxiv.org/abs/2101.00001v2"]
    assert arxiv_id(papers["journal"]) == "1706.03762"
    assert arxiv_id(papers["oldstyle"]) == "hep-th/9901001"
    assert [link.kind for link in own_links(papers["arxivdoi"])] == ["doi", "arxiv"]
    assert arxiv_id(papers["arxivdoi"]) == "2203.01234"
    # The URL is already the arXiv page: it is not offered twice.
    assert [link.kind for link in own_links(papers["absurl"])] == ["url"]
    # A javascript: URL is not a link; the paper gets the title searches instead.
    assert own_links(papers["unsafe"]) == []
    assert reading_links(papers["unsafe"])[0].kind == "arxiv-search"
    assert arxiv_id(papers["other"]) == ""


def test_a_paper_without_a_title_has_nothing_to_search_for() -> None:
    assert search_links(Paper(id="x", key="k", title="  ")) == []
    assert best_link(Paper(id="x", key="k", title="")) is None


@pytest.mark.parametrize(("doi", "url", "expected"), [
    ("10.48550/arXiv.2101.00001", "", "2101.00001"),
    ("10.48550/arxiv.2101.00001v2", "", "2101.00001v2"),
    ("10.48550/arXiv.hep-th/9901001", "", "hep-th/9901001"),
    ("10.48550/arXiv.cs.LG/0101001", "", "cs.LG/0101001"),
    ("", "https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001v3"),
    ("10.1145/3368089.3409740", "", ""),
    ("10.48550/arXiv.2101.00001.extra", "", ""),
])
def test_the_links_and_the_biblatex_eprint_read_the_same_arxiv_id(doi: str, url: str, expected: str) -> None:
    """One spelling of an arXiv id: the paper's arXiv page and its biblatex eprint name the same paper."""
    paper = Paper(id="p", key="k", title="T", doi=doi, url=url, year=2021, entry_type="misc")
    assert arxiv_id(paper) == expected
    assert biblatex_export.as_biblatex(paper).fields.get("eprint", "") == expected
