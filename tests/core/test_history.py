"""Note history: replaced notes are kept (bounded), listed newest first, and can be restored."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core import history
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper


def test_push_keeps_the_newest_twenty_without_repeats_or_empties() -> None:
    doc = None
    for n in range(25):
        doc = history.push(doc, f"version {n}", history.EDIT, f"2021-01-01T00:00:{n:02}+00:00") or doc
    assert history.push(doc, "version 24", history.EDIT, "later") is None  # already kept
    assert history.push(doc, "  \n", history.EDIT, "later") is None  # nothing to get back
    versions = history.versions(doc)
    assert len(versions) == history.MAX_VERSIONS == 20
    assert versions[0] == history.NoteVersion("version 24", "2021-01-01T00:00:24+00:00", "edit")
    assert versions[-1].note == "version 5"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.import_papers([Paper(id="", key="", title="Notes that change", authors=["Ann Adams"], year=2021)])
    return lib


def test_edits_keep_the_notes_they_replace_and_survive_a_reopen(library: Library) -> None:
    [pid] = library.papers
    for text in ("first draft", "second draft", "final"):
        library.annotate([pid], AnnotationChange(note=text))
    library.annotate([pid], AnnotationChange(status="read"))  # not a note change: nothing kept
    assert [v.note for v in library.note_history(pid)] == ["second draft", "first draft"]
    assert {v.source for v in library.note_history(pid)} == {"edit"}
    reopened = Library(library.folder)
    assert [v.note for v in reopened.note_history(pid)] == ["second draft", "first draft"]


def test_restoring_a_version_keeps_the_note_it_replaces(library: Library) -> None:
    [pid] = library.papers
    library.annotate([pid], AnnotationChange(note="old thoughts"))
    library.annotate([pid], AnnotationChange(note="new thoughts"))
    writes = library.write_counts()["annotations"]
    library.restore_note_version(pid, 1)
    assert library.write_counts()["annotations"] == writes + 1  # note and history in one write
    assert library.annotation(pid).note == "old thoughts"
    assert [(v.note, v.source) for v in library.note_history(pid)] == [("new thoughts", "restore"),
                                                                        ("old thoughts", "edit")]
    assert Library(library.folder).annotation(pid).note == "old thoughts"
    with pytest.raises(ValueError, match="no version 3"):
        library.restore_note_version(pid, 3)


def test_an_edit_and_the_note_it_replaces_are_one_write(library: Library) -> None:
    [pid] = library.papers
    library.annotate([pid], AnnotationChange(note="v1"))
    writes = library.write_counts()["annotations"]
    library.annotate([pid], AnnotationChange(note="v2"))
    assert library.write_counts()["annotations"] == writes + 1
    assert [v.note for v in Library(library.folder).note_history(pid)] == ["v1"]
    library.annotate([pid], AnnotationChange(note="v3"), keep_note_history=False)
    assert [v.note for v in library.note_history(pid)] == ["v1"]


def test_a_full_history_evicts_conflict_versions_last() -> None:
    from papershelf.core import history

    doc = history.push(None, "the file's side of a conflict", history.CONFLICT, "t0", limit=3)
    for n in range(5):
        doc = history.push(doc, f"edit {n}", history.EDIT, f"t{n + 1}", limit=3)
    notes = [v.note for v in history.versions(doc)]
    assert notes == ["edit 4", "edit 3", "the file's side of a conflict"]


def test_a_full_history_evicts_versions_whose_text_a_newer_one_still_has_first() -> None:
    """A note typed in steps leaves versions that are each a part of the next: those go before a version
    with text no other one has (a note the sync replaced by another machine's), however old it is."""
    doc = history.push(None, "Only this version has these words.", history.FILE, "t0", limit=5)
    note = "Start."
    for n in range(8):
        doc = history.push(doc, note, history.EDIT, f"t{n + 1}", limit=5)
        note += f"\n\nStep {n}."
    notes = [v.note for v in history.versions(doc)]
    assert len(notes) == 5
    assert notes[-1] == "Only this version has these words."
    assert notes[0].endswith("Step 6.")


def test_the_version_just_kept_is_never_the_one_a_full_history_lets_go() -> None:
    """Even when every older version is a conflict's file side (kept last), the newest one stays."""
    doc = None
    for n in range(3):
        doc = history.push(doc, f"the file's side {n}", history.CONFLICT, f"t{n}", limit=3)
    doc = history.push(doc, "the note a resolve replaced", history.RESOLVE, "t9", limit=3)
    notes = [v.note for v in history.versions(doc)]
    assert notes == ["the note a resolve replaced", "the file's side 2", "the file's side 1"]
