"""The lean structures at the size they are made for: on a 10k synthetic library (the bench's generator) the
search index, with its word index and abstracts kept once, answers as ``Query.matches`` does, and the facet
counter as its reference does, after edits too."""

from __future__ import annotations

import orjson
import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.memory import PIECES_FROM
from papershelf.core.search import facets
from papershelf.core.search.index import CACHE_FILE, WORD_INDEX_FROM, SearchIndex
from papershelf.core.search.query import parse_query
from tests.bench import synth

QUERIES = [
    "graph", "g", "ne", "raph", "neural network", '"neural network"', "graph -neural", "learning OR graph",
    "title:graph", "title:learning", "author:li", "author:wang", "abstract:diffusion", "abstract:the",
    "key:2021", "venue:iclr", "tag:rl", "tag:*", "-tag:*", "list:*", "status:read", "note:*", "note:the",
    "year:2019..2020", "-year:*", "title:* -abstract:*", "zzzz", "ö", "reinforcement learning agent",
    '"of the"', "the", "a", "-the", "author:* graph", "x",
    # several terms that each scan the rows' texts (read once per block of rows, not once per term)
    "-abstract:eaq -abstract:the -abstract:ebq", '-"a bq" -"of the" graph', '"e aq" OR "of the" OR "zz q"',
    "title:graph author:li -abstract:the", "note:the OR abstract:diffusion", "-tag:* -note:* abstract:learning",
]  # fmt: skip


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("synthetic") / "lib-10k"
    synth.generate_library(folder, 10_000)  # the bench's own generator (~10 s)
    return Library(folder)


def reference(library: Library, text: str) -> list[str]:
    query = parse_query(text)
    return [pid for pid, paper in library.papers.items() if query.matches(paper, library.annotation(pid))]


def test_the_search_index_answers_as_the_query_does_on_10k_papers(library: Library) -> None:
    assert len(library) >= WORD_INDEX_FROM
    index = SearchIndex(library, word_index=True)  # as the window's: lean rows, words looked up
    library.events.connect_ids(index.invalidate)
    assert index.lean
    for text in QUERIES:
        assert index.filter(parse_query(text)) == reference(library, text), text
    assert index.word_indexed
    backwards = list(reversed(library.papers))[::5]  # a table's order, a fifth of the papers (searched as given)
    for text in QUERIES:
        expected = set(reference(library, text))
        assert index.filter(parse_query(text), backwards) == [pid for pid in backwards if pid in expected], text
    ids = list(library.papers)
    library.annotate(ids[100:140], AnnotationChange(add_tags=("graphite",), note="the neural graph of it"))
    for text in ("graph", "graphite", "tag:graphite", "note:neural", '"neural graph"', "-graph",
                 "note:neural -abstract:eaq", 'tag:graphite "neural graph" -zzzz'):
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_plain_words_answered_before_the_columns_are_made_are_right_on_10k_papers(library: Library) -> None:
    (library.folder / CACHE_FILE).unlink(missing_ok=True)  # a first opening: the word index is built first
    index = SearchIndex(library, word_index=True)
    library.events.connect_ids(index.invalidate)
    index.start_build()
    while not index.words_answered_early:
        assert not index.build_step(0.0)
    early = [text for text in QUERIES if index.answers_early(parse_query(text))]
    assert early == ["graph", "g", "ne", "raph", "neural network", "zzzz", "ö", "reinforcement learning agent", "the",
                     "a", "x"]  # every query of plain words (no phrase, field or exclusion)
    for text in early:
        assert index.filter(parse_query(text)) == reference(library, text), text
    assert not index.ready  # answered from the word index alone
    index.finish_build()
    for text in early:
        assert index.filter(parse_query(text)) == reference(library, text), text


def test_the_facet_counter_answers_as_its_reference_on_10k_papers(library: Library) -> None:
    counter = facets.FacetCounter(library)
    everything = list(library.papers)
    some = everything[::-7]
    selections = [{}, {"status": frozenset({"read"})}, {"venue": frozenset({"ICLR"}), "tags": frozenset({""})},
                  {"year": frozenset({"2021", "2019"}), "track": frozenset({"Oral"})}]
    for ids in (everything, some):
        for selection in selections:
            assert counter.counts(ids, selection) == facets.counts(library, ids, selection)
            assert counter.apply(ids, selection) == facets.apply(library, ids, selection)


def test_a_10k_catalogue_is_read_in_pieces_as_it_was_written(library: Library) -> None:
    path = library.folder / "catalogue.json"
    assert path.stat().st_size >= PIECES_FROM  # the 10k catalogue is read in pieces by default
    stored = orjson.loads(path.read_bytes())["papers"]
    again = Library(library.folder, read_only=True)
    assert {pid: paper.to_doc() for pid, paper in again.papers.items()} == stored
    assert list(again.papers) == list(stored)
