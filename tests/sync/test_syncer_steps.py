"""A sync in steps (the window's, for a large notes file) writes what a sync at once writes, and never
takes what the user typed while it paused."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Generator
from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
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


def test_a_note_typed_while_the_sync_pauses_is_kept_as_a_conflict(tmp_path: Path) -> None:
    library = big_library(tmp_path / "lib")
    every = ids(library)
    library.annotate(every, AnnotationChange(note="The note as synced."))
    notes = tmp_path / "notes.md"
    sync(library, notes)
    target = every[123]
    replace_in(notes, "<!-- papershelf:key=paper0123 -->\n**Status:** new\n\nThe note as synced.",
               "<!-- papershelf:key=paper0123 -->\n**Status:** new\n\nRewritten in the file.")

    pauses: list[int] = []  # counted on a twin (a copy of the library and the file)
    twin, twin_notes = Library(shutil.copytree(library.folder, tmp_path / "twin")), tmp_path / "twin.md"
    shutil.copy(notes, twin_notes)
    sync_state.commit(twin, notes_file=twin_notes)
    drive(sync_steps(twin, twin_notes), pauses.append)

    def type_once(pause: int) -> None:
        if pause == len(pauses) - 1:  # the last pause: every paper merged, the file not written yet
            library.annotate([target], AnnotationChange(note="Typed in the window meanwhile."))

    report = drive(sync_steps(library, notes), type_once)

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
