"""Typed library events: each change is announced once it is durable, with the right ids and fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.events import (
    AnnotationsChanged,
    Events,
    LibraryEvent,
    ListsChanged,
    PapersAdded,
    PapersChanged,
    PapersRemoved,
)
from papershelf.core.library import AnnotationChange, Library, ReadOnlyError
from papershelf.core.model import Annotation, Paper
from papershelf.core.storage.store import StoreError


def paper(title: str, authors: list[str], year: int = 2021, **fields: object) -> Paper:
    return Paper(id="", key="", title=title, authors=authors, year=year, **fields)  # type: ignore[arg-type]


class Recorder:
    """Every event the library emits, in order."""

    def __init__(self, library: Library) -> None:
        self.events: list[LibraryEvent] = []
        library.events.connect(LibraryEvent, self.heard)

    def heard(self, event: LibraryEvent) -> None:
        self.events.append(event)

    def take(self) -> list[LibraryEvent]:
        events, self.events = self.events, []
        return events


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.import_papers([paper("Deep Nets", ["Wei Chen"]), paper("Graph Nets", ["Ada Lovelace"])])
    return lib


def pid_of(library: Library, key: str) -> str:
    return library.paper(key).id


def test_annotate_announces_the_papers_and_the_fields_that_changed(library: Library) -> None:
    seen = Recorder(library)
    a, b = pid_of(library, "chen2021deep"), pid_of(library, "lovelace2021graph")
    library.annotate([a, b], AnnotationChange(status="reading"))
    assert seen.take() == [AnnotationsChanged((a, b), frozenset({"status"}))]
    library.annotate([a], AnnotationChange(add_tags=("gnn",), note="first thoughts"))
    assert seen.take() == [AnnotationsChanged((a,), frozenset({"tags", "note"}))]
    library.annotate([a], AnnotationChange(note="first thoughts"))  # nothing changes: nothing is announced
    assert seen.take() == []


def test_import_of_new_papers_announces_papers_added(library: Library) -> None:
    seen = Recorder(library)
    summary = library.import_papers([paper("Deep Trees", ["Li Chen"]), paper("Deep Nets", ["Wei Chen"])])
    assert summary.imported == ["chen2021deepa"]
    assert seen.take() == [PapersAdded((pid_of(library, "chen2021deepa"),))]


def test_import_that_merges_announces_papers_changed_with_the_fields_filled_in(library: Library) -> None:
    seen = Recorder(library)
    existing = pid_of(library, "chen2021deep")
    summary = library.import_papers([
        paper("Deep Nets", ["Wei Chen"], track="Oral", abstract="Nets, deeply."),
        paper("Wide Nets", ["Wei Chen"]),
    ])
    assert summary.merged == [("", "chen2021deep")]
    assert seen.take() == [
        PapersChanged((existing,), frozenset({"track", "abstract"})),
        PapersAdded((pid_of(library, "chen2021wide"),)),
    ]
    assert library.papers[existing].track == "Oral"  # the library is current when the event arrives


def test_a_chosen_merge_announces_the_combined_annotation_the_kept_paper_and_the_one_gone(
    library: Library,
) -> None:
    keep, gone = pid_of(library, "chen2021deep"), pid_of(library, "lovelace2021graph")
    library.annotate([gone], AnnotationChange(status="read"))
    seen = Recorder(library)
    library.merge_papers("chen2021deep", "lovelace2021graph")
    assert seen.take() == [
        AnnotationsChanged((keep,), frozenset({"status"})),
        PapersChanged((keep,), frozenset({"aliases", "authors"})),  # the other's key and authors join it
        PapersRemoved((gone,)),
    ]
    assert gone not in library.papers


def test_reading_lists_created_renamed_and_deleted(library: Library) -> None:
    seen = Recorder(library)
    a = pid_of(library, "chen2021deep")
    library.create_list("to discuss")
    assert seen.take() == [ListsChanged(("to discuss",))]
    library.create_list("to discuss")  # already there: no write, no event
    assert seen.take() == []

    library.annotate([a], AnnotationChange(add_lists=("reading group",)))  # a list made by adding to it
    assert seen.take() == [
        AnnotationsChanged((a,), frozenset({"lists"})),
        ListsChanged(("reading group",)),
    ]
    library.rename_list("reading group", "journal club")
    assert seen.take() == [
        AnnotationsChanged((a,), frozenset({"lists"})),
        ListsChanged(("reading group", "journal club")),
    ]
    library.delete_list("to discuss")  # no paper in it
    assert seen.take() == [ListsChanged(("to discuss",))]
    library.delete_list("journal club")
    assert seen.take() == [AnnotationsChanged((a,), frozenset({"lists"})), ListsChanged(("journal club",))]
    assert library.annotation(a).lists == []


def test_restore_announces_what_differs_from_before(library: Library) -> None:
    a = pid_of(library, "chen2021deep")
    before = library.annotation(a).copy()
    library.annotate([a], AnnotationChange(rating=4, priority=2))
    seen = Recorder(library)
    library.restore({a: before})  # undo
    assert seen.take() == [AnnotationsChanged((a,), frozenset({"rating", "priority"}))]


def test_restoring_a_note_version_announces_a_note_change(library: Library) -> None:
    a = pid_of(library, "chen2021deep")
    library.annotate([a], AnnotationChange(note="first draft"))
    library.annotate([a], AnnotationChange(note="second draft"))
    seen = Recorder(library)
    library.restore_note_version(a, 1)
    assert library.annotation(a).note == "first draft"
    assert seen.take() == [AnnotationsChanged((a,), frozenset({"note"}))]


def test_generic_commit_announces_the_annotations_it_wrote(library: Library) -> None:
    a = pid_of(library, "chen2021deep")
    ann = library.annotation(a).copy()
    ann.tags = ["from the file"]
    seen = Recorder(library)
    library.commit(annotations={a: ann}, tables={"elsewhere": {a: {"x": 1}}})
    assert seen.take() == [AnnotationsChanged((a,), frozenset({"tags"}))]
    library.commit(tables={"elsewhere": {a: None}})  # no annotation written: nothing to announce
    assert seen.take() == []
    assert library.table("elsewhere") == {}


def test_a_failed_write_announces_nothing(tmp_path: Path) -> None:
    Library(tmp_path / "lib").import_papers([paper("Deep Nets", ["Wei Chen"])])
    library = Library(tmp_path / "lib", read_only=True)
    seen = Recorder(library)
    a = pid_of(library, "chen2021deep")
    with pytest.raises(ReadOnlyError):
        library.annotate([a], AnnotationChange(status="read"))
    with pytest.raises(StoreError):
        library.import_papers([paper("Wide Nets", ["Wei Chen"])])
    with pytest.raises(StoreError):
        library.create_list("never")
    assert seen.take() == []
    assert library.annotation(a) == Annotation(added=library.papers[a].added)


def test_handlers_hear_only_their_kind_and_can_leave(library: Library) -> None:
    added: list[PapersAdded] = []
    changed_ids: list[tuple[str, ...]] = []
    library.events.connect(PapersAdded, added.append)
    library.events.connect(PapersAdded, added.append)  # connecting twice still calls it once
    library.events.connect_ids(changed_ids.append)
    a = pid_of(library, "chen2021deep")
    library.annotate([a], AnnotationChange(status="read"))
    library.create_list("quiet")  # no paper named: the ids handler does not hear it
    library.import_papers([paper("Wide Nets", ["Wei Chen"])])
    wide = pid_of(library, "chen2021wide")
    assert added == [PapersAdded((wide,))]
    assert changed_ids == [(a,), (wide,)]

    library.events.disconnect(PapersAdded, added.append)
    library.events.disconnect_ids(changed_ids.append)
    library.import_papers([paper("Tall Nets", ["Wei Chen"])])
    assert (len(added), len(changed_ids)) == (1, 2)


def test_a_failing_handler_does_not_keep_the_others_from_hearing() -> None:
    events = Events()
    heard: list[str] = []

    def failing(event: ListsChanged) -> None:
        heard.append("failing")
        raise RuntimeError("listener bug")

    events.connect(ListsChanged, failing)
    events.connect(ListsChanged, lambda event: heard.append("after"))
    with pytest.raises(RuntimeError, match="listener bug"):
        events.emit(ListsChanged(("x",)))
    assert heard == ["failing", "after"]


def test_subscribe_returns_the_way_out() -> None:
    events = Events()
    heard: list[object] = []
    leave = events.subscribe({ListsChanged: heard.append, PapersAdded: heard.append})
    events.emit(PapersAdded(("p",)))
    leave()
    events.emit(PapersAdded(("q",)))
    events.emit(ListsChanged(("x",)))
    assert heard == [PapersAdded(("p",))]


def test_only_library_events_can_be_connected() -> None:
    with pytest.raises(TypeError, match="not a library event type"):
        Events().connect(str, print)
