"""Matching a PDF to its paper: arXiv ids, DOIs, and a title without its authors (the accuracy test over
250 PDFs is tests/cli/test_match_pdfs.py)."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.services.pdfmatch import PdfMatcher, match_folder, read_pdf
from tests.helpers.pdfs import Page, catalogue_papers, split, typeset


def test_an_arxiv_id_in_the_name_or_on_the_page_is_enough(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.import_papers([
        Paper(id="", key="vaswani2017attention", title="Attention Is All You Need", authors=["Ashish Vaswani"],
              year=2017, fields={"eprint": "1706.03762", "archiveprefix": "arXiv"}),
        Paper(id="", key="he2016deep", title="Deep Residual Learning", authors=["Kaiming He"], year=2016,
              doi="10.1109/CVPR.2016.90"),
    ])
    book = typeset([
        Page("Something Else Entirely", ["Nobody"], "Text.", header="arXiv:1706.03762v7 [cs.CL] 2 Aug 2023"),
        Page("A Retitled Preprint", ["Nobody"], "Text."),
        Page("Deep Residual Learning", ["Someone"], "See doi 10.1109/CVPR.2016.90 for the final version."),
    ], tmp_path)
    stamped, named, with_doi = split(book, ["a.pdf", "1706.03762v2.pdf", "c.pdf"], tmp_path / "in")
    matcher = PdfMatcher(library)
    for path, key, how in ((stamped, "vaswani2017attention", "arxiv"), (named, "vaswani2017attention", "arxiv"),
                           (with_doi, "he2016deep", "doi")):
        result = matcher.match(read_pdf(path))
        assert result.confident
        assert (library.papers[result.paper_id or ""].key, result.how) == (key, how)


def test_a_title_without_its_authors_is_unsure_and_offered_as_a_candidate(tmp_path: Path) -> None:
    papers = catalogue_papers()[:5]
    library = Library(tmp_path / "library")
    library.import_papers(papers)
    book = typeset([Page(papers[0].title, ["Somebody Unknown"], papers[0].abstract)], tmp_path)
    result = match_folder(library, [book])[0]
    assert not result.confident
    assert result.paper_id is None
    expected = next(pid for pid, paper in library.papers.items() if paper.title == papers[0].title)
    assert result.candidates[0] == (expected, 0.8)
    assert result.how == "title"
