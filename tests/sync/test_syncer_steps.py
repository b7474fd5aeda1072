"""A sync in steps (the window's, for a large notes file) writes what a sync at once writes, and never
takes what the user typed while it paused."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.storage import store as store_module
from papershelf.core.storage.migrations import ANNOTATIONS_FILE
from papershelf.core.storage.store import temp_files_of
from papershelf.sync import state as sync_state
from papershelf.sync import syncer
from papershelf.sync.syncer import SyncReport, sync, sync_steps
from tests.sync.helpers import replace_in

PAPERS = 300


def big_library(folder: Path) -> Library:
    library = Library(folder)
    library.import_papers(
        Paper(id="", key=f"paper{n:04d}", title=f"Paper number {n}", authors=["Ann Author"], year=2021, venue="X")
        for n in range(PAPERS)
    )
    library.restore({})
    return library


def ids(library: Library) -> list[str]:
    return [library.paper(f"paper{n:04d}").id for n in range(PAPERS)]


def drive(steps: Generator[None, None, SyncReport], at_pause: Callable[[int], None] | None = None) -> SyncReport:
    pause = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            report: SyncReport = done.value
            return report
        if at_pause is not None:
            at_pause(pause)
        pause += 1


def annotations(library: Library) -> dict[str, tuple[str, str, list[str]]]:
    return {pid: (library.annotation(pid).note, library.annotation(pid).status, library.annotation(pid).tags)
            for pid in library.papers}


def test_a_sync_in_steps_writes_what_a_sync_at_once_writes(tmp_path: Path) -> None:
    library = big_library(tmp_path / "a")
    every = ids(library)
    for n, pid in enumerate(every[:200]):
        library.annotate([pid], AnnotationChange(note=f"Note {n}\n\n" + "text " * 300, status="reading"))
    notes = tmp_path / "notes-a" / "notes.md"
    notes.parent.mkdir()
    sync(library, notes)
    for n in range(0, 200, 7):  # edits in the file, and others in the app
        replace_in(notes, f"Note {n}\n", f"Note {n}, edited in the file\n")
    library.annotate(every[1:200:9], AnnotationChange(note="changed in the app"))
    library.annotate(every[250:260], AnnotationChange(add_tags=("new",)))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.copytree(tmp_path / "notes-a", tmp_path / "notes-b")
    twin = Library(tmp_path / "b")
    twin_notes = tmp_path / "notes-b" / "notes.md"
    sync_state.commit(twin, notes_file=twin_notes)  # the copy syncs with its own copy of the file

    at_once = sync(library, notes)
    paused: list[int] = []
    in_steps = drive(sync_steps(twin, twin_notes), paused.append)

    assert len(paused) >= PAPERS // syncer.STEP_SECTIONS  # it did pause, often
    assert annotations(twin) == annotations(library)
    assert twin_notes.read_bytes() == notes.read_bytes()
    assert (sorted(in_steps.to_library), sorted(in_steps.to_file), in_steps.conflicts) == (
        sorted(at_once.to_library), sorted(at_once.to_file), at_once.conflicts)
    in_file, in_app = set(range(0, 200, 7)), set(range(1, 200, 9))
    assert sorted(at_once.to_library) == sorted(every[n] for n in in_file - in_app)
    assert set(at_once.conflicts) == {every[n] for n in in_file & in_app} != set()


def test_a_note_typed_while_the_sync_pauses_is_kept_as_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "FSYNC_POLL_S", 60.0)  # no pause for a slow disk: the same pauses twice
    library = big_library(tmp_path / "lib")
    every = ids(library)
    library.annotate(every, AnnotationChange(note="The note as synced."))
    notes = tmp_path / "notes.md"
    sync(library, notes)
    target = every[123]
    replace_in(notes, "<!-- papershelf:key=paper0123 -->\n**Status:** new\n\nThe note as synced.",
               "<!-- papershelf:key=paper0123 -->\n**Status:** new\n\nRewritten in the file.")

    merging: list[int] = []  # the pauses before the library is written, counted on a twin (a copy)
    twin, twin_notes = Library(shutil.copytree(library.folder, tmp_path / "twin")), tmp_path / "twin.md"
    shutil.copy(notes, twin_notes)
    sync_state.commit(twin, notes_file=twin_notes)
    writes = twin.write_counts()["annotations"]
    drive(sync_steps(twin, twin_notes), lambda pause: None if twin.write_counts()["annotations"] > writes
          else merging.append(pause))

    typed: list[int] = []

    def type_once(pause: int) -> None:
        if pause == merging[-1]:  # the last pause: every paper merged, nothing written yet
            library.annotate([target], AnnotationChange(note="Typed in the window meanwhile."))
            typed.append(pause)

    report = drive(sync_steps(library, notes), type_once)

    assert typed == merging[-1:]

    assert library.annotation(target).note == "Typed in the window meanwhile."
    assert report.conflicts == {target: ("note",)}
    text = notes.read_text(encoding="utf-8")
    assert "Typed in the window meanwhile." in text
    assert "Rewritten in the file." in text  # the file's side, in the conflict block


def test_typing_at_every_pause_still_ends_with_a_sync_of_what_was_typed(tmp_path: Path) -> None:
    library = big_library(tmp_path / "lib")
    every = ids(library)
    library.annotate(every, AnnotationChange(note="First."))
    notes = tmp_path / "notes.md"
    sync(library, notes)

    def type_always(pause: int) -> None:
        library.annotate([every[pause % PAPERS]], AnnotationChange(note=f"Typed at pause {pause}."))

    drive(sync_steps(library, notes), type_always)

    text = notes.read_text(encoding="utf-8")
    for pid in every:
        note = library.annotation(pid).note
        assert note in text  # every note as the library has it now reached the file
    assert not syncer.sync(library, notes).to_library  # and the next sync takes nothing back


# -- the durable writes in steps: annotations.json and the notes file, a megabyte or so at a time ----------


def long_notes_synced(folder: Path, notes: Path) -> Library:
    """A library whose notes (5 KB each, 1.5 MB in all) are in the notes file, then rewritten in the file:
    the next sync takes 1.5 MB into the library, so both of its writes take several steps."""
    library = big_library(folder)
    for n, pid in enumerate(ids(library)):
        library.annotate([pid], AnnotationChange(note=f"Note {n}.\n\n" + "Some text about it. " * 250))
    sync(library, notes)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace("Some text about it.", "Rewritten in the file."), encoding="utf-8")
    return library


def twin_of(library: Library, notes: Path, where: Path) -> tuple[Library, Path]:
    twin, twin_notes = Library(shutil.copytree(library.folder, where / "lib")), where / "notes.md"
    shutil.copy(notes, twin_notes)
    sync_state.commit(twin, notes_file=twin_notes)
    return twin, twin_notes


def writing(path: Path) -> bool:
    return bool(temp_files_of(path))


@pytest.mark.parametrize("when", ["just before", "first write", "last write"])
def test_a_note_typed_while_the_library_is_written_in_steps_is_never_written_over(
    tmp_path: Path, when: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "FSYNC_POLL_S", 60.0)  # no pause for a slow disk: the same pauses twice
    notes = tmp_path / "notes.md"
    library = long_notes_synced(tmp_path / "lib", notes)
    store = library.folder / ANNOTATIONS_FILE
    twin, twin_notes = twin_of(library, notes, tmp_path / "twin")
    during: list[int] = []  # the pauses while annotations.json is being written, counted on the twin
    drive(sync_steps(twin, twin_notes), lambda pause: during.append(pause) if writing(twin.folder / ANNOTATIONS_FILE)
          else None)
    assert len(during) >= 4  # both writes of annotations.json took more than one step
    target = ids(library)[7]
    at = {"just before": during[0] - 1, "first write": during[0], "last write": during[-1]}[when]
    typed: list[int] = []

    def type_once(pause: int) -> None:
        if pause == at:
            assert writing(store) == (when != "just before")
            library.annotate([target], AnnotationChange(note="Typed while the library was written."))
            typed.append(pause)

    drive(sync_steps(library, notes), type_once)

    assert typed == [at]

    assert library.annotation(target).note == "Typed while the library was written."
    assert temp_files_of(store) == []
    text = notes.read_text(encoding="utf-8")
    if when != "last write":  # the merge started again: the file's version is the other side of a conflict
        assert "Typed while the library was written." in text
        assert sync_state.conflicts(library) == {target: ("note",)}
    every_text = text + "".join(version.note for version in library.note_history(target))
    assert "Note 7.\n\nRewritten in the file." in every_text  # the file's version is not lost either
    assert not sync(library, notes).to_library
    assert library.annotation(target).note == "Typed while the library was written."


@pytest.mark.parametrize("file", ["annotations.json", "the notes file"])
def test_a_sync_dropped_while_it_writes_is_finished_by_the_next_sync(tmp_path: Path, file: str) -> None:
    notes = tmp_path / "notes.md"
    library = long_notes_synced(tmp_path / "lib", notes)
    library.annotate(ids(library)[::10], AnnotationChange(note="Changed in the app."))  # the file is written too
    twin, twin_notes = twin_of(library, notes, tmp_path / "twin")
    uninterrupted = sync(twin, twin_notes)
    assert uninterrupted.conflicts  # (both sides changed every tenth note)
    watched = library.folder / ANNOTATIONS_FILE if file == "annotations.json" else notes
    steps = sync_steps(library, notes)
    while not writing(watched):
        next(steps)
    next(steps)  # a step more into the write

    steps.close()  # the window drops a sync under way (a new notes file chosen, the window closed)

    assert temp_files_of(watched) == []
    report = sync(library, notes)
    assert annotations(library) == annotations(twin)
    assert notes.read_bytes() == twin_notes.read_bytes()
    assert report.conflicts == uninterrupted.conflicts
    assert sync_state.base(library) == sync_state.base(twin)
    assert not sync(library, notes).to_library


def test_the_file_edited_while_its_new_version_is_written_loses_nothing(tmp_path: Path) -> None:
    # Sections written back as they are in the file are read from it again as the new version is
    # written: an edit that lands meanwhile must make the sync merge again, never mix versions.
    notes = tmp_path / "notes.md"
    library = long_notes_synced(tmp_path / "lib", notes)
    target = ids(library)[5]
    library.annotate(ids(library)[::10], AnnotationChange(note="Changed in the app."))  # the file is written too
    steps = sync_steps(library, notes)
    while not writing(notes):
        next(steps)
    replace_in(notes, "Note 5.\n", "Note 5, edited in the file while the sync wrote.\n")

    report = drive(steps)

    assert report.attempts > 1  # merged again
    assert library.annotation(target).note.startswith("Note 5, edited in the file while the sync wrote.")
    text = notes.read_text(encoding="utf-8")
    assert "Note 5, edited in the file while the sync wrote." in text
    assert text.count("Rewritten in the file.") == 250 * PAPERS  # (both sides changed: a conflict keeps both)
    assert text.count("Changed in the app.") == PAPERS // 10
    assert len(report.conflicts) == PAPERS // 10
    assert not sync(library, notes).to_library


def test_the_file_edited_right_after_it_was_read_is_merged_again_from_the_edit(tmp_path: Path) -> None:
    # Split in steps, each section's bytes are read from the file again (the whole file is not held
    # through the split): an edit that lands after the first read must not be split half old, half new.
    notes = tmp_path / "notes.md"
    library = long_notes_synced(tmp_path / "lib", notes)
    target = ids(library)[7]

    def edit_once(pause: int) -> None:
        if pause == 1:  # the file was read and hashed (one pause, 1.5 MB), not yet split
            replace_in(notes, "Note 7.\n", "Note 7, edited right after the sync read the file.\n")

    report = drive(sync_steps(library, notes), edit_once)

    assert report.attempts > 1  # merged again
    assert library.annotation(target).note.startswith("Note 7, edited right after the sync read the file.")
    for pid in ids(library):
        assert library.annotation(pid).note.endswith("Rewritten in the file.")
    assert report.conflicts == {}
    assert not sync(library, notes).to_library
