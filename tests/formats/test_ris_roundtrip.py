"""BibTeX -> RIS -> import -> BibTeX: authors, title, year, venue, DOI, URL and abstract come back.

A paper is written as BibTeX and read (that is the user's library), written as RIS and read, then written
as BibTeX again and read. What RIS cannot carry is left out of the generated papers: a comma inside a
name (RIS names are "Last, First, Suffix") and line breaks inside a paragraph (RIS values are lines;
whitespace comes back squeezed, as BibTeX reads it too).
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.model import Paper
from papershelf.formats import bibtex, bibtex_export, ris
from papershelf.formats.bibtex_export import BibtexOptions

TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
NASTY = st.sampled_from([*list("{}\\$%&#_~^<>|`'\"-@ ;"), "--", "``", " and ", "$x$", "\\emph{", "{\\'e}",
                         "TY  - ", "ER  - "])
TEXT = st.lists(st.one_of(TEXT_CHARS, NASTY), min_size=1, max_size=30).map("".join).filter(lambda t: t.strip())
WORD = (st.lists(st.one_of(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
                                         blacklist_characters=",‚{}\\"),
                           st.sampled_from(["é", "ß", "-", "."])), min_size=1, max_size=8)
        .map("".join).filter(lambda w: w.split() == [w] and w.lower() != "and"))
NAME = st.tuples(st.lists(WORD, min_size=1, max_size=3).map(" ".join), st.one_of(st.just(""), WORD)).map(
    lambda parts: f"{parts[0]}, {parts[1]}" if parts[1] and " " in parts[0] else parts[0])  # "First Last, Jr."
VERBATIM = st.text(alphabet=string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%", min_size=1, max_size=30)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    return Paper(
        id="x",
        key="k" + draw(st.text(alphabet=string.ascii_letters + string.digits + ":-_", max_size=10)),
        title=draw(TEXT),
        authors=draw(st.lists(NAME, max_size=4)),
        year=draw(st.one_of(st.none(), st.integers(1000, 2999))),
        venue=draw(st.one_of(st.just(""), TEXT)),
        abstract=draw(st.lists(TEXT, max_size=3).map("\n\n".join)),
        doi=draw(st.one_of(st.just(""), VERBATIM.map(lambda d: "10.1/" + d))),
        url=draw(st.one_of(st.just(""), VERBATIM.map(lambda u: "https://x.org/" + u))),
        entry_type=draw(st.sampled_from(["inproceedings", "article", "misc", "incollection", "techreport"])),
    )


def via_bibtex(paper: Paper, ascii: bool = False) -> Paper:
    text = bibtex_export.render([paper], {}, BibtexOptions(ascii=ascii)).text
    (back,) = bibtex.parse(text).papers
    return back


def via_ris(paper: Paper) -> Paper:
    result = ris.parse(ris.render([paper], {}).text)
    assert result.problems == []
    (back,) = result.papers
    return back


def same_record(a: Paper, b: Paper) -> None:
    assert b.key == a.key
    assert b.title == a.title
    assert b.authors == a.authors
    assert b.year == a.year
    assert b.venue == a.venue
    assert (b.doi, b.url) == (a.doi, a.url)
    assert b.abstract == a.abstract
    assert b.entry_type == a.entry_type


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers(), st.booleans())
def test_bibtex_to_ris_to_bibtex_keeps_the_record(paper: Paper, ascii: bool) -> None:
    # A paper as a BibTeX import has it: LaTeX source in its fields (accent macros too, in ASCII mode).
    library = via_bibtex(paper, ascii)
    from_ris = via_ris(library)
    same_record(library, from_ris)
    same_record(library, via_bibtex(from_ris, ascii))
