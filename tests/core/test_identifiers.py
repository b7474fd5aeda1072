"""One reading of a paper's arXiv id, used by duplicates, links and the biblatex export alike."""

from __future__ import annotations

import pytest

from papershelf.core.duplicates import identities
from papershelf.core.identifiers import arxiv_id, arxiv_paper
from papershelf.core.model import Paper
from papershelf.formats.biblatex_export import as_biblatex
from papershelf.services import links

# (doi, url, fields, the id as written, or "" for none)
SPELLINGS: list[tuple[str, str, dict[str, str], str]] = [
    ("", "", {"eprint": "2101.00001"}, "2101.00001"),
    ("", "", {"eprint": "2101.00001v2", "archiveprefix": "arXiv"}, "2101.00001v2"),
    ("", "", {"eprint": "arXiv:2101.00001", "eprinttype": "arxiv"}, "2101.00001"),
    ("", "", {"eprint": "cs.LG/0101001", "eprinttype": "arxiv"}, "cs.LG/0101001"),
    ("", "", {"eprint": "hdl:1721.1/1234", "eprinttype": "hdl"}, ""),
    ("", "", {"eprint": "2101.00001", "archiveprefix": "HAL"}, ""),
    ("10.48550/arXiv.2101.00001", "", {}, "2101.00001"),
    ("10.48550/arxiv.hep-th/9901001v2", "", {}, "hep-th/9901001v2"),
    ("10.48550/arXiv.2101.00001.extra", "", {}, ""),
    ("", "https://arxiv.org/abs/2101.00001", {}, "2101.00001"),
    ("", "http://arxiv.org/abs/2101.00001v3", {}, "2101.00001v3"),
    ("", "https://arxiv.org/pdf/2101.00001.pdf", {}, "2101.00001"),
    ("", "https://arxiv.org/pdf/2101.00001v2", {}, "2101.00001v2"),
    ("", "https://export.arxiv.org/abs/hep-th/9901001", {}, "hep-th/9901001"),
    ("", "https://www.arxiv.org/abs/1312.6114/", {}, "1312.6114"),
    ("", "https://example.org/?ref=arxiv.org/abs/2101.00001", {}, ""),
    ("", "https://arxiv.org/abs/2101.00001/extra", {}, ""),
    ("", "", {"journal": "CoRR", "volume": "abs/1706.03762"}, "1706.03762"),
    ("", "", {"journal": "CoRR", "volume": "1706.03762"}, "1706.03762"),
    ("", "", {"journal": "Physics Letters", "volume": "abs/1706.03762"}, ""),
    ("", "", {"journal": "arXiv preprint arXiv:1706.03762"}, "1706.03762"),
    ("", "", {"journal": "arXiv preprint arXiv:1706.03762v5"}, "1706.03762v5"),
    ("", "", {"note": "arXiv:hep-th/9901001"}, "hep-th/9901001"),
    ("", "", {"howpublished": "arXiv 2203.01234"}, "2203.01234"),
    ("", "", {"journal": "Journal of Machine Learning Research", "volume": "21"}, ""),
    ("10.1145/3368089.3409740", "https://dl.acm.org/doi/10.1145/3368089.3409740", {}, ""),
]


def paper(doi: str, url: str, fields: dict[str, str]) -> Paper:
    return Paper(id="p", key="k", title="T", doi=doi, url=url, fields=dict(fields))


@pytest.mark.parametrize(("doi", "url", "fields", "expected"), SPELLINGS)
def test_arxiv_id_reads_every_spelling(doi: str, url: str, fields: dict[str, str], expected: str) -> None:
    assert arxiv_id(paper(doi, url, fields)) == expected


@pytest.mark.parametrize(("doi", "url", "fields", "expected"), SPELLINGS)
def test_links_duplicates_and_biblatex_agree_on_the_id(
    doi: str, url: str, fields: dict[str, str], expected: str
) -> None:
    record = paper(doi, url, fields)
    assert links.arxiv_id(record) == expected
    found = [i.removeprefix("arxiv:") for i in identities(record) if i.startswith("arxiv:")]
    assert found == ([arxiv_paper(expected)] if expected else [])
    if "eprint" not in fields:  # a record's own eprint is kept as it is
        exported = as_biblatex(record).fields
        assert exported.get("eprint", "") == expected
        assert exported.get("eprinttype", "") == ("arxiv" if expected else "")


def test_versions_and_case_name_one_paper() -> None:
    assert arxiv_paper("2101.00001v12") == "2101.00001"
    assert arxiv_paper("cs.LG/0101001v1") == "cs.lg/0101001"
    assert arxiv_paper("1312.6114") == "1312.6114"
