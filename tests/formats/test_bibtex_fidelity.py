"""Issue 20's points, one by one, on the hand-written tests/fixtures/fidelity.bib.

What came in as LaTeX goes out as the same LaTeX; the import says what it repaired. (That the export
typesets the same is tests/formats/test_bibtex_typeset.py; that it compiles with each style is
tests/e2e/test_latex_compile.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.formats import bibtex, bibtex_export
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.formats.common import ParseResult
from papershelf.services import exporting, importing

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def parsed() -> ParseResult:
    return bibtex.parse((FIXTURES / "fidelity.bib").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported(parsed: ParseResult) -> str:
    return bibtex_export.render(parsed.papers, {}).text


def entry_of(text: str, key: str) -> str:
    start = text.index("{" + key + ",\n")
    return text[start : text.index("\n}\n", start) + 1]


def by_key(result: ParseResult, key: str) -> bibtex.Paper:
    (paper,) = [p for p in result.papers if p.key == key]
    return paper


def test_nothing_fails_and_every_problem_has_its_line(parsed: ParseResult) -> None:
    assert parsed.errors == []
    assert [(p.line, p.key) for p in parsed.problems] == [
        (9, ""), (12, "missing-comma"), (17, "Algazi93"), (53, "dolphins"), (83, "bare-ampersand"),
        (83, "bare-ampersand"), (91, "macro-concat"),
    ]
    assert len(parsed.papers) == 12


def test_1_missing_comma_is_recovered_and_reported(parsed: ParseResult, exported: str) -> None:
    (problem,) = [p for p in parsed.problems if p.key == "missing-comma"]
    assert problem.reason == "a comma is missing after the field title; the next line was read as the field author"
    paper = by_key(parsed, "missing-comma")
    assert (paper.title, paper.authors, paper.year) == ("Recovered Fields After a Missing Comma", ["Some Nobody"], 2021)
    assert "  author = {Nobody, Some},\n  title = {Recovered Fields After a Missing Comma},\n" in exported


def test_2_entry_without_title_is_kept(parsed: ParseResult, exported: str) -> None:
    paper = by_key(parsed, "Algazi93")
    assert paper.title == "Algazi93"  # shown where the title would be
    assert paper.venue == "IEEE Transactions on Signal Processing"
    assert "title" not in entry_of(exported, "Algazi93")  # and not written as one
    assert not any("Algazi93" in note for note in bibtex_export.render(parsed.papers, {}).notes)


def test_4_braces_are_kept_exactly_and_none_are_added(exported: str) -> None:
    assert "  title = {{Markov} Chains, {Parkinson's} Disease and {F}rench Speakers},\n" in exported
    assert "  title = {{A Whole Title Kept Exactly As Written}},\n" in exported
    assert "  title = {POLITEX: Regret Bounds for Policy Iteration using Expert Prediction},\n" in exported
    assert "  title = {A Fast, Provably convergent IRLS Algorithm for p-norm Linear Regression},\n" in exported
    assert "  author = {Smith, Jane and {\\relax Ch}ristiansen, Ole},\n" in exported


def test_4_text_that_never_was_latex_braces_only_what_styles_would_lower_case(parsed: ParseResult) -> None:
    paper = by_key(parsed, "politex")
    paper.title = "POLITEX: Regret Bounds for Policy Iteration using ReLUs and GANs"  # edited in the app
    text = bibtex_export.render([paper], {}).text
    assert "  title = {{POLITEX}: Regret Bounds for Policy Iteration using {ReLUs} and {GAN}s},\n" in text


def test_5_markup_is_kept(exported: str) -> None:
    assert "consortships ({\\em Tursiops truncatus})},\n" in exported
    assert "\\emph{Shark Bay}; 100\\% of \\textit{sightings} logged." in exported
    # ASCII mode: ∞ inside math in its math form; the rest as written.
    assert "  title = {The phonology of \\textipa{/T/} and $\\ell_{\\infty}$ bounds in $O(n^2)$ time},\n" in exported
    # A decomposed accent (e + U+0301) is joined and written as the accent command.
    assert "  author = {Paul {\\={P}}ot and C\\'{e}line Dion and C{\\'e}line Decomposed and Jordi Urp{\\'i}},\n" in (
        exported
    )
    assert "  title = {Accents: {\\=P}, {\\'e}, \\c{c}, {\\\"o} and {\\ss}},\n" in exported


@pytest.mark.parametrize("ascii", [True, False], ids=["ascii", "utf8"])
def test_6_export_import_export_is_byte_identical(parsed: ParseResult, ascii: bool) -> None:
    first = bibtex_export.render(parsed.papers, {}, BibtexOptions(ascii=ascii)).text
    again = bibtex_export.render(bibtex.parse(first).papers, {}, BibtexOptions(ascii=ascii)).text
    assert again == first


@pytest.mark.parametrize("ascii", [True, False], ids=["ascii", "utf8"])
def test_6_through_libraries_on_disk_too(tmp_path: Path, ascii: bool) -> None:
    options = BibtexOptions(ascii=ascii)
    first_library = Library(tmp_path / "first")
    importing.import_file(first_library, FIXTURES / "fidelity.bib")
    reopened = Library(tmp_path / "first")  # the papers as stored, read back
    first = exporting.render(reopened, exporting.select(reopened), "bibtex", bibtex_options=options).text
    (tmp_path / "export.bib").write_text(first, encoding="utf-8")
    second_library = Library(tmp_path / "second")
    importing.import_file(second_library, tmp_path / "export.bib")
    second = exporting.render(second_library, exporting.select(second_library), "bibtex", bibtex_options=options)
    assert second.text == first


def test_7_preamble_and_strings_are_exported(exported: str) -> None:
    header = exported[: exported.index("\n@article{")]
    assert '@preamble{{\\newcommand{\\noopsort}[1]{} \\providecommand{\\textipa}[1]{#1}}}\n' in header
    assert "@string{pp = {Perception \\& Psychophysics}}\n" in header  # repaired like a field
    assert "@string{ieeetsp = {IEEE Transactions on Signal Processing}}\n" in header
    assert '  year = {{\\noopsort{1973c}}1981}\n' in entry_of(exported, "noopsort")


def test_7_unreadable_comment_is_a_warning(parsed: ParseResult) -> None:
    (problem,) = [p for p in parsed.problems if p.line == 9]
    assert (problem.severity, problem.reason) == ("warning", "an @comment with an unbalanced brace was skipped")


def test_8_bare_ampersand_is_escaped_and_said(parsed: ParseResult) -> None:
    result = bibtex_export.render(parsed.papers, {})
    assert "  journal = {Perception \\& Psychophysics},\n" in entry_of(result.text, "bare-ampersand")
    assert "  note = {Reprinted, 50\\% smaller}\n" in entry_of(result.text, "bare-ampersand")
    assert "  url = {https://example.org/a_b#c}\n" in entry_of(result.text, "macro-concat")  # a URL is no LaTeX
    (note,) = [n for n in result.notes if "bare &" in n]
    assert note.startswith("3 entries had a bare &, % or # (a LaTeX error), written escaped")
    warnings = [p.reason for p in parsed.problems if p.key == "bare-ampersand"]
    assert warnings == [f"the field {name} has a bare & % or # (a LaTeX error); the export escapes it"
                        for name in ("journal", "note")]


def test_9_fields_an_entry_came_with_are_exported_by_default(parsed: ParseResult, exported: str) -> None:
    assert "An abstract is exported by default." in entry_of(exported, "dolphins")
    assert "  edition = {Second},\n" in entry_of(exported, "noopsort")
    stripped = bibtex_export.render(parsed.papers, {}, BibtexOptions(abstract=False)).text
    assert "abstract" not in stripped


def test_1_two_missing_commas_in_one_entry() -> None:
    text = (
        "@article{two,\n"
        "  title = {First}\n"
        "  author = {Doe, Jane}\n"
        "  journal = {Third},\n"
        "  year = 2020}\n"
    )
    result = bibtex.parse(text)
    (paper,) = result.papers
    assert (paper.title, paper.authors, paper.venue, paper.year) == ("First", ["Jane Doe"], "Third", 2020)
    assert [(p.line, p.reason.split(";")[0]) for p in result.problems] == [
        (2, "a comma is missing after the field title"), (3, "a comma is missing after the field author"),
    ]
