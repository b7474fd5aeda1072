"""The search query language: what each piece of syntax parses to, what it matches, and its errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papershelf.core.model import Annotation, Paper
from papershelf.core.search.query import (
    FIELDS,
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    QUERY_HELP,
    Query,
    QueryError,
    Term,
    parse_query,
)


def paper(**changes: object) -> Paper:
    base: dict[str, object] = {
        "id": "p1",
        "key": "scholkopf2021towards",
        "title": "Towards Causal Representation Learning",
        "authors": ["Bernhard Schölkopf", "Francesco Locatello", "Klaus-Robert Müller"],
        "year": 2021,
        "venue": "ICLR",
        "track": "Oral",
        "abstract": "Machine learning and graphical causality\n\nwere developed separately.",
    }
    base.update(changes)
    return Paper(**base)  # type: ignore[arg-type]


def note(**changes: object) -> Annotation:
    ann = Annotation(status="to-read", tags=["RL", "deep learning"], lists=["Thesis"], note="Read §3 first")
    for name, value in changes.items():
        setattr(ann, name, value)
    return ann


def matches(text: str, p: Paper | None = None, a: Annotation | None = None) -> bool:
    return parse_query(text).matches(p or paper(), a or note())


# -- structure ---------------------------------------------------------------------------------------


def test_words_are_anded_clauses_of_plain_terms() -> None:
    query = parse_query("Graph  Neural")
    assert query.clauses == ((Term(None, "graph"),), (Term(None, "neural"),))
    assert query.is_plain
    assert query.words == ("graph", "neural")
    assert str(query) == "graph neural"
    assert repr(query) == "Query('graph neural')"


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "AND", "*", '""'])
def test_blank_query_matches_everything(text: str) -> None:
    query = parse_query(text)
    assert query.is_empty
    assert query.matches(paper(), note())


def test_phrase_is_one_term_with_its_spaces_normalised() -> None:
    query = parse_query('"Causal   Representation" learning')
    assert query.clauses == ((Term(None, "causal representation"),), (Term(None, "learning"),))
    assert query.is_plain
    assert str(query) == '"causal representation" learning'


def test_or_binds_tighter_than_and() -> None:
    query = parse_query("x a OR b c")
    assert query.clauses == (
        (Term(None, "x"),),
        (Term(None, "a"), Term(None, "b")),
        (Term(None, "c"),),
    )
    assert not query.is_plain
    assert query.words == ()
    assert str(query) == "x a OR b c"


def test_lowercase_or_and_explicit_and_are_words_and_connectors() -> None:
    assert parse_query("a or b").clauses == ((Term(None, "a"),), (Term(None, "or"),), (Term(None, "b"),))
    assert parse_query("a AND b") == parse_query("a b")


@pytest.mark.parametrize("name", ["title", "author", "abstract", "note", "venue", "key"])
def test_substring_field_prefix(name: str) -> None:
    query = parse_query(f"{name.upper()}:Foo")
    assert query.clauses == ((Term(name, "foo"),),)
    assert not query.is_plain
    assert str(query) == f"{name}:foo"


@pytest.mark.parametrize("name", ["tag", "list", "status", "track"])
def test_value_field_prefix_and_trailing_star(name: str) -> None:
    value = {"status": "read", "track": "oral"}.get(name, "rl")
    assert parse_query(f"{name}:{value}").clauses == ((Term(name, value),),)
    assert parse_query(f"{name}:{value[:2]}*").clauses == ((Term(name, value[:2], prefix=True),),)


def test_field_aliases() -> None:
    assert parse_query("authors:bengio tags:rl lists:x notes:y") == parse_query("author:bengio tag:rl list:x note:y")


def test_quoted_field_values() -> None:
    query = parse_query('tag:"Deep Learning" -list:"Reading group" author:"Bernhard Schölkopf"')
    assert query.clauses == (
        (Term("tag", "deep learning"),),
        (Term("list", "reading group", negated=True),),
        (Term("author", "bernhard scholkopf"),),
    )
    assert str(query) == 'tag:"deep learning" -list:"reading group" author:"bernhard scholkopf"'


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("year:2021", 2021, 2021),
        ("year:=2021", 2021, 2021),
        ("year:2019..2021", 2019, 2021),
        ("year:2019-2021", 2019, 2021),
        ("year:2019..", 2019, None),
        ("year:..2021", None, 2021),
        ("year:>=2020", 2020, None),
        ("year:>2020", 2021, None),
        ("year:<=2020", None, 2020),
        ("year:<2020", None, 2019),
        ("year:*", None, None),
        ("year:<0", None, -1),
        ("year:>9999", 10000, None),
    ],
)
def test_year_forms(text: str, low: int | None, high: int | None) -> None:
    query = parse_query(text)
    assert query.clauses == ((Term("year", low=low, high=high),),)
    assert parse_query(str(query)) == query  # written back as the search box shows it, it reads the same


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year:2021", True),
        ("year:2020", False),
        ("year:2019..2021", True),
        ("year:2022..", False),
        ("year:>=2021", True),
        ("year:<2021", False),
        ("-year:2021", False),
        ("-year:2020", True),
        ("year:*", True),
    ],
)
def test_year_matching(text: str, expected: bool) -> None:
    assert matches(text) is expected


def test_a_paper_without_a_year_matches_no_year_term_but_every_excluded_one() -> None:
    undated = paper(year=None)
    assert not matches("year:*", undated)
    assert not matches("year:<3000", undated)
    assert matches("-year:2021", undated)
    assert matches("-year:*", undated)


# -- matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("causal learning", True),  # every word, any field
        ("causal quantum", False),
        ("locatello", True),  # authors
        ("scholkopf2021", True),  # citation key
        ("thesis", True),  # reading list
        ("§3", True),  # note
        ("deep", True),  # tag
        ("iclr", False),  # venue is not among the plain-word fields
        ("oral", False),  # nor is the track
        ('"causal representation learning"', True),
        ('"representation causal"', False),
        ('"graphical causality were developed"', True),  # paragraph break inside the abstract
        ('"learning bernhard"', False),  # a phrase never runs from one field into the next
        ("learn*", True),
        ("title:causal", True),
        ("title:machine", False),
        ("abstract:machine", True),
        ("abstract:towards", False),
        ("author:locatello", True),
        ('author:"bernhard scholkopf"', True),
        ("author:causal", False),
        ("note:§3", True),
        ("note:causal", False),
        ("venue:icl", True),
        ("key:2021tow", True),
        ("tag:rl", True),
        ("tag:RL", True),
        ("tag:r", False),  # whole values only
        ("tag:r*", True),
        ('tag:"deep learning"', True),
        ("tag:deep", False),
        ("tag:deep*", True),
        ("tag:*", True),
        ("list:thesis", True),
        ("list:the", False),
        ("status:to-read", True),
        ("status:read", False),
        ("status:to*", True),
        ("track:oral", True),
        ("track:poster", False),
        ("-quantum", True),
        ("-causal", False),
        ("-tag:rl", False),
        ("-tag:rlhf", True),
        ("-tag:*", False),
        ("note:*", True),
        ("-note:*", False),
        ("quantum OR causal", True),
        ("quantum OR photonic", False),
        ("tag:rlhf OR tag:rl", True),
        ("-causal OR locatello", True),
        ("causal quantum OR locatello", True),
        ("quantum causal OR locatello", False),
    ],
)
def test_each_operator_matches_what_it_should(text: str, expected: bool) -> None:
    assert matches(text) is expected


def test_plain_words_do_not_match_inside_the_status_or_track() -> None:
    # "read" occurs in the note ("Read §3"), but "skipped" lives only in the status
    assert not matches("skipped", a=note(status="skipped"))
    assert matches("status:skipped", a=note(status="skipped"))


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("scholkopf", "Bernhard Schölkopf"),
        ("Schölkopf", "Bernhard Scholkopf"),
        ("SCHÖLKOPF", "Bernhard Schölkopf"),
        ("muller", "Klaus-Robert Müller"),
        ("Müller", "Klaus-Robert Muller"),
        ("author:Müller", "Klaus-Robert Muller"),
        ("author:muller", "Klaus-Robert Müller"),
        ("author:strasse", "Anna Straße"),
        ("author:lukasz", "Łukasz Kaiser"),
    ],
)
def test_diacritics_and_case_are_ignored_both_ways(text: str, author: str) -> None:
    assert matches(text, paper(authors=[author]))


def test_value_fields_fold_too() -> None:
    assert matches("tag:ubersicht", a=note(tags=["Übersicht"]))
    assert matches("tag:Übersicht", a=note(tags=["ubersicht"]))


# -- words that only look like fields ---------------------------------------------------------------


def test_unknown_prefixes_are_plain_words() -> None:
    query = parse_query("http://x.org GShard: c++:")
    assert query.clauses == ((Term(None, "http://x.org"),), (Term(None, "gshard:"),), (Term(None, "c++:"),))
    assert query.warnings == ()
    assert matches("towards:", paper(title="Towards: a title"))


def test_near_miss_field_names_warn() -> None:
    query = parse_query("autor:bengio")
    assert query.clauses == ((Term(None, "autor:bengio"),),)
    assert query.warnings == ("unknown field 'autor:' (did you mean author:?); searched as a word",)


def test_unknown_track_warns_but_parses() -> None:
    query = parse_query("track:workshop")
    assert query.clauses == ((Term("track", "workshop"),),)
    assert "no track is called 'workshop'" in query.warnings[0]


def test_typographic_quotes_work_like_straight_ones() -> None:
    assert parse_query("“graph neural”") == parse_query('"graph neural"')


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('graph "neural net', "unclosed quote", 6),
        ('tag:"deep', "unclosed quote", 4),
        ("year:abc", "year needs a number or a range like 2019..2021", 5),
        ("x -year:20x1", "year needs a number or a range like 2019..2021", 8),
        ("year:12345", "year needs a number or a range like 2019..2021", 5),
        ("year:", "year: needs a value right after the colon", 5),
        ("year:2021..2019", "year range 2021..2019 runs backwards", 5),
        ("title:", "title: needs a value right after the colon", 0),
        ("a tag: rl", "tag: needs a value right after the colon", 2),
        ('tag:""', "tag: needs a value right after the colon", 0),
        ("status:done", "unknown status 'done'; use new, to-read, reading, read, skipped", 7),
        ("OR a", "OR needs a term on each side", 0),
        ("a OR", "OR needs a term on each side", 2),
        ("a OR OR b", "OR needs a term on each side", 5),
        ("a - b", "'-' needs a word right after it", 2),
    ],
)
def test_invalid_queries_say_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert str(caught.value) == message
    assert caught.value.message == message
    assert caught.value.position == position
    assert isinstance(caught.value, ValueError)


def test_lenient_parse_keeps_what_it_can_read() -> None:
    query = parse_query('graph author: "neural ne', lenient=True)
    assert query.clauses == ((Term(None, "graph"),), (Term(None, "neural ne"),))
    assert [(e.message, e.position) for e in query.errors] == [
        ("unclosed quote", 14),
        ("author: needs a value right after the colon", 6),
    ]
    assert parse_query("a OR", lenient=True) == parse_query("a")


# -- the bound on a query's size (a pasted page must not hang the window) -----------------------------


TOO_MANY = "too many terms: the limit is 32 words or field terms"


def words(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))


def test_a_query_at_the_bound_is_read_whole() -> None:
    assert len(parse_query(words(MAX_QUERY_TERMS)).clauses) == MAX_QUERY_TERMS
    ored = " OR ".join(f"w{i}" for i in range(MAX_QUERY_TERMS))
    assert [len(c) for c in parse_query(ored).clauses] == [MAX_QUERY_TERMS]
    longest = '"' + "a" * (MAX_QUERY_CHARS - 2) + '"'
    assert parse_query(longest).clauses == ((Term(None, "a" * (MAX_QUERY_CHARS - 2)),),)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        pytest.param("x" * (MAX_QUERY_CHARS + 1), "query too long: 2,001 characters; the limit is 2,000", 2000,
                     id="one-character-too-many"),
        pytest.param(words(30_000), "query too long: 198,889 characters; the limit is 2,000", 2000,
                     id="30000-words"),
        pytest.param(words(MAX_QUERY_TERMS + 1), TOO_MANY, len(words(MAX_QUERY_TERMS)) + 1, id="one-term-too-many"),
        pytest.param(" OR ".join(f"tag:t{i}" for i in range(40)), TOO_MANY,
                     len(" OR ".join(f"tag:t{i}" for i in range(32))) + 4, id="ored-field-terms"),
    ],
)
def test_an_oversized_query_is_refused_naming_the_limit(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert str(caught.value) == message
    assert caught.value.position == position


def test_operators_and_skipped_words_do_not_count_as_terms() -> None:
    text = " AND ".join(f"w{i}" for i in range(MAX_QUERY_TERMS)) + " * AND"
    assert len(parse_query(text).clauses) == MAX_QUERY_TERMS


def test_lenient_parse_of_an_oversized_query_searches_with_what_fits() -> None:
    query = parse_query(words(MAX_QUERY_TERMS + 10) + " OR", lenient=True)
    assert query == parse_query(words(MAX_QUERY_TERMS))
    assert [e.message for e in query.errors] == ["too many terms: the limit is 32 words or field terms"]
    long = parse_query("graph " + "z" * MAX_QUERY_CHARS, lenient=True)
    assert long == parse_query("graph " + "z" * (MAX_QUERY_CHARS - len("graph ")))
    assert [e.position for e in long.errors] == [MAX_QUERY_CHARS]


# -- narrowing (incremental filtering while typing) -------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ("", "g", True),
        ("g", "gr", True),
        ("graph ne", "graph neu", True),
        ("graph", "graph neural", True),
        ("neural", "graph neural", True),
        ("graph neural", "graph", False),
        ("graph", "grap", False),
        ("title:gr", "title:graph", True),
        ("title:graph", "graph", False),
        ("graph", "title:graph", False),  # sound but not complete: a field term is not read as a word
        ("tag:rl", "tag:rlhf", False),
        ("tag:rl*", "tag:rlhf", True),
        ("tag:r*", "tag:rl*", True),
        ("tag:rl*", "tag:rl", True),
        ("tag:rl", "tag:rl*", False),
        ("-graph", "-gr", True),
        ("-gr", "-graph", False),
        ("-tag:rl*", "-tag:r*", True),
        ("-tag:rl", "-tag:rl*", True),
        ("year:2019..2021", "year:2020", True),
        ("year:2020", "year:2019..2021", False),
        ("-year:2020", "-year:2019..2021", True),
        ("a OR b", "a", True),
        ("a", "a OR b", False),
        ("x", "x a OR b", True),
        ("a OR b", "ab OR b c", True),
    ],
)
def test_narrows(previous: str, current: str, expected: bool) -> None:
    assert parse_query(current).narrows(parse_query(previous)) is expected


# -- help and invariants -----------------------------------------------------------------------------


def test_help_rows_are_complete_and_their_examples_parse() -> None:
    assert QUERY_HELP
    mentioned = " ".join(syntax for syntax, _, _ in QUERY_HELP)
    for name in FIELDS:
        assert f"{name}:" in mentioned
    for syntax, example, meaning in QUERY_HELP:
        assert syntax
        assert meaning
        assert not parse_query(example).is_empty


@given(st.text())
def test_parse_raises_nothing_but_query_error(text: str) -> None:
    error: QueryError | None = None
    try:
        query = parse_query(text)
    except QueryError as caught:
        error = caught
    if error is None:
        assert isinstance(query, Query)
        assert isinstance(str(query), str)
    else:
        assert 0 <= error.position <= len(text)
        assert error.message


@given(st.text())
def test_lenient_parse_never_raises(text: str) -> None:
    query = parse_query(text, lenient=True)
    assert all(0 <= e.position <= len(text) for e in query.errors)


_word = st.text(alphabet="abcxyzéüß-:*", min_size=1, max_size=6)
_value = st.one_of(_word, st.builds(lambda a, b: f'"{a} {b}"', _word, _word))
_field = st.sampled_from(["", "title:", "author:", "note:", "abstract:", "tag:", "list:", "venue:", "key:"])
_term = st.builds(lambda neg, f, v: f"{neg}{f}{v}", st.sampled_from(["", "-"]), _field, _value)
_years = st.sampled_from(["year:2020", "year:2019..2021", "year:>=2020", "year:<2020", "-year:*"])
_clause = st.lists(st.one_of(_term, _years), min_size=1, max_size=3).map(" OR ".join)
_queries = st.lists(_clause, max_size=4).map(" ".join)


@given(_queries)
def test_str_parses_back_to_the_same_query(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError:
        return
    assert parse_query(str(query)) == query


def test_an_error_message_is_one_line_even_for_a_query_with_line_breaks() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query('status:"to\nread"')
    assert "\n" not in str(caught.value)
    assert "unknown status 'to read'" in str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("fulltext:ablation", True), ("text:ablat", True), ('text:"ablation study"', True),
    ('text:"study ablation"', False), ("fulltext:*", True), ("-fulltext:ablation", False),
    ("graph fulltext:ablation", True), ("fulltext:graph", False),  # the title is not the files' text
])
def test_fulltext_terms_search_the_text_handed_in(text: str, expected: bool) -> None:
    assert parse_query(text).matches(paper(), note(), "we ran an ablation study") is expected


def test_without_attached_text_fulltext_terms_match_nothing_and_their_exclusion_everything() -> None:
    assert not matches("fulltext:ablation")
    assert not matches("fulltext:*")
    assert matches("-fulltext:*")
