"""BibTeX -> CSL-JSON -> import -> BibTeX keeps what a reference is made of.

A paper exported to BibTeX and read back (the papers of tests/formats/test_bibtex_roundtrip.py: any
Unicode and the characters BibTeX markup is made of) goes out as CSL-JSON, is imported from it, and
exported to BibTeX again: read back, its authors, title, year, venue (booktitle, journal or
howpublished), entry type, DOI, URL and abstract are what the first BibTeX said. Titles with ``$...$``
math are left out: CSL is not LaTeX, and math goes to CSL as the text it reads as (``$\\alpha$`` -> α).
The CSL-JSON itself comes back the same when imported and exported again.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from papershelf.core.model import Paper
from papershelf.formats import bibtex, bibtex_export, csljson
from papershelf.formats.bibtex_export import BibtexOptions
from tests.formats.test_bibtex_roundtrip import papers


def through_bibtex(paper: Paper) -> Paper:
    result = bibtex.parse(bibtex_export.render([paper], {}, BibtexOptions(ascii=False)).text)
    assert result.errors == []
    (back,) = result.papers
    return back


def venue_of(paper: Paper) -> str:
    fields = paper.fields
    return fields.get("booktitle") or fields.get("journal") or fields.get("howpublished") or ""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers().filter(lambda p: p.title.count("$") < 2))
def test_bibtex_to_csl_json_and_back_keeps_the_reference(paper: Paper) -> None:
    first = through_bibtex(paper)
    text = csljson.render([first], {}).text
    imported = csljson.parse(text)
    assert imported.errors == []
    (from_csl,) = imported.papers
    again = through_bibtex(from_csl)
    assert again.key == first.key
    assert again.authors == first.authors
    assert again.title == first.title
    assert again.year == first.year
    assert again.venue == first.venue
    assert bool(venue_of(again)) == bool(venue_of(first))
    assert again.entry_type == first.entry_type
    assert (again.doi, again.url) == (first.doi, first.url)
    assert again.abstract == first.abstract
    assert csljson.render([from_csl], {}).text == text
