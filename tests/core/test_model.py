"""A paper keeps its authors joined in one string and its abstract possibly on disk: what callers read and
write through ``Paper.authors`` and ``Paper.abstract`` is what they were given, whatever the text."""

from __future__ import annotations

import copy
import dataclasses
import sys
import tracemalloc
from collections.abc import Callable

import orjson
import pytest

from papershelf.core.model import Paper

NAMES = [
    [], ["Ada Lovelace"], ["A", "B", "C"], [""], ["", ""], ["Ünïcödé 名前", "𝄞 Clef"], ["with\x1erecord sep", "B"],
    ["trailing", ""], ["  spaced  ", "\t"], ["{Société Générale}", "van der Berg, J."],
]  # fmt: skip


@pytest.mark.parametrize("names", NAMES)
def test_the_authors_read_are_the_authors_given(names: list[str]) -> None:
    paper = Paper("id", "key", "Title", list(names))
    assert paper.authors == names
    assert Paper.from_doc(paper.to_doc()).authors == names
    assert paper.to_doc()["authors"] == names
    assert dataclasses.replace(paper).authors == names
    assert copy.deepcopy(paper) == paper
    paper.authors = [*names, "Added Later"]
    assert paper.authors == [*names, "Added Later"]


def test_the_list_read_is_the_callers_own() -> None:
    given = ["A", "B"]
    paper = Paper("id", "key", "Title", given)
    given.append("C")  # the caller's list, changed after: the paper keeps what it was given
    read = paper.authors
    read.append("D")
    assert paper.authors == ["A", "B"]
    assert paper.authors is not paper.authors


def test_papers_with_the_same_authors_are_equal_and_others_are_not() -> None:
    assert Paper("i", "k", "T", ["A", "B"]) == Paper("i", "k", "T", ["A", "B"])
    assert Paper("i", "k", "T", ["A", "B"]) != Paper("i", "k", "T", ["A B"])
    assert Paper("i", "k", "T", []) != Paper("i", "k", "T", [""])


def held_after(make: Callable[[], list[Paper]]) -> int:
    tracemalloc.start()
    try:
        made = make()
        held = tracemalloc.get_traced_memory()[0]
        assert made
        return held
    finally:
        tracemalloc.stop()


def test_papers_read_from_their_documents_hold_their_authors_in_less_memory_than_the_lists() -> None:
    authors = [[f"Author {n} {m}" for m in range(5)] for n in range(2000)]
    with_authors = orjson.dumps([Paper(str(n), str(n), "T", names).to_doc() for n, names in enumerate(authors)])
    without = orjson.dumps([Paper(str(n), str(n), "T", []).to_doc() for n in range(2000)])
    cost = held_after(lambda: [Paper.from_doc(d) for d in orjson.loads(with_authors)]) - held_after(
        lambda: [Paper.from_doc(d) for d in orjson.loads(without)])
    as_lists = sum(sys.getsizeof(names) + sum(map(sys.getsizeof, names)) for names in authors)
    assert cost < as_lists // 2


def test_a_paper_made_from_its_columns_is_the_paper_with_every_slot_set() -> None:
    """``paper_columns`` / ``papers_from_states`` (catalogue.cache) cover all a paper holds: a field added to
    ``Paper`` without them fails here, not as a paper missing an attribute after a start from the cache."""
    from papershelf.core.model import STATE, paper_columns, papers_from_states

    papers = [
        Paper("a", "ka", "Title", ["Ann Ö", "Bob"], 2020, "ICLR", "Oral", "Abstract.", "https://x", "10.1/x",
              "inproceedings", {"booktitle": "Proc."}, "2026-01-01T00:00:00+00:00", ["old"]),
        Paper("b", "kb", "", [], None, "", None, ""),
        Paper("c", "kc", "T", [""], 1),
    ]
    columns = paper_columns(papers)
    assert set(columns) == {*STATE, "file"}
    made = papers_from_states(zip(*(columns[name] for name in STATE), strict=True), None)
    assert made == papers
    assert [p.to_doc() for p in made] == [p.to_doc() for p in papers]
    for paper in made:
        assert all(hasattr(paper, slot) for slot in Paper.__slots__), [s for s in Paper.__slots__
                                                                        if not hasattr(paper, s)]
