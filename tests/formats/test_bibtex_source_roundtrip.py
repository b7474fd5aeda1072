"""A .bib read and exported, read again and exported again, gives the same bytes (ASCII and UTF-8).

Generated entries carry what researchers' files do: braces that protect case, accents as macros and
as characters (composed and not), math, formatting macros, ``@string`` macros and ``#``
concatenation, month macros, a ``@preamble``, a bare ``&``. The first export may repair (a bare
``&`` is escaped); from then on nothing changes: export -> import -> export is the identity.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.formats import bibtex, bibtex_export
from papershelf.formats.bibtex_export import BibtexOptions

WORDS = st.sampled_from(["Deep", "learning", "of", "Markov", "chains", "BERT", "GANs", "ReLU", "a", "the", "Pólya",
                         "naïve", "Ce\u0301line", "Łódź", "Nguyễn", "∞", "α-divergence", "x", "100", "F"])
MARKUP = st.sampled_from([
    "{Markov}", "{F}rench", "{\\'e}", "\\'{e}", "\\\"o", "{\\\"O}", "\\c{c}", "{\\ss}", "{\\o}", "\\={P}", "{\\'i}",
    "$\\ell_2$", "$O(n^2)$", "$\\ell_∞$", "\\emph{Tursiops}", "{\\em truncatus}", "\\textit{in vivo}", "\\&",
    "--", "---", "``quoted''", "{{Nested {Braces}}}", "\\textipa{/T/}", "{\\relax Ch}", "&", "50\\%", "C\\#",
])
TEXT = st.lists(st.one_of(WORDS, MARKUP), min_size=1, max_size=8).map(" ".join)
SURNAMES = st.sampled_from(["Smith", "{De Fauw}", "Schölkopf", "Sch{\\\"o}lkopf", "von Neumann",
                            "{\\relax Ch}ristensen", "Urp{\\'i}",
                            "Daum{\\'e} III", "{Soci{\\'e}t{\\'e} G{\\'e}n{\\'e}rale}"])
GIVEN = st.sampled_from(["Jane", "J.", "{\\'E}mile", "Jean-Baptiste", "Ann Marie", ""])
NAME = st.tuples(SURNAMES, GIVEN).map(lambda sg: f"{sg[0]}, {sg[1]}" if sg[1] else sg[0])
AUTHORS = st.lists(NAME, min_size=1, max_size=4).map(" and ".join)
MACROS = ("jmlr", "procs", "acm")


@st.composite
def bib_files(draw: st.DrawFn) -> str:
    chunks: list[str] = []
    if draw(st.booleans()):
        chunks.append('@preamble{ "\\newcommand{\\noopsort}[1]{} " }\n')
    defined = draw(st.lists(st.sampled_from(MACROS), unique=True, max_size=3))
    for name in defined:
        chunks.append(f"@string{{{name} = {{{draw(TEXT)}}}}}\n")
    keys = draw(st.lists(st.text(string.ascii_lowercase + string.digits + ":-_", min_size=1, max_size=8),
                         min_size=1, max_size=5, unique_by=str.casefold))
    for key in keys:
        fields = [f"  author = {{{draw(AUTHORS)}}}"]
        if draw(st.integers(0, 5)):  # now and then an entry without a title
            fields.append(f"  title = {{{draw(TEXT)}}}")
        venue = draw(TEXT)
        if defined and draw(st.booleans()):
            # Inside a quoted string BibTeX ends the string at any double quote not in braces, so a valid
            # file braces an accent written with one: "{\"o}" (an unbraced \"o there is a broken file).
            quoted = venue.replace('\\"o', '{\\"o}')
            venue_value = draw(st.sampled_from(defined)) + (f' # " {quoted}"' if draw(st.booleans()) else "")
        else:
            venue_value = "{" + venue + "}"
        fields.append(f"  journal = {venue_value}")
        fields.append("  year = " + draw(st.sampled_from(["2020", "{2021}", '"{\\noopsort{a}}1999"', "{2019a}"])))
        if draw(st.booleans()):
            fields.append("  month = " + draw(st.sampled_from(["jan", "{June}", 'dec # "~1"'])))
        if draw(st.booleans()):
            fields.append(f"  abstract = {{{draw(TEXT)}\n\n  {draw(TEXT)}}}")
        if draw(st.booleans()):
            fields.append(f"  note = {{{draw(TEXT)}}}")
        if draw(st.booleans()):
            fields.append("  url = {https://example.org/a_b%20c#d}")
        entry_type = draw(st.sampled_from(["article", "inproceedings", "misc", "book"]))
        chunks.append(f"@{entry_type}{{{key},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(chunks)


def export(text: str, ascii: bool) -> str:
    result = bibtex.parse(text)
    assert result.errors == [], result.errors
    for number, paper in enumerate(result.papers):
        paper.id = str(number)
    return bibtex_export.render(result.papers, {}, BibtexOptions(ascii=ascii)).text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bib=bib_files(), ascii=st.booleans())
def test_export_import_export_is_byte_identical(bib: str, ascii: bool) -> None:
    first = export(bib, ascii)
    again = export(first, ascii)
    assert again == first
    if ascii:
        assert first.isascii()
    # What was read the first time is what is read from the export.
    before = {p.key: (p.title, p.authors, p.year, p.venue, p.abstract) for p in bibtex.parse(bib).papers}
    after = {p.key: (p.title, p.authors, p.year, p.venue, p.abstract) for p in bibtex.parse(first).papers}
    assert set(after) == set(before)
    if not ascii:
        assert after == before
