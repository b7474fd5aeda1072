"""The search index: exact results per kind of query, keeping current, and agreement with the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex, filter_papers
from papershelf.core.search.query import QueryError, parse_query

PAPERS = [
    Paper(
        id="",
        key="scholkopf2021causal",
        title="Towards Causal Representation Learning",
        authors=["Bernhard Schölkopf", "Francesco Locatello"],
        year=2021,
        venue="Proceedings of the IEEE",
        abstract="The two fields of machine learning and graphical causality arose and developed separately.",
    ),
    Paper(
        id="",
        key="muller2019graph",
        title="Graph Neural Networks for Molecules",
        authors=["Klaus-Robert Muller", "Ana Ćosić"],
        year=2019,
        venue="ICLR",
        track="Poster",
        abstract="We apply graph neural networks to\nquantum chemistry.",
    ),
    Paper(
        id="",
        key="kaiser2017attention",
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Łukasz Kaiser"],
        year=2017,
        venue="NeurIPS",
        abstract="The dominant sequence transduction models are based on recurrent neural networks.",
    ),
    Paper(
        id="",
        key="silver2021reward",
        title="Reward is Enough",
        authors=["David Silver", "Satinder Singh"],
        year=2021,
        venue="ICLR",
        track="Oral",
        abstract="We argue that reward maximisation is enough for intelligence.",
    ),
    Paper(
        id="",
        key="anon2020untitled",
        title="A Paper Without Abstract or Year",
        authors=["Anonymous"],
        venue="arXiv",
    ),
]
KEYS = [p.key for p in PAPERS]


def make_library(folder: Path) -> Library:
    library = Library(folder)
    library.import_papers(PAPERS)
    ids = library.ids_for_keys
    library.annotate(ids(["scholkopf2021causal"]), AnnotationChange(status="reading", add_tags=("causality", "RL")))
    library.annotate(
        ids(["muller2019graph"]),
        AnnotationChange(status="read", add_tags=("GNN", "deep learning"), add_lists=("Thesis",), note="Good baseline"),
    )
    library.annotate(ids(["silver2021reward"]), AnnotationChange(status="to-read", add_tags=("RLHF",)))
    library.annotate(ids(["kaiser2017attention"]), AnnotationChange(status="skipped", add_lists=("Reading group",)))
    return library


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return make_library(tmp_path / "lib")


# Every test of the index runs twice: scanning the texts, and with the word index (forced on for
# these few papers; the window uses it from WORD_INDEX_FROM papers).
MODES = [pytest.param(False, id="scan"), pytest.param(True, id="word-index")]


@pytest.fixture(params=MODES)
def index(library: Library, request: pytest.FixtureRequest) -> SearchIndex:
    index = SearchIndex(library, word_index=request.param, word_index_from=0)
    library.events.connect_ids(index.invalidate)
    return index


def keys(library: Library, ids: list[str]) -> list[str]:
    return [library.papers[pid].key for pid in ids]


def search(index: SearchIndex, text: str) -> list[str]:
    return keys(index.library, index.filter(parse_query(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", KEYS),
        ("neural", ["muller2019graph", "kaiser2017attention"]),
        ("neural networks graph", ["muller2019graph"]),
        ('"neural networks to quantum"', ["muller2019graph"]),  # across a line break
        ('"networks for molecules"', ["muller2019graph"]),
        ('"molecules klaus"', []),  # not across fields
        ("baseline", ["muller2019graph"]),  # note
        ("thesis", ["muller2019graph"]),  # list
        ("gnn", ["muller2019graph"]),  # tag
        ("scholkopf2021", ["scholkopf2021causal"]),  # citation key
        ("SCHÖLKOPF", ["scholkopf2021causal"]),
        ("müller", ["muller2019graph"]),
        ("cosic", ["muller2019graph"]),
        ("lukasz", ["kaiser2017attention"]),
        ("title:graph", ["muller2019graph"]),
        ("title:learning", ["scholkopf2021causal"]),
        ("author:Schölkopf", ["scholkopf2021causal"]),
        ("author:silver", ["silver2021reward"]),
        ("abstract:neural", ["muller2019graph", "kaiser2017attention"]),
        ("abstract:graph", ["scholkopf2021causal", "muller2019graph"]),  # "graphical"
        ("abstract:causal", ["scholkopf2021causal"]),
        ("abstract:towards", []),
        ("-abstract:*", ["anon2020untitled"]),
        ("note:baseline", ["muller2019graph"]),
        ("note:*", ["muller2019graph"]),
        ("venue:iclr", ["muller2019graph", "silver2021reward"]),
        ("key:2021", ["scholkopf2021causal", "silver2021reward"]),
        ("tag:rl", ["scholkopf2021causal"]),
        ("tag:rl*", ["scholkopf2021causal", "silver2021reward"]),
        ('tag:"deep learning"', ["muller2019graph"]),
        ("tag:deep", []),
        ("tag:*", ["scholkopf2021causal", "muller2019graph", "silver2021reward"]),
        ("-tag:*", ["kaiser2017attention", "anon2020untitled"]),
        ("list:thesis", ["muller2019graph"]),
        ('list:"reading group"', ["kaiser2017attention"]),
        ("list:*", ["muller2019graph", "kaiser2017attention"]),
        ("status:read", ["muller2019graph"]),
        ("status:new", ["anon2020untitled"]),
        ("status:to-read", ["silver2021reward"]),
        ("-status:skipped -status:new", ["scholkopf2021causal", "muller2019graph", "silver2021reward"]),
        ("track:oral", ["silver2021reward"]),
        ("track:*", ["muller2019graph", "silver2021reward"]),
        ("year:2021", ["scholkopf2021causal", "silver2021reward"]),
        ("year:2018..2020", ["muller2019graph"]),
        ("year:>=2019", ["scholkopf2021causal", "muller2019graph", "silver2021reward"]),
        ("year:<2019", ["kaiser2017attention"]),
        ("-year:*", ["anon2020untitled"]),
        ("-year:2021", ["muller2019graph", "kaiser2017attention", "anon2020untitled"]),
        ("-neural", ["scholkopf2021causal", "silver2021reward", "anon2020untitled"]),
        ("-tag:rl", ["muller2019graph", "kaiser2017attention", "silver2021reward", "anon2020untitled"]),
        ("attention OR reward", ["kaiser2017attention", "silver2021reward"]),
        ("year:2021 causal OR enough", ["scholkopf2021causal", "silver2021reward"]),
        ("networks -graph OR -tag:*", ["kaiser2017attention"]),
        ("tag:gnn OR status:skipped -neural", []),
        ("tag:gnn OR status:skipped -molecules", ["kaiser2017attention"]),
        ("http://example.org", []),
    ],
)
def test_each_kind_of_query_returns_exactly_the_expected_papers(
    index: SearchIndex, text: str, expected: list[str]
) -> None:
    assert search(index, text) == expected


def test_results_follow_the_order_of_the_ids_given(index: SearchIndex, library: Library) -> None:
    wanted = library.ids_for_keys(["silver2021reward", "anon2020untitled", "scholkopf2021causal"])
    assert keys(library, index.filter(parse_query("year:2021"), wanted[::-1])) == [
        "scholkopf2021causal",
        "silver2021reward",
    ]
    assert index.filter(parse_query("year:2021"), ["no-such-id"]) == []
    assert index.filter(parse_query(""), wanted) == wanted


def test_invalidate_picks_up_a_changed_note_and_tag(index: SearchIndex, library: Library) -> None:
    assert search(index, "replicate") == []
    assert search(index, "tag:todo") == []
    [pid] = library.ids_for_keys(["kaiser2017attention"])
    library.annotate([pid], AnnotationChange(note="Replicate table 2", add_tags=("todo",), status="reading"))
    assert search(index, "replicate") == ["kaiser2017attention"]
    assert search(index, "note:table") == ["kaiser2017attention"]
    assert search(index, "tag:todo") == ["kaiser2017attention"]
    assert search(index, "status:reading") == ["scholkopf2021causal", "kaiser2017attention"]
    library.annotate([pid], AnnotationChange(remove_tags=("todo",)))
    assert search(index, "tag:todo") == []


def test_a_long_note_with_wide_characters_is_found_in_every_way_and_after_it_changes(
    index: SearchIndex, library: Library
) -> None:
    # A note of thousands of characters with one above U+00FF: the index keeps its text compactly.
    filler = " ".join(f"word{i}" for i in range(2000))
    [pid] = library.ids_for_keys(["kaiser2017attention"])
    library.annotate([pid], AnnotationChange(note=f"Über → {filler} Replicate Table 2 ≠ ablation", add_tags=("todo",)))
    for text in ("replicate", "uber", "≠ ablation", "note:table", "note:\"word1999 replicate\"", "tag:todo word7"):
        assert search(index, text) == ["kaiser2017attention"], text
    assert "kaiser2017attention" not in search(index, "-note:replicate")
    assert search(index, "note:attention") == []  # the title is not the note
    library.annotate([pid], AnnotationChange(note="Short now"))
    assert search(index, "replicate") == []
    assert search(index, "note:short") == ["kaiser2017attention"]
    assert search(index, "note:baseline") == ["muller2019graph"]


def test_without_the_listener_the_index_is_stale_until_invalidated(library: Library) -> None:
    index = SearchIndex(library)
    assert search(index, "tag:todo") == []
    [pid] = library.ids_for_keys(["kaiser2017attention"])
    library.annotate([pid], AnnotationChange(add_tags=("todo",)))
    assert search(index, "tag:todo") == []  # documented: the caller wires library.events
    index.invalidate([pid])
    assert search(index, "tag:todo") == ["kaiser2017attention"]


def test_new_papers_are_found_after_an_import(index: SearchIndex, library: Library) -> None:
    assert search(index, "diffusion") == []
    library.import_papers([Paper(id="", key="ho2020denoising", title="Denoising Diffusion", authors=["Jonathan Ho"])])
    assert search(index, "diffusion") == ["ho2020denoising"]
    assert index.filter(parse_query(""))[-1] == library.ids_for_keys(["ho2020denoising"])[0]


def test_typing_reuses_the_previous_result_and_still_agrees(index: SearchIndex, library: Library) -> None:
    text = "neural netw -graph"
    for end in range(len(text) + 1):
        query = parse_query(text[:end], lenient=True)
        assert index.filter_incremental(query) == index.filter(query), text[:end]
    assert keys(library, index.filter_incremental(parse_query(text))) == ["kaiser2017attention"]


def test_incremental_result_is_not_reused_after_a_change(index: SearchIndex, library: Library) -> None:
    assert keys(library, index.filter_incremental(parse_query("graph"))) == ["scholkopf2021causal", "muller2019graph"]
    [pid] = library.ids_for_keys(["silver2021reward"])
    library.annotate([pid], AnnotationChange(note="graph search"))
    assert keys(library, index.filter_incremental(parse_query('"graph sea"'))) == ["silver2021reward"]


def test_incremental_result_is_not_reused_for_another_scope(index: SearchIndex, library: Library) -> None:
    first = library.ids_for_keys(["muller2019graph"])
    assert keys(library, index.filter_incremental(parse_query("gr"), first)) == ["muller2019graph"]
    everything = list(library.papers)
    assert keys(library, index.filter_incremental(parse_query("graph"), everything)) == [
        "scholkopf2021causal",
        "muller2019graph",
    ]


def test_matches_one_paper(index: SearchIndex, library: Library) -> None:
    [pid] = library.ids_for_keys(["silver2021reward"])
    assert index.matches(parse_query("track:oral reward"), pid)
    assert not index.matches(parse_query("track:poster"), pid)


def test_filter_papers_parses_and_filters(library: Library) -> None:
    assert keys(library, filter_papers(library, "author:muller OR author:kaiser")) == [
        "muller2019graph",
        "kaiser2017attention",
    ]
    with pytest.raises(QueryError, match="unclosed quote"):
        filter_papers(library, '"graph')


# -- the fast path and the general path agree ----------------------------------------------------------

_WORDS = [
    "neural", "graph", "networks", "learning", "causal", "reward", "is", "re", "a", "ne", "ö", "ł",
    "kaiser", "muller", "müller", "rl", "rlhf", "gnn", "thesis", "baseline", "deep learning",
    "networks to", "zzz",
]  # fmt: skip
_FIELDS = ["", "", "", "title:", "author:", "abstract:", "note:", "venue:", "key:", "tag:", "list:", "status:"]
_TERM = st.builds(
    lambda neg, field, word, star: f'{neg}{field}"{word}"{star}',
    st.sampled_from(["", "", "-"]),
    st.sampled_from(_FIELDS),
    st.sampled_from(_WORDS),
    st.sampled_from(["", "", "*"]),
)
_YEAR = st.sampled_from(["year:2021", "year:2018..2020", "-year:*", "year:<2020", "year:>=2019"])
_CLAUSE = st.lists(st.one_of(_TERM, _YEAR), min_size=1, max_size=3).map(" OR ".join)


@pytest.fixture(scope="module", params=MODES)
def shared_index(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> SearchIndex:
    library = make_library(tmp_path_factory.mktemp("search") / "lib")
    return SearchIndex(library, word_index=request.param, word_index_from=0)


def reference(index: SearchIndex, text: str) -> list[str]:
    query = parse_query(text)
    library = index.library
    return [pid for pid in library.papers if query.matches(library.papers[pid], library.annotation(pid))]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=4))
def test_fast_path_agrees_with_the_reference(shared_index: SearchIndex, words: list[str]) -> None:
    text = " ".join(f'"{w}"' for w in words)
    assert parse_query(text).is_plain
    assert shared_index.filter(parse_query(text)) == reference(shared_index, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CLAUSE, max_size=4).map(" ".join))
def test_general_path_agrees_with_the_reference(shared_index: SearchIndex, text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError:
        return
    assert shared_index.filter(query) == reference(shared_index, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CLAUSE, max_size=3).map(" ".join), st.lists(_CLAUSE, max_size=3).map(" ".join))
def test_a_narrowing_query_never_finds_more(shared_index: SearchIndex, first: str, second: str) -> None:
    try:
        before, after = parse_query(first), parse_query(f"{first} {second}")
    except QueryError:
        return
    assert after.narrows(before)
    assert set(shared_index.filter(after)) <= set(shared_index.filter(before))


# -- the bundled catalogue ----------------------------------------------------------------------------


def test_bundled_catalogue_author_and_track(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    assert len(library) == 860
    index = SearchIndex(library)
    # data/iclr2021-accepted.md has 8 author lines naming "Bernhard Schölkopf" (grep -c Schölkopf)
    found = index.filter(parse_query("author:scholkopf"))
    assert len(found) == 8
    assert all("Bernhard Schölkopf" in library.papers[pid].authors for pid in found)
    assert index.filter(parse_query("scholkopf")) == found
    assert len(index.filter(parse_query("track:oral"))) == 53
    assert len(index.filter(parse_query("track:spotlight"))) == 114
    assert len(index.filter(parse_query("track:poster"))) == 693


def test_many_papers_order_words_by_a_sample_and_still_agree(tmp_path: Path) -> None:
    library = Library(tmp_path / "big")
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    library.import_papers(
        Paper(id="", key=f"p{i}", title=" ".join(w for k, w in enumerate(words) if i % (k + 2) == 0) + f" {i}")
        for i in range(6000)
    )
    index = SearchIndex(library)
    for text in ["alpha beta", "zeta alpha gamma", "beta 59", "delta zzz"]:
        assert index.filter(parse_query(text)) == reference(index, text), text
    assert len(index.filter(parse_query("alpha beta"))) == 1000  # i divisible by 2 and 3
