"""BibTeX import: the real NeurIPS 2020 proceedings file, a hand-written nasty file, and the library's merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.formats import bibtex
from papershelf.formats.common import ParseResult
from papershelf.services.importing import import_file, parse_file

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def neurips() -> ParseResult:
    return bibtex.parse((FIXTURES / "neurips2020.bib").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nasty() -> ParseResult:
    return bibtex.parse((FIXTURES / "nasty.bib").read_text(encoding="utf-8"))


def by_key(result: ParseResult, key: str) -> Paper:
    (paper,) = [p for p in result.papers if p.key == key]
    return paper


# -- the real proceedings file ---------------------------------------------------------------------------


def test_neurips_gives_1898_papers_without_problems(neurips: ParseResult) -> None:
    assert len(neurips.papers) == 1898
    # Three titles have a bare "&", a LaTeX error in the file itself: imported, and said.
    assert [(p.line, p.key, p.severity) for p in neurips.problems] == [
        (3585, "NEURIPS2020_1fd09c5f", "warning"), (5039, "NEURIPS2020_2cfa3753", "warning"),
        (10833, "NEURIPS2020_68d37435", "warning"),
    ]
    assert all("bare &" in p.reason for p in neurips.problems)
    assert len({p.key for p in neurips.papers}) == 1898
    assert {(p.entry_type, p.year, p.venue) for p in neurips.papers} == {
        ("inproceedings", 2020, "Advances in Neural Information Processing Systems")
    }
    assert all(p.title and p.authors and p.url.startswith("https://proceedings.neurips.cc/") for p in neurips.papers)
    assert neurips.lines[:3] == [1, 15, 29]


def test_neurips_entry_field_by_field(neurips: ParseResult) -> None:
    paper = by_key(neurips, "NEURIPS2020_0060ef47")
    assert paper.title == "Self-Supervised MultiModal Versatile Networks"
    assert paper.authors == [
        "Jean-Baptiste Alayrac", "Adria Recasens", "Rosalia Schneider", "Relja Arandjelović", "Jason Ramapuram",
        "Jeffrey De Fauw", "Lucas Smaira", "Sander Dieleman", "Andrew Zisserman",
    ]
    assert paper.year == 2020
    assert paper.url == "https://proceedings.neurips.cc/paper/2020/file/0060ef47b12160b9198302ebdb144dcf-Paper.pdf"
    assert paper.doi == ""
    assert paper.fields["pages"] == "25--37"
    assert paper.fields["month"] == "12"
    assert paper.fields["publisher"] == "Curran Associates, Inc."
    assert paper.fields["editor"].startswith("Hugo Larochelle and Marc'Aurelio Ranzato and")
    assert paper.fields["address"] == "Online"
    assert paper.fields["booktitle"] == "Advances in Neural Information Processing Systems"
    # Every field keeps its source as read, the mapped ones too ("De Fauw": a two-word last name).
    assert paper.fields["author"].startswith("Alayrac, Jean-Baptiste and Recasens, Adria")
    assert paper.fields["title"] == "Self-Supervised MultiModal Versatile Networks"
    assert set(paper.fields) == {
        "address", "author", "booktitle", "editor", "month", "pages", "publisher", "title", "url", "volume",
    }


def test_neurips_plain_names_and_latex_leftovers(neurips: ParseResult) -> None:
    ok = by_key(neurips, "NEURIPS2020_0004d0b5")
    assert ok.authors == ["Seongmin Ok"]
    assert ok.title == "A graph similarity for deep learning"
    assert ok.fields["author"] == "Ok, Seongmin"  # as read
    (ell,) = [p for p in neurips.papers if p.title.startswith("Transfer Learning via")]
    assert ell.title == "Transfer Learning via ell_1 Regularization"  # "\ ell_1": a control space, then text


def test_importing_neurips_into_a_library(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    summary = import_file(library, FIXTURES / "neurips2020.bib")
    assert (len(summary.imported), summary.failed, summary.renamed) == (1898, 0, [])
    assert len(summary.problems) == 3  # the bare "&"s, see above
    assert library.paper("NEURIPS2020_00482b9b").authors[2] == "Johannes Ballé"
    again = import_file(Library(tmp_path / "lib"), FIXTURES / "neurips2020.bib")
    assert (len(again.imported), len(again.present), again.merged) == (0, 1898, [])


# -- the nasty file --------------------------------------------------------------------------------------


def test_nasty_good_entries_import(nasty: ParseResult) -> None:
    assert [p.key for p in nasty.papers] == [
        "Schoelkopf2020", "corporate", "dblp:child", "DBLP:conf/icml/2020", "after-broken", "no-title", "latex-soup",
    ]
    assert nasty.lines == [10, 19, 27, 34, 46, 57, 66]


def test_nasty_bad_entries_are_reported_with_their_lines(nasty: ParseResult) -> None:
    errors = [(p.line, p.key) for p in nasty.errors]
    assert errors == [(42, "broken-braces"), (52, "schoelkopf2020"), (62, "nocomma")]
    reasons = {p.key: p.reason for p in nasty.errors}
    assert "not closed" in reasons["broken-braces"]
    assert "duplicate key" in reasons["schoelkopf2020"]
    assert "line 10" in reasons["schoelkopf2020"]
    assert "comma" in reasons["nocomma"]
    warnings = {p.key: p.reason for p in nasty.problems if p.severity == "warning"}
    assert "jmlr is not defined" in warnings["corporate"]
    assert "no title; its key is shown instead" in warnings["no-title"]


def test_macros_month_names_and_any_case(nasty: ParseResult) -> None:
    paper = by_key(nasty, "Schoelkopf2020")
    assert paper.entry_type == "inproceedings"
    assert paper.title == "Causal Inference: 100% BERT and øther things"  # quoted value, unescaped %
    assert paper.authors == ["Bernhard Schölkopf", "Julius von Kügelgen", "Émile Zola", "Jean-Baptiste Alayrac"]
    assert paper.venue == "Advances in Neural Information Processing Systems"  # @string macro
    assert paper.year == 2020
    assert paper.doi == "10.1000/xyz_123"
    assert paper.fields["booktitle"] == "Advances in Neural Information Processing Systems"
    assert paper.fields["month"] == "dec"
    assert paper.fields["title"] == "{Causal} Inference: 100% {BERT} and {\\o}ther things"  # as read, quotes gone
    # The file's @preamble and @string definitions go with each of its papers, to be exported again.
    assert paper.fields["@preamble"] == "@preamble{{\\newcommand{\\noopsort}[1]{}}}"
    assert paper.fields["@string"].startswith("@string{nips = {Advances in Neural Information Processing Systems}}")
    corporate = by_key(nasty, "corporate")
    assert corporate.authors == ["Société Générale", "The GPT Team", "others"]
    assert corporate.fields["author"].startswith("{Soci{\\'e}t{\\'e} G{\\'e}n{\\'e}rale}")
    assert corporate.fields["month"] == "January~1"  # jan # "~1": concatenated, the macro spelled out
    assert corporate.fields["journal"] == "Journal of jmlr"


def test_crossref_fills_the_child_and_keeps_the_link(nasty: ParseResult) -> None:
    child = by_key(nasty, "dblp:child")
    assert child.venue == "Proceedings of the 37th International Conference on Machine Learning"
    assert child.year == 2020
    assert child.fields["publisher"] == "PMLR"
    assert child.fields["month"] == "jul"
    assert child.fields["editor"] == "Hal {Daum\\'e III} and Aarti Singh"
    assert child.fields["crossref"] == "DBLP:conf/icml/2020"  # exported when that entry is, else filled in
    assert child.fields["@inherited"] == "booktitle editor month publisher year"
    assert child.authors == ["Ludwig van Beethoven", "Jeffrey De Fauw", "John Smith, Jr."]


def test_latex_is_decoded_for_display(nasty: ParseResult) -> None:
    soup = by_key(nasty, "latex-soup")
    assert soup.title == "The Naïve $\\ell_2$-norm — & Caça “quoted” ß 50% #1 Łódź ñ Škoda Nguyễn"
    assert soup.authors == ["Zdeněk Dvořák", "Łukasz Kaiser", "Vãn Nguyễn"]
    assert soup.abstract == "First paragraph, with 100% of an unescaped percent.\n\nSecond paragraph."
    assert soup.url == "https://example.org/a_b?x=1"
    assert soup.fields["keywords"] == "causality, {BERT}"  # other fields stay raw


def test_crlf_and_bom_read_the_same(tmp_path: Path, nasty: ParseResult) -> None:
    text = (FIXTURES / "nasty.bib").read_text(encoding="utf-8")
    path = tmp_path / "windows.bib"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = parse_file(path)
    assert [(p.key, p.title, p.authors, p.abstract) for p in result.papers] == [
        (p.key, p.title, p.authors, p.abstract) for p in nasty.papers
    ]
    assert [(p.line, p.key) for p in result.problems] == [(p.line, p.key) for p in nasty.problems]


def test_latin1_file_imports_with_a_warning(tmp_path: Path) -> None:
    result = parse_file(FIXTURES / "latin1.bib")
    (paper,) = result.papers
    assert paper.authors == ["Jürgen Müller"]
    assert paper.title == "Über Straßen und Plätze"
    (warning,) = result.problems
    assert warning.severity == "warning"
    assert "Latin-1" in warning.reason


def test_a_bad_entry_never_raises() -> None:
    garbage = "@article{a, title = {x}\n@@@\n@misc{b,, title = {y}}\n@book{c, title = {z} year = 1}\n}}}}\n@article{"
    result = bibtex.parse(garbage)
    assert all(p.line >= 1 for p in result.problems)
    assert result.errors


@pytest.mark.parametrize("text", [
    "garbage\n",
    "This is not a bibliography.\nSecond line, still prose; {braces} and = signs.\n",
    "\ufeff%% only a comment\n",
])
def test_a_file_with_no_entry_says_so_at_line_1(text: str) -> None:
    result = bibtex.parse(text)
    assert result.papers == []
    assert [(p.line, p.severity) for p in result.problems] == [(1, "error")]
    assert "no BibTeX entries found" in result.problems[0].reason


@pytest.mark.parametrize("text", [
    "@comment{jabref-meta: databaseType:bibtex;}\n",
    "@string{jmlr = {Journal of Machine Learning Research}}\n",
    "@preamble{{\\newcommand{\\noopsort}[1]{}}}\n",
])
def test_a_bibtex_file_without_entries_is_a_warning_not_a_failure(text: str) -> None:
    """A strings file (journals.bib) or a JabRef file with only its metadata is BibTeX with nothing to
    import: said, but it is no failed import."""
    result = bibtex.parse(text)
    assert result.papers == []
    assert [(p.line, p.severity) for p in result.problems] == [(1, "warning")]
    assert "nothing to import" in result.problems[0].reason


@pytest.mark.parametrize("text", ["", "\n  \n\t\n"])
def test_an_empty_file_is_no_problem(text: str) -> None:
    assert bibtex.parse(text).problems == []


def test_a_file_whose_entries_all_fail_names_each_not_just_none_found() -> None:
    result = bibtex.parse("@article{a, title = {x}\n@@@\n@article{")
    assert result.papers == []
    assert result.problems
    assert not any("no BibTeX entries found" in p.reason for p in result.problems)


# -- merging into the library ----------------------------------------------------------------------------


def test_duplicates_of_library_papers_are_merged(iclr_library_dir: Path, tmp_path: Path) -> None:
    library = Library(iclr_library_dir)
    iclr = library.paper("mueller2021certify")
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@inproceedings{Mueller21,\n"
        f"  title = {{{iclr.title.upper()}}},\n"  # same normalised title, first author's last name, year
        "  author = {Mueller, Mark Niklas},\n"
        "  year = 2021, doi = {10.5555/certify}, pages = {1--20}\n}\n"
        "@article{arxiv1, title = {A preprint}, author = {Doe, Jane}, year = 2020,\n"
        "  journal = {arXiv preprint arXiv:2001.00001}}\n"
        "@misc{arxiv2, title = {A preprint, v2 title}, author = {Doe, Jane}, year = 2020,\n"
        "  eprint = {2001.00001}, archivePrefix = {arXiv}, url = {https://arxiv.org/abs/2001.00001}}\n",
        encoding="utf-8",
    )
    summary = import_file(library, bib)
    # two entries of one file are never merged: arxiv2 is offered as a suspected duplicate instead
    assert summary.imported == ["arxiv1", "arxiv2"]
    assert summary.merged == [("Mueller21", "mueller2021certify")]
    assert summary.suspected == [("arxiv2", "arxiv1")]
    merged = library.paper("mueller2021certify")
    assert merged.id == iclr.id
    assert merged.title == iclr.title
    assert merged.authors == iclr.authors
    assert merged.doi == "10.5555/certify"
    assert merged.fields["pages"] == "1--20"
    assert merged.fields["booktitle"] == "International Conference on Learning Representations"
    assert library.paper("Mueller21").id == iclr.id  # the merged-away key is an alias
    reopened = Library(iclr_library_dir)
    assert reopened.paper("mueller2021certify").doi == "10.5555/certify"
    again = import_file(reopened, bib)
    assert (again.imported, again.merged, len(again.present)) == ([], [], 3)


def test_taken_key_is_renamed_and_said(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    bib = tmp_path / "a.bib"
    bib.write_text("@article{smith2020, title = {First}, author = {Smith, A}, year = 2020}\n", encoding="utf-8")
    import_file(library, bib)
    bib.write_text("@article{smith2020, title = {Second}, author = {Smith, B}, year = 2020}\n", encoding="utf-8")
    summary = import_file(library, bib)
    assert summary.renamed == [("smith2020", "smith2020a")]
    assert library.paper("smith2020a").title == "Second"


def test_an_unbraced_double_quote_inside_a_quoted_value_is_reported_and_kept_as_written() -> None:
    """BibTeX ends "..." at an unbraced double quote: `" \\"o C"` is a broken value, not an umlaut."""
    from papershelf.formats import bibtex_export

    source = ('@string{jmlr = {Deep}}\n\n@article{x,\n  author = {Smith, Jane},\n'
              '  journal = jmlr # " \\"o C\\#",\n  year = 2020\n}\n')
    result = bibtex.parse(source)
    [problem] = [p for p in result.problems if "must be in braces" in p.reason]
    assert (problem.key, problem.line) == ("x", 3)  # the entry, as for its other value problems
    [paper] = result.papers
    assert paper.fields["journal"] == 'jmlr # " \\"o C\\#"'  # what the file says, not a guess
    exported = bibtex_export.render(result.papers, {}, bibtex_export.BibtexOptions(ascii=False)).text
    again = bibtex.parse(exported)
    assert again.errors == []
    assert [p.key for p in again.papers] == ["x"]
