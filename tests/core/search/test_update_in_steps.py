"""A change to thousands of rows (a notes-file sync) is recomputed in steps when the index is told to."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.derived import DerivedIndex
from papershelf.core.search.index import SearchIndex
from papershelf.core.search.query import parse_query

PAPERS = 3 * DerivedIndex.LARGE_CHANGE


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "library")
    library.import_papers(
        Paper(id="", key=f"paper{n}", title=f"Paper number {n}", authors=["Ann Author"], year=2020)
        for n in range(PAPERS)
    )
    return library


def stepped_index(library: Library) -> SearchIndex:
    index = SearchIndex(library)
    index.build()
    index.update_in_steps = True
    library.events.connect_ids(index.invalidate)
    return index


def test_a_large_change_is_recomputed_in_steps(library: Library) -> None:
    index = stepped_index(library)
    ids = list(library.papers)[: 2 * DerivedIndex.LARGE_CHANGE]
    library.annotate(ids, AnnotationChange(note="Notes about a quokka, taken from the notes file."))
    assert index.working
    steps = 1
    while not index.step(0.0):
        steps += 1
    assert steps >= len(ids) // DerivedIndex.STEP_ROWS * 8
    assert not index.working
    assert index.filter(parse_query("quokka")) == ids


def test_a_question_meanwhile_finishes_the_work_first(library: Library) -> None:
    index = stepped_index(library)
    ids = list(library.papers)[-2 * DerivedIndex.LARGE_CHANGE :]
    library.annotate(ids, AnnotationChange(note="A wombat."))
    index.step(0.0)  # one step done, the rest pending
    assert index.working
    assert index.filter(parse_query("wombat")) == ids
    assert not index.working


def test_changes_meanwhile_are_kept_and_a_small_change_is_applied_at_once(library: Library) -> None:
    index = stepped_index(library)
    every = list(library.papers)
    library.annotate(every[: 2 * DerivedIndex.LARGE_CHANGE], AnnotationChange(note="first words"))
    index.step(0.0)
    library.annotate(every[:10], AnnotationChange(note="second thoughts"))  # while it works in steps
    while not index.step(0.0):
        pass
    assert index.filter(parse_query("second")) == every[:10]
    assert index.filter(parse_query("first")) == every[10 : 2 * DerivedIndex.LARGE_CHANGE]
    library.annotate(every[-5:], AnnotationChange(note="third"))
    assert not index.working  # a small change: at once
    assert index.filter(parse_query("third")) == every[-5:]


def test_without_update_in_steps_a_large_change_is_applied_at_once(library: Library) -> None:
    index = SearchIndex(library)
    index.build()
    library.events.connect_ids(index.invalidate)
    ids = list(library.papers)[: 2 * DerivedIndex.LARGE_CHANGE]
    library.annotate(ids, AnnotationChange(note="echidna"))
    assert not index.working
    assert index.filter(parse_query("echidna")) == ids
