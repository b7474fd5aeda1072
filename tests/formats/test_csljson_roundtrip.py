"""BibTeX -> CSL-JSON -> import -> BibTeX keeps what a reference is made of.

A paper exported to BibTeX and read back (the papers of tests/formats/test_bibtex_roundtrip.py: any
Unicode and the characters BibTeX markup is made of) goes out as CSL-JSON, is imported from it, and
exported to BibTeX again: read back, its authors, title, year, venue (booktitle, journal or
howpublished), entry type, DOI, URL and abstract are what the first BibTeX said. One known limit: CSL is
not LaTeX, so a title's ``$...$`` math goes to CSL as the text it reads as (``$\\alpha$`` -> α,
``$O(n^2)$`` -> "O(n^2)") and comes back as that text, not as math; the property says exactly that for
such titles instead of leaving them out. The CSL-JSON itself comes back the same when imported and
exported again.
"""

from __future__ import annotations

import json

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
@given(papers())
def test_bibtex_to_csl_json_and_back_keeps_the_reference(paper: Paper) -> None:
    first = through_bibtex(paper)
    text = csljson.render([first], {}).text
    imported = csljson.parse(text)
    assert imported.errors == []
    (from_csl,) = imported.papers
    again = through_bibtex(from_csl)
    assert again.key == first.key
    assert again.authors == first.authors
    csl_title = csljson.plain_text(json.loads(text)[0].get("title", ""))
    if "$" in first.fields.get("title", ""):  # math: back as the text CSL had, which is what it reads as
        assert again.title == csl_title
    else:
        assert again.title == first.title == csl_title
    assert again.year == first.year
    assert again.venue == first.venue
    assert bool(venue_of(again)) == bool(venue_of(first))
    assert again.entry_type == first.entry_type
    assert (again.doi, again.url) == (first.doi, first.url)
    assert again.abstract == first.abstract
    assert csljson.render([from_csl], {}).text == text


def test_math_in_a_title_comes_back_as_text_not_as_latex() -> None:
    """The known limit, spelled out: what a reader sees survives, the LaTeX math does not."""
    (first,) = bibtex.parse(r"@article{k, title = {On $\alpha$-divergences in $O(n^2)$ time}, year = 2020}").papers
    (item,) = json.loads(csljson.render([first], {}).text)
    assert item["title"] == "On α-divergences in O(n^2) time"
    (back,) = csljson.parse(json.dumps([item])).papers
    assert back.title == "On α-divergences in O(n^2) time"
    assert "$" not in bibtex_export.render([back], {}, BibtexOptions(ascii=False)).text
