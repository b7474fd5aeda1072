"""Export to BibTeX and import again: what the user typed comes back.

Round-tripped (UTF-8 mode, any Unicode but control/surrogate/private/unassigned characters):
title, authors, year, venue (as booktitle), entry type, abstract, DOI, URL, and a raw field.
Whitespace runs come back as single spaces (BibTeX itself reads them so); an abstract keeps its
paragraph breaks. In ASCII mode the same holds for text whose characters have a LaTeX form.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.model import Paper
from papershelf.formats import bibtex, bibtex_export, latex
from papershelf.formats.bibtex_export import BibtexOptions

TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
# Characters that BibTeX markup is made of, drawn often so that the nasty cases come up.
NASTY = st.sampled_from([*list("{}\\$%&#_~^<>|`'\"-,@ "), "--", "``", "''", " and ", "$x$", "\\emph{", "{\\'e}"])
TEXT = st.lists(st.one_of(TEXT_CHARS, NASTY), min_size=1, max_size=40).map("".join)
WORD = st.lists(st.one_of(TEXT_CHARS, NASTY), min_size=1, max_size=8).map("".join).filter(lambda w: w.split() == [w])
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
VERBATIM = st.text(alphabet=string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%", min_size=1, max_size=30)
RAW = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"), blacklist_characters="{}\\@"),
              min_size=1, max_size=30).filter(lambda t: t.strip() == t)


def squeeze(text: str) -> str:
    return " ".join(text.split())


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    title = draw(TEXT.filter(lambda t: t.strip()))
    return Paper(
        id="x",
        key="k" + draw(st.text(alphabet=string.ascii_letters + string.digits + ":-_", max_size=10)),
        title=title,
        authors=draw(st.lists(NAME, max_size=4)),
        year=draw(st.one_of(st.none(), st.integers(1000, 2999))),
        venue=draw(st.one_of(st.just(""), TEXT.filter(lambda t: t.strip()))),
        abstract=draw(st.lists(TEXT.filter(lambda t: t.strip()), max_size=3).map("\n\n".join)),
        doi=draw(st.one_of(st.just(""), VERBATIM.map(lambda d: "10.1/" + d))),
        url=draw(st.one_of(st.just(""), VERBATIM.map(lambda u: "https://x.org/" + u))),
        entry_type=draw(st.sampled_from(["inproceedings", "article", "misc"])),
        fields=draw(st.dictionaries(st.sampled_from(["publisher", "pages", "series"]), RAW, max_size=2)),
    )


def roundtrip(paper: Paper, *, ascii: bool) -> Paper:
    text = bibtex_export.render([paper], {}, BibtexOptions(ascii=ascii, abstract=True)).text
    result = bibtex.parse(text)
    assert result.problems == [], text
    (back,) = result.papers
    return back


def expected_venue_field(paper: Paper) -> dict[str, str]:
    if not paper.venue:
        return {}
    name = {"inproceedings": "booktitle", "article": "journal", "misc": "howpublished"}[paper.entry_type]
    return {name: paper.venue}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers())
def test_utf8_export_imports_back_equal(paper: Paper) -> None:
    back = roundtrip(paper, ascii=False)
    assert back.key == paper.key
    assert back.title == squeeze(paper.title)
    assert back.authors == [squeeze(a) for a in paper.authors]
    assert back.year == paper.year
    assert back.venue == squeeze(paper.venue)
    assert back.entry_type == paper.entry_type
    assert back.abstract == "\n\n".join(squeeze(p) for p in paper.abstract.split("\n\n") if p.strip())
    assert (back.doi, back.url) == (paper.doi, paper.url)
    sources = ("booktitle", "journal", "howpublished", "author", "title", "abstract", "doi", "url")
    raw_fields = {k: v for k, v in back.fields.items() if k not in sources}
    # A raw field is LaTeX as read: written as it was, but a bare & % # (a LaTeX error) escaped.
    assert raw_fields == {k: latex.escape_bare_specials(v) for k, v in paper.fields.items()}
    if "author" in back.fields:  # kept raw when the display names alone cannot say how BibTeX splits them
        assert bibtex.parse_names(back.fields["author"])[0] == back.authors


LATEX_FORM_CHARS = st.sampled_from(list("äöüÄÖÜéèêëçñøØåÅßæœłŁıšžčřěůőű–—“”‘’…§¶†‡©£¡¿"))
ASCII_TEXT = st.lists(st.one_of(st.characters(min_codepoint=32, max_codepoint=126), LATEX_FORM_CHARS, NASTY),
                      min_size=1, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(title=ASCII_TEXT.filter(lambda t: t.strip()), name=st.lists(ASCII_TEXT.filter(lambda w: w.split() == [w]),
                                                                  min_size=1, max_size=3).map(" ".join))
def test_ascii_export_is_ascii_and_imports_back(title: str, name: str) -> None:
    paper = Paper(id="x", key="k", title=title, authors=[name], year=2021)
    text = bibtex_export.render([paper], {}).text
    assert text.isascii()
    back = bibtex.parse(text).papers[0]
    # Typographic quotes come back as the LaTeX ligatures they are written as; everything else exactly.
    curly = str.maketrans({"‘": "`", "’": "'"})
    assert back.title == squeeze(title.translate(curly))
    assert back.authors == [squeeze(name.translate(curly))]
