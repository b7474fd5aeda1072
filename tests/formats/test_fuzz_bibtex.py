"""Fuzzing the BibTeX importer: any text gives papers and problems, never an exception, in bounded time."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.formats import bibtex
from papershelf.formats.common import ParseResult
from tests.fuzz import broken_by, time_limit

ARBITRARY_EXAMPLES = 600
STRUCTURED_EXAMPLES = 800
BROKEN_EXAMPLES = 800


def check(text: str) -> ParseResult:
    """Parse within the time limit and check what the importer promises about any result."""
    with time_limit():
        result = bibtex.parse(text)
    assert_documented(text, result)
    return result


def assert_documented(text: str, result: ParseResult) -> None:
    """What ``bibtex.parse`` promises for any text (the atheris harness checks the same)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert len(result.papers) == len(result.lines)
    assert all(1 <= line <= lines for line in result.lines)
    assert all(0 <= problem.line <= lines for problem in result.problems)
    assert all(problem.severity in ("error", "warning") and problem.reason for problem in result.problems)
    for paper in result.papers:
        assert paper.title.strip()
        assert isinstance(paper.key, str)
        assert all(isinstance(name, str) for name in paper.authors)
        assert paper.year is None or isinstance(paper.year, int)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in paper.fields.items())


# -- grammar-shaped text ---------------------------------------------------------------------------------

_word = st.text(alphabet="abcxyzABCXYZ0123456789 _-:.", min_size=0, max_size=8)
_latex = st.sampled_from([
    "{\\\"o}", "\\'e", "{\\ss}", "\\&", "\\%", "{DNA}", "$x^2$", "\\textbf{bold}", "--", "~", "{\\c c}",
    "\\", "{", "}", "\"", "@", "#", ",", "=", "%", "ễ", "Schölkopf", "\ue000", "\ue001", "\ufeff", "\r",
])
_text = st.lists(st.one_of(_word, _latex), max_size=8).map("".join)
_braced = st.builds(lambda t: "{" + t + "}", _text)
_quoted = st.builds(lambda t: '"' + t + '"', _text)
_macro = st.sampled_from(["jan", "feb", "dec", "acl", "undefined_macro", "2020", "12"])
_value_part = st.one_of(_braced, _quoted, _macro)
_value = st.lists(_value_part, min_size=1, max_size=3).map(" # ".join)
_names = st.lists(
    st.sampled_from(["Müller, Mark Niklas", "Ludwig van Beethoven", "{Société Générale}", "De Fauw, Jeffrey",
                     "others", "Last, Jr., First", "{\\'E}mile Zola", "", "and", ",", "A. B. Cee"]),
    max_size=4,
).map(" and ".join)
_field_name = st.sampled_from([
    "title", "Title", "AUTHOR", "author", "year", "month", "doi", "url", "abstract", "booktitle", "journal",
    "crossref", "editor", "note", "pages", "eprint", "archiveprefix", "x-custom", "", "a b",
])
_field = st.one_of(
    st.builds(lambda n, v: f"  {n} = {v}", _field_name, _value),
    st.builds(lambda v: f"  author = {{{v}}}", _names),
    st.builds(lambda v: f"  crossref = {{{v}}}", st.sampled_from(["proc1", "missing", "PROC1", "self"])),
    st.sampled_from(["  year = 2021", "  year = {2020a}", "  title = ", "  = {orphan}", "  month = jan # {~1}"]),
)
_entry_type = st.sampled_from([
    "article", "inproceedings", "InProceedings", "misc", "book", "proceedings", "phdthesis", "online", "",
    "x y",
])
_key = st.sampled_from(["proc1", "self", "smith2020", "smith2020", "Smith2020", "ключ", "a b", "", "k,{}", "x" * 60])
_entry = st.builds(
    lambda t, k, fs, close: f"@{t}{{{k},\n" + ",\n".join(fs) + ("\n}" if close else ""),
    _entry_type, _key, st.lists(_field, max_size=6), st.booleans(),
)
_other_block = st.one_of(
    st.builds(lambda k, v: f"@string{{{k} = {v}}}", st.sampled_from(["acl", "jan", "x", ""]), _value),
    st.builds(lambda v: f"@preamble{{{v}}}", _value),
    st.builds(lambda t: f"@comment{{{t}}}", _text),
    st.sampled_from(["% a comment line", "@", "@{", "@article", "}", "{", "junk between entries", ""]),
)
bib_files = st.lists(st.one_of(_entry, _entry, _other_block), max_size=8).map("\n\n".join)


INSERTED = [*'{}"@,=#%\\\n\r', "\u2028", "\x00"]


broken = broken_by(INSERTED, window=40)


@settings(max_examples=ARBITRARY_EXAMPLES, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    check(text)


@settings(max_examples=STRUCTURED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bib_files)
def test_grammar_shaped_files_never_raise(text: str) -> None:
    result = check(text)
    keys = [paper.key.casefold() for paper in result.papers if paper.key]
    assert len(keys) == len(set(keys))  # duplicates are reported, never imported twice


@settings(max_examples=BROKEN_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken(bib_files))
def test_broken_files_never_raise(text: str) -> None:
    check(text)


def test_a_well_formed_entry_still_comes_through_its_broken_neighbours() -> None:
    text = "@article{broken,\n title = {Unclosed\n\n@article{fine2020,\n title = {Fine},\n year = 2020\n}\n"
    result = check(text)
    assert [paper.key for paper in result.papers] == ["fine2020"]
