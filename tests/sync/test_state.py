"""The sync's own state: tables of the annotations store, written with annotations in one durable write."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.events import AnnotationsChanged, LibraryEvent
from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.sync import state


def make_library(folder: Path) -> tuple[Library, str]:
    library = Library(folder)
    library.import_papers([Paper(id="", key="", title="Deep Nets", authors=["Wei Chen"], year=2021)])
    return library, library.paper("chen2021deep").id


def test_a_new_library_has_no_sync_state(tmp_path: Path) -> None:
    library, _ = make_library(tmp_path / "lib")
    assert state.notes_file_path(library) is None
    assert state.pending(library) is None
    assert state.base(library) == {}
    assert state.conflicts(library) == {}


def test_one_commit_writes_annotations_and_sync_state_together(tmp_path: Path) -> None:
    library, pid = make_library(tmp_path / "lib")
    heard: list[LibraryEvent] = []
    library.events.connect(LibraryEvent, heard.append)
    ann = library.annotation(pid).copy()
    ann.note = "from the file"
    notes = tmp_path / "notes.md"
    writes = library.write_counts()
    state.commit(
        library,
        annotations={pid: ann},
        base={pid: {"note": "from the file", "status": "new", "tags": []}},
        conflicts={pid: {"fields": ["status"], "file": {"status": "read"}}},
        notes_file=notes,
        pending={"path": str(notes), "hash": "abc"},
    )
    assert library.write_counts() == {**writes, "annotations": writes["annotations"] + 1}
    assert heard == [AnnotationsChanged((pid,), frozenset({"note"}))]

    reopened = Library(tmp_path / "lib")
    assert reopened.annotation(pid).note == "from the file"
    assert state.notes_file_path(reopened) == notes
    assert state.pending(reopened) == {"path": str(notes), "hash": "abc"}
    assert state.base(reopened)[pid]["note"] == "from the file"
    assert state.conflicts(reopened) == {pid: ("status",)}

    state.commit(reopened, conflicts={pid: {"fields": ["status"], "resolved": True}}, pending=None)
    assert state.conflicts(reopened) == {}  # resolved records are kept, but are no conflict
    assert state.conflict_records(reopened)[pid]["resolved"] is True
    assert state.pending(reopened) is None


def test_forgetting_the_notes_file_is_one_write_and_only_when_there_is_one(tmp_path: Path) -> None:
    library, _ = make_library(tmp_path / "lib")
    writes = library.write_counts()
    state.forget_notes_file(library)
    assert library.write_counts() == writes
    state.commit(library, notes_file=tmp_path / "notes.md", pending={"path": "x"})
    writes = library.write_counts()
    state.forget_notes_file(library)
    assert library.write_counts() == {**writes, "annotations": writes["annotations"] + 1}
    reopened = Library(tmp_path / "lib")
    assert state.notes_file_path(reopened) is None
    assert state.pending(reopened) is None
