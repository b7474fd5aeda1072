"""Without a search.cache, the window's word index is built before the columns of search text, and answers
plain words meanwhile: the same papers as ``Query.matches``, without the columns being made."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.fields import CATALOGUE_TEXT, NO_ANNOTATION, catalogue_words
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import parse_query
from tests.core.search.test_index import PAPERS, make_library

TRICKY = [
    Paper(id="", key="lp2020", title="Robust $\\ell_p$ {DNA} Sequencing", authors=["Zoë Ång", "Bo  Li "], year=2020,
          abstract="We bound the $\\alpha$-divergence\tand  the\r\nKL one; costs 5\\$ not $x$.", aliases=["old2020"]),
    Paper(id="", key="naive2019", title="Naïve  Bayes\u00a0Revisited ", authors=["Jürgen Straße"], year=2019,
          abstract="Über alles: ﬁne-tuning with an en–dash \u2003 and a no-break\u00a0space."),
    Paper(id="", key="plain2018", title="Graph Neural Networks", authors=["A Author"], year=2018, abstract=""),
]
WORDS = ["graph", "neural", "l", "caus", "rl", "baseline", "ℓp", "alpha", "α", "zzz", "graph neural", "naive",
         "fine", "straße", "strasse", "dna", "{dna}", "old2020", "gnn", "thesis", "group", "o"]


def reference(library: Library, text: str) -> list[str]:
    query = parse_query(text)
    return [pid for pid, paper in library.papers.items() if query.matches(paper, library.annotation(pid))]


def catalogue_search(paper: Paper) -> str:
    return "\n".join(field.search(paper, NO_ANNOTATION) for field in CATALOGUE_TEXT if field.search is not None)


def test_catalogue_words_are_the_words_of_the_catalogue_search_texts() -> None:
    for paper in [*PAPERS, *TRICKY]:
        assert set(catalogue_words(paper).split()) == set(catalogue_search(paper).split()), paper.key


_TEXT = st.text(st.sampled_from("ab Z\t\n\r\x0b\x1c\x1f\u00a0\u2003$\\{}_^éÖßﬁ–ℓ"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(_TEXT, max_size=3), _TEXT, st.lists(_TEXT, max_size=2))
def test_catalogue_words_agree_on_any_text(title: str, authors: list[str], abstract: str, aliases: list[str]) -> None:
    paper = Paper(id="", key="k", title=title, authors=authors, abstract=abstract, aliases=aliases)
    assert set(catalogue_words(paper).split()) == set(catalogue_search(paper).split())


@pytest.fixture(params=[1, 2], ids=["built here", "built by 2 child processes"])
def processes(request: pytest.FixtureRequest) -> int:
    if request.param > 1 and not sys.platform.startswith("linux"):
        pytest.skip("child processes build on Linux only")
    return int(request.param)


def started(folder: Path, processes: int) -> tuple[Library, SearchIndex]:
    """A library with tricky texts and annotations, its window-like index built in steps until words are
    answered from the word index built first (by ``processes`` processes)."""
    library = make_library(folder)
    library.import_papers(TRICKY)
    library.import_papers(  # (runs end on multiples of 8 rows: enough rows for each child to have one)
        Paper(id="", key=f"filler{i}", title=f"Filler number {i}", authors=["Bo Li"], year=2000 + i, abstract="x")
        for i in range(8 * processes)
    )
    index = SearchIndex(library, word_index=True, word_index_from=0, build_processes=processes)
    library.events.connect_ids(index.invalidate)
    index.start_build()
    while not index.words_answered_early:
        assert not index.build_step(0.0)  # words are answered before the build is done
    assert index.word_index_processes == processes  # (children's work is not thrown away in the tests below)
    return library, index


def test_plain_words_are_answered_from_the_word_index_before_the_columns_are_made(
    tmp_path: Path, processes: int
) -> None:
    library, index = started(tmp_path / "lib", processes)
    assert not index.ready  # nothing to answer from but the word index built first
    backwards = tuple(reversed(library.papers))
    for text in WORDS:
        query = parse_query(text)
        assert index.answers_early(query), text
        assert index.filter(query) == reference(library, text), text
        expected = set(reference(library, text))
        assert index.filter_incremental(query, backwards) == [pid for pid in backwards if pid in expected], text
    assert not index.ready  # ... and answering did not make the columns
    assert index.building
    for text in ('"graph neural"', "title:graph", "-graph", "graph OR rl", "tag:rl", "note:good", "year:2021"):
        assert not index.answers_early(parse_query(text)), text  # these wait for the columns
    while not index.build_step(0.0):
        pass
    assert index.word_indexed
    assert index.word_index_source == "built"
    assert not index.words_answered_early
    for text in [*WORDS, '"graph neural"', "-graph", "graph OR rl"]:
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_the_word_index_built_first_is_cached_with_the_texts_checksums(tmp_path: Path, processes: int) -> None:
    library, index = started(tmp_path / "lib", processes)
    while not index.build_step(0.0):
        pass
    index.wait_for_cache()
    again = SearchIndex(library, word_index=True, word_index_from=0)
    assert again.filter(parse_query("graph")) == reference(library, "graph")
    assert again.word_index_source == "cache"
    assert again.stale_share == 0.0  # every row's checksum is its catalogue text's, though other text was tokenised


def test_an_edit_during_the_build_makes_queries_wait_for_the_build(tmp_path: Path, processes: int) -> None:
    library, index = started(tmp_path / "lib", processes)
    some = list(library.papers)[:2]
    library.annotate(some, AnnotationChange(add_tags=("graphite",), note="a neural note"))
    assert not index.words_answered_early
    assert not index.answers_early(parse_query("graphite"))
    for text in ("graphite", "note", "graph"):
        assert index.filter(parse_query(text)) == reference(library, text), text
    assert index.ready


def test_an_edit_after_the_words_were_indexed_is_found_once_the_build_is_done(tmp_path: Path, processes: int) -> None:
    library, index = started(tmp_path / "lib", processes)
    index.build_step(0.0)  # the rows are being made: the word index and the annotations' text were read before
    paper = list(library.papers)[-1]
    library.annotate([paper], AnnotationChange(add_tags=("wombat",), note="burrow"))
    while not index.build_step(0.0):
        pass
    for text in ("wombat", "burrow", "graph", "rl"):
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_a_paper_changed_after_its_words_were_indexed_is_scanned_once_the_build_is_done(
    tmp_path: Path, processes: int
) -> None:
    library, index = started(tmp_path / "lib", processes)
    before = library.papers[library.ids_for_keys(["plain2018"])[0]]
    library.import_papers([Paper(id="", key="plain2018", title="Graph Neural Networks", authors=["A Author"],
                                 year=2018, abstract="Wombats dig burrows.")])  # fills in the missing abstract
    assert library.papers[library.ids_for_keys(["plain2018"])[0]] is not before
    assert not index.words_answered_early  # the word index built first has the paper as it was
    while not index.build_step(0.0):
        pass
    for text in ("wombats", "burrows", "graph"):
        assert index.filter(parse_query(text)) == reference(library, text), text
    assert 0 < index.stale_share < 1  # the changed paper is scanned until the next build
