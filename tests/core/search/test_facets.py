"""Facet values, filtering and counts (counts ignore the facet's own choice)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.search import facets


def test_counts_and_apply_on_the_catalogue(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    ids = list(library.papers)
    library.annotate(ids[:10], AnnotationChange(status="read", add_tags=("rl", "theory")))
    library.annotate(ids[5:15], AnnotationChange(add_lists=("Group",)))
    none = facets.counts(library, ids, {})
    assert none["track"] == Counter({"Poster": 693, "Spotlight": 114, "Oral": 53})
    assert none["status"] == Counter({"new": 850, "read": 10})
    assert none["tags"] == Counter({"": 850, "rl": 10, "theory": 10})
    assert none["lists"] == Counter({"": 850, "Group": 10})
    assert none["year"] == Counter({"2021": 860})

    selection = {"status": frozenset({"read"}), "track": frozenset({"Oral"})}
    kept = facets.apply(library, ids, selection)
    assert kept == [p for p in ids[:10] if library.papers[p].track == "Oral"]
    counted = facets.counts(library, ids, selection)
    # status is counted among Oral papers, track among read papers: each ignores its own choice
    oral = [p for p in ids if library.papers[p].track == "Oral"]
    assert counted["status"] == Counter(library.annotation(p).status for p in oral)
    assert counted["track"] == Counter(library.papers[p].track for p in ids[:10])
    assert sum(counted["year"].values()) == len(kept)


SELECTIONS: list[facets.Selection] = [
    {},
    {"status": frozenset({"read"})},
    {"status": frozenset({"read", "new"}), "track": frozenset({"Oral", "Poster"})},
    {"tags": frozenset({"rl"}), "lists": frozenset({"Group", ""}), "year": frozenset({"2021"})},
    {"venue": frozenset({"ICLR", ""}), "tags": frozenset({""}), "status": frozenset({"reading"})},
    {"tags": frozenset({"no such tag"})},
    {"trash": frozenset({"trash"})},
    {"trash": frozenset({"trash", ""}), "status": frozenset({"read"})},
]


def counter_agrees(library: Library, counter: facets.FacetCounter) -> None:
    everything = list(library.papers)
    some = everything[::-3]  # another order, and not every paper
    for ids in (everything, some):
        for selection in SELECTIONS:
            assert counter.counts(ids, selection) == facets.counts(library, ids, selection)
            assert counter.apply(ids, selection) == facets.apply(library, ids, selection)


def test_the_counter_answers_as_the_reference_and_follows_edits_and_imports(iclr_library_dir: Path) -> None:
    from papershelf.core.model import Paper

    library = Library(iclr_library_dir)
    counter = facets.FacetCounter(library)
    library.events.connect_ids(counter.invalidate)
    ids = list(library.papers)
    counter_agrees(library, counter)
    library.annotate(ids[:10], AnnotationChange(status="read", add_tags=("rl", "theory")))
    counter_agrees(library, counter)
    library.annotate(ids[5:15], AnnotationChange(add_lists=("Group",), remove_tags=("rl",), status="reading"))
    counter_agrees(library, counter)
    assert counter.counts(ids, {})["tags"]["rl"] == 5
    library.trash(ids[3:7])
    counter_agrees(library, counter)
    assert counter.counts(ids, {})["tags"]["rl"] == 3  # the Trash hides two of them
    library.restore_from_trash(ids[3:5])
    counter_agrees(library, counter)
    library.import_papers([Paper(id="", key="", title="A new paper", authors=["Ana Lee"], year=2019, venue="ICML")])
    counter_agrees(library, counter)
    assert counter.counts(list(library.papers), {})["venue"]["ICML"] == 1


def test_a_sync_in_steps_keeps_edits_made_between_steps(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    counter = facets.FacetCounter(library)
    library.events.connect_ids(counter.invalidate)
    ids = list(library.papers)
    counter.start_sync()
    steps = 0
    while not counter.sync_step(0.0):  # 860 papers: a step of 2,048 is all of them, then the end
        steps += 1
        library.annotate([ids[0], ids[-1]], AnnotationChange(status="read", add_tags=("between",)))
    assert steps >= 1
    assert not counter.syncing
    assert counter.counts(ids, {})["tags"]["between"] == 2
    counter_agrees(library, counter)


def test_a_question_during_a_sync_in_steps_finishes_it(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    counter = facets.FacetCounter(library)
    counter.start_sync()
    assert counter.syncing
    assert counter.counts(list(library.papers), {})["track"]["Oral"] == 53
    assert not counter.syncing


def test_papers_imported_while_a_sync_is_under_way_are_counted(tmp_path: Path) -> None:
    from papershelf.core.model import Paper

    library = Library(tmp_path / "lib")
    library.import_papers(Paper(id="", key="", title=f"Paper {i}", authors=["A B"], year=2020) for i in range(3000))
    counter = facets.FacetCounter(library)
    library.events.connect_ids(counter.invalidate)
    counter.start_sync()
    assert not counter.sync_step(0.0)  # the first 2,048 papers only
    library.import_papers([Paper(id="", key="new", title="A new paper", authors=["C D"], year=2021)])
    counts = counter.counts(list(library.papers), {})
    assert counts["year"] == Counter({"2020": 3000, "2021": 1})
    counter_agrees(library, counter)


def test_a_rebuild_in_steps_answers_from_the_old_codes_meanwhile(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    counter = facets.FacetCounter(library)
    library.events.connect_ids(counter.invalidate)
    ids = list(library.papers)
    assert counter.counts(ids, {})["status"] == Counter({"new": 860})
    counter.start_rebuild()
    library.annotate(ids[:3], AnnotationChange(status="read"))
    assert counter.counts(ids, {})["status"] == Counter({"new": 857, "read": 3})
    assert counter.syncing  # the question did not need the rebuild to finish
    counter.finish()
    counter_agrees(library, counter)
