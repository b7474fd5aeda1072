"""The Trash: moving papers there and back, what it hides, and emptying it for good without losing notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from papershelf.core.events import AnnotationsChanged, LibraryEvent, PapersRemoved
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Annotation, Paper
from papershelf.core.search import facets
from papershelf.core.search.index import filter_papers


def paper(title: str, authors: list[str], year: int = 2021) -> Paper:
    return Paper(id="", key="", title=title, authors=authors, year=year)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.import_papers([paper("Deep Nets", ["Wei Chen"]), paper("Graph Nets", ["Ada Lovelace"]),
                       paper("Sparse Codes", ["Alan Turing"])])
    return lib


def ids(library: Library, *keys: str) -> list[str]:
    return [library.paper(k).id for k in keys]


def stored(folder: Path, name: str) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = orjson.loads((folder / name).read_bytes())
    return data


def test_moving_to_the_trash_and_back_keeps_the_annotation_and_is_one_write_each(library: Library) -> None:
    deep, graph = ids(library, "chen2021deep", "lovelace2021graph")
    library.annotate([deep], AnnotationChange(status="reading", add_tags=("gnn",), note="my thoughts"))
    heard: list[LibraryEvent] = []
    library.events.connect(LibraryEvent, heard.append)
    writes = library.write_counts()["annotations"]

    assert library.trash([deep, graph]) == [deep, graph]
    assert library.write_counts()["annotations"] == writes + 1
    assert heard == [AnnotationsChanged((deep, graph), frozenset({"trashed"}))]
    assert library.trashed_ids() == [deep, graph]
    assert library.live_ids() == ids(library, "turing2021sparse")
    first_time = library.annotation(deep).trashed
    assert first_time
    assert library.trash([deep]) == []  # already there: it keeps the time it was moved

    reopened = Library(library.folder)  # durable
    assert reopened.trashed_ids() == [deep, graph]
    assert reopened.annotation(deep).trashed == first_time

    heard.clear()
    assert library.restore_from_trash([deep, graph]) == [deep, graph]
    assert heard == [AnnotationsChanged((deep, graph), frozenset({"trashed"}))]
    back = library.annotation(deep)
    assert (back.status, back.tags, back.note, back.trashed) == ("reading", ["gnn"], "my thoughts", "")
    assert "trashed" not in stored(library.folder, "annotations.json")["annotations"][deep]


def test_an_annotation_round_trips_its_trash_time_and_a_wrong_one_is_repaired() -> None:
    ann = Annotation(status="read", trashed="2026-01-02T03:04:05+00:00")
    assert Annotation.from_doc(ann.to_doc()) == ann
    assert "trashed" not in Annotation().to_doc()
    repairs: list[str] = []
    assert Annotation.from_doc({"status": "read", "trashed": 5}, repairs).trashed == "5"
    assert repairs == ["trashed 5 was a number, now text"]


def test_facets_and_search_hide_the_trash_unless_it_is_chosen(library: Library) -> None:
    deep, graph, sparse = ids(library, "chen2021deep", "lovelace2021graph", "turing2021sparse")
    library.annotate([deep, graph], AnnotationChange(status="read"))
    library.trash([deep])
    everything = list(library.papers)
    counter = facets.FacetCounter(library)

    for shown in (facets.apply(library, everything, {}), counter.apply(everything, {})):
        assert shown == [graph, sparse]
    counted = facets.counts(library, everything, {})
    assert counted["status"] == Counter({"read": 1, "new": 1})  # the trashed paper is in no count
    assert counted["trash"] == Counter({"": 2, "trash": 1})  # but the Trash counts it
    assert counter.counts(everything, {}) == counted

    in_trash = {"trash": frozenset({"trash"})}
    assert facets.apply(library, everything, in_trash) == counter.apply(everything, in_trash) == [deep]
    assert facets.counts(library, everything, in_trash)["status"] == Counter({"read": 1})
    assert counter.counts(everything, in_trash) == facets.counts(library, everything, in_trash)

    assert filter_papers(library, "nets") == [graph]
    assert filter_papers(library, "nets", in_trash=True) == [deep]
    assert filter_papers(library, "") == [graph, sparse]


def test_emptying_removes_papers_and_annotations_and_keeps_what_the_user_typed(library: Library) -> None:
    deep, graph, sparse = ids(library, "chen2021deep", "lovelace2021graph", "turing2021sparse")
    library.annotate([deep], AnnotationChange(note="first draft"))
    library.annotate([deep], AnnotationChange(note="second draft", add_tags=("gnn",), add_lists=("Thesis",)))
    library.trash([deep, graph])
    assert library.trash_losses([deep, graph]) == {"papers": 2, "note": 1, "tags": 1, "lists": 1}
    heard: list[LibraryEvent] = []
    library.events.connect(LibraryEvent, heard.append)
    writes = library.write_counts()

    assert library.empty_trash() == [deep, graph]

    assert heard == [PapersRemoved((deep, graph))]
    assert library.write_counts() == {"catalogue": writes["catalogue"] + 1, "annotations": writes["annotations"] + 1}
    assert list(library.papers) == [sparse]
    assert not library.has_key("chen2021deep")
    assert library.trashed_ids() == []
    for reopened in (library, Library(library.folder)):
        assert list(reopened.papers) == [sparse]
        assert deep not in reopened.annotated_ids()
        assert reopened.note_history(deep) == []
        kept = reopened.removed_papers()
        assert len(kept) == 1  # the never-annotated paper left nothing to keep
        assert kept[0]["paper"]["key"] == "chen2021deep"
        assert kept[0]["paper"]["title"] == "Deep Nets"
        assert kept[0]["annotation"]["note"] == "second draft"
        assert kept[0]["annotation"]["tags"] == ["gnn"]
        assert kept[0]["annotation"]["lists"] == ["Thesis"]
        assert [v["note"] for v in kept[0]["note_history"]["versions"]] == ["first draft"]
    assert "chen2021deep" not in (library.folder / "catalogue.json").read_text()


def test_emptying_only_papers_in_the_trash_and_a_paper_outside_changes_nothing(library: Library) -> None:
    deep, graph, sparse = ids(library, "chen2021deep", "lovelace2021graph", "turing2021sparse")
    library.trash([deep, graph])
    before = (library.folder / "catalogue.json").read_bytes(), (library.folder / "annotations.json").read_bytes()
    with pytest.raises(ValueError, match="not in the Trash: turing2021sparse"):
        library.empty_trash([deep, sparse])
    assert ((library.folder / "catalogue.json").read_bytes(), (library.folder / "annotations.json").read_bytes()) \
        == before
    assert library.empty_trash([graph]) == [graph]
    assert library.trashed_ids() == [deep]
    assert library.empty_trash([]) == []


def test_an_emptying_cut_short_between_its_two_writes_is_finished_on_the_next_open(library: Library) -> None:
    deep, sparse = ids(library, "chen2021deep", "turing2021sparse")
    library.annotate([deep], AnnotationChange(note="keep me"))
    library.trash([deep])
    library.catalogue.remove([deep])  # the first write of empty_trash, and then the power went out

    reopened = Library(library.folder)
    assert list(reopened.papers) == [ids(library, "lovelace2021graph")[0], sparse]
    assert deep not in reopened.annotated_ids()
    assert deep not in stored(reopened.folder, "annotations.json")["annotations"]
    assert [doc["annotation"]["note"] for doc in reopened.removed_papers()] == ["keep me"]


def test_a_paper_imported_again_after_emptying_comes_back_outside_the_trash(library: Library) -> None:
    library.trash(ids(library, "chen2021deep"))
    library.empty_trash()
    library.import_papers([paper("Deep Nets", ["Wei Chen"])])
    assert library.has_key("chen2021deep")
    assert library.trashed_ids() == []


def test_more_like_this_and_recommendations_never_offer_a_paper_in_the_trash(iclr_library_dir: Path) -> None:
    from papershelf.core.similar import SimilarityIndex

    library = Library(iclr_library_dir)
    index = SimilarityIndex.load_or_build(library)
    seed = library.paper("chen2021drnas").id
    library.annotate([seed], AnnotationChange(status="read"))
    nearest = [pid for pid, _ in index.similar(seed, 5)]
    recommended = [pid for pid, _ in index.recommend(library, 5)]
    library.trash([nearest[0], recommended[0]])

    again = [pid for pid, _ in index.similar(seed, 5, hidden=library.trashed_ids())]
    assert nearest[0] not in again
    assert again[:3] == [pid for pid in nearest if pid != nearest[0]][:3]  # the rest move up
    assert recommended[0] not in [pid for pid, _ in index.recommend(library, 20)]

    library.trash([seed])  # a paper read and then put in the Trash no longer votes
    assert index.recommend(library, 5) == []
