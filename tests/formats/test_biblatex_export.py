"""The biblatex export: biblatex's field names and types, the imported LaTeX unchanged, and the result
compiled with biblatex + biber (0 errors, 0 warnings) on xampl.bib and on the bundled catalogue."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from papershelf.core.model import Paper
from papershelf.formats import biblatex_export, bibtex, bibtex_export
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting, importing
from papershelf.services.library import open_library
from tests.conftest import FIXTURES

needs_biber = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdflatex", "biber")),
    reason="needs biber, texlive-bibtex-extra and texlive-latex-recommended",
)


def one(source: str) -> str:
    """The biblatex entry (UTF-8) for a one-entry .bib, without the header line."""
    result = bibtex.parse(source)
    assert result.errors == []
    return biblatex_export.render(result.papers, {}, BibtexOptions(ascii=False)).text.split("\n", 2)[2]


def test_year_and_month_become_a_date_and_journal_journaltitle() -> None:
    text = one("@article{k, author={Ab, Cd}, title={T}, journal={J. of {\\'E}tudes}, year=2020, month=may,"
               " address={Paris}, archiveprefix={arXiv}, eprint={2001.01234}, primaryclass={cs.LG}}")
    assert text == (
        "@article{k,\n"
        "  author = {Ab, Cd},\n"
        "  title = {T},\n"
        "  eprint = {2001.01234},\n"
        "  eprinttype = {arXiv},\n"
        "  date = {2020-05},\n"
        "  eprintclass = {cs.LG},\n"
        "  journaltitle = {J. of {\\'E}tudes},\n"  # the LaTeX as imported
        "  location = {Paris}\n"
        "}\n"
    )


@pytest.mark.parametrize(("year", "month", "date"), [
    ("2020", "", "2020"), ("2020", "jan", "2020-01"), ("2020", '"10~" # jan', "2020-01-10"),
    ("2020", 'jun # "-" # aug', "2020-06/2020-08"), ("2020", "{11}", "2020-11"),
])
def test_date_forms(year: str, month: str, date: str) -> None:
    month_field = f", month={month}" if month else ""
    text = one(f"@misc{{k, title={{T}}, year={year}{month_field}}}")
    assert f"  date = {{{date}}}" in text
    assert "year =" not in text
    assert "month =" not in text


def test_a_noopsort_year_is_a_date_sorted_as_the_trick_asked() -> None:
    text = one("@book{k, title={T}, year={{\\noopsort{1973c}}1981}}")
    assert "  date = {1981}" in text
    assert "  sortyear = {1973c}" in text


def test_a_month_biblatex_cannot_date_is_kept_as_written() -> None:
    text = one("@misc{k, title={T}, year=2020, month={Spring}}")
    assert "  year = {2020}" in text
    assert "  month = {Spring}" in text


@pytest.mark.parametrize(("doi", "url"), [("10.48550/arXiv.2101.00001", ""), ("", "https://arxiv.org/abs/2101.00001v2"),
                                          ("", "http://arxiv.org/pdf/2101.00001.pdf")])
def test_arxiv_papers_get_eprint_and_eprinttype(doi: str, url: str) -> None:
    paper = Paper(id="p", key="k", title="T", doi=doi, url=url, year=2021, entry_type="misc")
    text = biblatex_export.render([paper], {}).text
    assert re.search(r"  eprint = \{2101\.00001(v2)?\},\n", text)
    assert "  eprinttype = {arxiv}" in text


@pytest.mark.parametrize(("bibtex_type", "entry", "type_field"), [
    ("phdthesis", "thesis", "phdthesis"), ("mastersthesis", "thesis", "mathesis"),
    ("techreport", "report", "techreport"), ("conference", "inproceedings", None), ("www", "online", None),
])
def test_bibtex_types_become_biblatex_types(bibtex_type: str, entry: str, type_field: str | None) -> None:
    text = one(f"@{bibtex_type}{{k, title={{T}}, school={{U}}, year=2000}}")
    assert text.startswith(f"@{entry}{{k,\n")
    assert ("  type = {" + type_field + "}" in text) if type_field else "type =" not in text
    assert "  institution = {U}" in text  # biblatex's name for a thesis's school


def test_merged_away_keys_are_ids_not_copies() -> None:
    paper = Paper(id="p", key="new2020", title="T", year=2020, aliases=["old2019", "older"], entry_type="misc")
    text = biblatex_export.render([paper], {}, BibtexOptions(aliases="copies")).text
    assert "  ids = {old2019, older}" in text
    assert "@misc{old2019" not in text


def test_the_venue_of_a_catalogue_article_is_its_journaltitle() -> None:
    paper = Paper(id="p", key="k", title="T", venue="Journal of Things & Stuff", year=2020, entry_type="article")
    text = biblatex_export.render([paper], {}).text
    assert "  journaltitle = {Journal of Things \\& Stuff}" in text
    assert "journal =" not in text


def test_crossref_is_spelled_as_the_key_it_names() -> None:
    result = bibtex.parse("@inproceedings{part, title={P}, crossref={WHOLE}}\n"
                          "@proceedings{whole, title={W}, year=1999}\n")
    text = biblatex_export.render(result.papers, {}).text
    assert "  crossref = {whole}" in text


def test_every_field_of_xampl_keeps_its_latex() -> None:
    """Each field value of every entry appears in the biblatex file exactly as the BibTeX export wrote it."""
    papers = bibtex.parse((FIXTURES / "xampl.bib").read_text(encoding="utf-8")).papers
    plain = bibtex_export.render(papers, {}, BibtexOptions(aliases="ids")).text
    renamed = biblatex_export.render(papers, {}).text
    kept = {"author", "title", "booktitle", "editor", "publisher", "note", "pages", "volume", "series", "edition",
            "howpublished", "organization", "chapter", "number", "type"}
    values = re.findall(r"^  (\w+) = (.*?),?$", plain, re.MULTILINE)
    assert len(values) > 150
    for name, value in values:
        if name in kept:
            assert f"  {name} = {value}" in renamed, (name, value)
        if name == "journal":
            assert f"  journaltitle = {value}" in renamed


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=600,
                          check=False)


def compile_with_biber(folder: Path, bib: str) -> str:
    """Typeset every entry of ``bib`` with biblatex and biber; returns the .bbl. Fails on any error or warning."""
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(
        # safeinputenc: biber writes {\\={P}} back as LaTeX (as P and a combining macron pdflatex cannot set)
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[backend=biber,safeinputenc]{biblatex}\n"
        "\\addbibresource{refs.bib}\n"
        "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n", encoding="ascii")
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    first = run(folder, *latex)
    assert first.returncode == 0, first.stdout[-3000:]
    biber = run(folder, "biber", "doc")
    assert biber.returncode == 0, biber.stdout[-3000:]
    assert "WARN" not in biber.stdout, biber.stdout
    assert "ERROR" not in biber.stdout, biber.stdout
    for _ in range(2):
        again = run(folder, *latex)
        assert again.returncode == 0, again.stdout[-3000:]
    log = (folder / "doc.log").read_text(errors="replace")
    assert not re.search(r"^! ", log, re.MULTILINE), log[-3000:]
    assert "Warning" not in log.replace("infwarerr", ""), [line for line in log.splitlines() if "Warning" in line]
    return (folder / "doc.bbl").read_text(encoding="utf-8")


@needs_biber
@pytest.mark.parametrize("ascii", [True, False])
def test_xampl_compiles_with_biber_without_a_warning(ascii: bool, tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib", seed=False)
    importing.import_file(library, FIXTURES / "xampl.bib")
    result = exporting.export(library, "biblatex", bibtex_options=BibtexOptions(ascii=ascii))
    bbl = compile_with_biber(tmp_path, result.text)
    assert bbl.count("\\entry{") == len(library)
    assert "{1973c}" in bbl  # the \\noopsort trick as biblatex's sortyear
    assert "\\field{journaltitle}{\\mbox{G-Animal's} Journal}" in bbl  # the journal's LaTeX as imported


@needs_biber
def test_the_bundled_catalogue_compiles_with_biber_without_a_warning(tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib")
    assert len(library) > 800
    result = exporting.export(library, "biblatex")
    bbl = compile_with_biber(tmp_path, result.text)
    assert bbl.count("\\entry{") == len(library)
    assert "\\field{year}{2021}" in bbl  # biber read every date


def test_a_biblatex_export_imports_back_with_its_dates_and_journals() -> None:
    """Papershelf reads its own biblatex files: the year from ``date``, the venue from ``journaltitle``."""
    source = bibtex.parse((FIXTURES / "xampl.bib").read_text(encoding="utf-8")).papers
    back = {p.key: p for p in bibtex.parse(biblatex_export.render(source, {}).text).papers}
    for paper in source:
        again = back[paper.key]
        assert (again.title, again.authors, again.venue, again.doi, again.url) == (
            paper.title, paper.authors, paper.venue, paper.doi, paper.url), paper.key
        if paper.year is not None and "year" not in paper.fields:  # a plain year (not a \noopsort trick)
            assert again.year == paper.year, paper.key
    # and the biblatex file of that import is the same file: nothing drifts on a second trip
    assert biblatex_export.render(list(back.values()), {}).text == biblatex_export.render(source, {}).text
