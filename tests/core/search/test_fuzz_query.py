"""Fuzzing the query language: any text gives a Query or a QueryError (never anything else), in bounded
time; what parses prints back to the same query, and the search index agrees with ``Query.matches``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import Query, QueryError, parse_query
from papershelf.services import attachments, fulltext
from tests.fuzz import time_limit

ARBITRARY_EXAMPLES = 1000
STRUCTURED_EXAMPLES = 1000


def strict(text: str) -> Query | None:
    """The strict parse: a Query, or None after checking the QueryError (nothing else may come out)."""
    error: QueryError | None = None
    try:
        with time_limit():
            query = parse_query(text)
    except QueryError as caught:
        error = caught
    if error is not None:
        assert 0 <= error.position <= len(text)
        assert error.message
        return None
    assert isinstance(query, Query)
    with time_limit():
        assert parse_query(str(query)) == query  # what the search box shows back means the same
    return query


def lenient(text: str) -> Query:
    with time_limit():
        query = parse_query(text, lenient=True)
    assert all(0 <= error.position <= len(text) for error in query.errors)
    return query


# -- grammar-shaped text ---------------------------------------------------------------------------------

_word = st.text(alphabet="abcxyzéüßİı0123456789-_:*.'’", min_size=1, max_size=6)
_quoted = st.builds(lambda a, b, close: f'"{a} {b}' + ('"' if close else ""), _word, _word, st.booleans())
_typographic = st.builds(lambda a: f"“{a}”", _word)
_field = st.sampled_from([
    "", "title:", "author:", "authors:", "note:", "abstract:", "tag:", "tags:", "list:", "venue:", "key:",
    "status:", "track:", "autor:", "http:", "TITLE:", "year:", "years:", "fulltext:", "text:",
])
_value = st.one_of(_word, _quoted, _typographic, st.sampled_from(["", "*", "**", "rl*", '""', '"', "-"]))
_term = st.builds(lambda neg, f, v: f"{neg}{f}{v}", st.sampled_from(["", "", "-", "--", "+"]), _field, _value)
_year = st.sampled_from([
    "year:2020", "year:2019..2021", "year:..2021", "year:2019..", "year:>=2020", "year:<2020", "year:=2020",
    "year:2019-2021", "year:2019–2021", "year:*", "-year:*", "year:", "year:abc", "year:20200", "year:..",
    "year:>", "year:2021..2019", "year:99999999999999999999",
])
_connector = st.sampled_from([" ", " ", " OR ", " AND ", " or ", " OR OR ", " AND OR ", "  \t ", "\n"])
queries = st.builds(
    lambda lead, parts: lead + "".join(sep + term for term, sep in parts),
    st.sampled_from(["", "OR ", "AND ", " ", "-"]),
    st.lists(st.tuples(st.one_of(_term, _year), _connector), max_size=6),
)


INSERTED = ['"', ":", "-", "*", "..", " OR ", "“", "\x00", "\u2028"]


@st.composite
def broken(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    text = draw(texts)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and text:
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
        else:
            text = text[:at] + draw(st.sampled_from(INSERTED)) + text[at:]
    return text


@pytest.fixture(scope="module", params=[pytest.param(False, id="scan"), pytest.param(True, id="word-index")])
def index(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> SearchIndex:
    """A small library with every field filled in some paper and empty in another (scanned or word-indexed)."""
    library = Library(tmp_path_factory.mktemp("fuzz-query") / "library")
    library.import_papers([
        Paper(id="", key="", title="Towards Causal Representation Learning", year=2021, venue="ICLR", track="Oral",
              authors=["Bernhard Schölkopf", "Klaus-Robert Müller"], abstract="Causality: abc xyz-123"),
        Paper(id="", key="", title="İstanbul ßtraße: a 2019..2021 survey", authors=["Ayşe Yılmaz"], year=2019),
        Paper(id="", key="", title="No year, no authors"),
    ])
    first, second, _ = library.papers
    library.annotate([first], AnnotationChange(status="reading", add_tags=("RL", "deep learning", "rl*"),
                                               add_lists=("Thesis",), note="Read §3 first: abc"))
    library.annotate([second], AnnotationChange(status="skipped", add_tags=("é",), note="“quoted” xyz"))
    # Attached files' text for fulltext: terms (two files on the first paper, none on the third), read now
    files = library.folder.parent / "files"
    files.mkdir()
    for pid, name, text in ((first, "a.txt", "Causal abc\nxyz-123 İstanbul"), (first, "b.md", "rl* 2019..2021"),
                            (second, "c.txt", "ßtraße:  “quoted” Schölkopf abc")):
        (files / name).write_text(text, encoding="utf-8")
        attachments.attach(library, pid, files / name, link=True)
    fulltext.attach_to(library).refresh()
    return SearchIndex(library, word_index=request.param, word_index_from=0)


def agree(index: SearchIndex, query: Query) -> None:
    library = index.library
    texts = fulltext.attach_to(library).texts()
    with time_limit():
        expected = [pid for pid, p in library.papers.items()
                    if query.matches(p, library.annotation(pid), texts.get(pid, ""))]
        assert index.filter(query) == expected


@settings(max_examples=ARBITRARY_EXAMPLES, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_a_query_or_a_query_error(text: str) -> None:
    strict(text)
    lenient(text)


@settings(max_examples=STRUCTURED_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(queries, broken(queries)))
def test_grammar_shaped_queries_give_a_query_or_a_query_error(index: SearchIndex, text: str) -> None:
    query = strict(text)
    if query is not None:
        agree(index, query)
    agree(index, lenient(text))
