"""Syncthing and Dropbox: a conflict copy beside the notes file is merged in once, then set aside."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.sync import state as sync_state
from papershelf.sync.engines import conflict_copies, conflict_copy_engine
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, annotate, library, note, pid, replace_in, section_text

A, B, C = KEYS[:3]
COPIES = [
    "notes.sync-conflict-20261204-101530-7QXK2LM.md",
    "notes (conflicted copy 2026-12-04).md",
    "notes (Ann Baker's conflicted copy 2026-12-04).md",
]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="A as both machines had it.", status="reading")
    annotate(lib, B, note="B as both machines had it.", status="to-read")
    annotate(lib, C, note="C, soon deleted here.")
    return lib


@pytest.mark.parametrize("name", COPIES)
def test_a_conflict_copy_is_merged_field_by_field_then_moved_to_the_backups(
    lib: Library, tmp_path: Path, name: str
) -> None:
    notes = tmp_path / "sync" / "notes.md"
    notes.parent.mkdir()
    sync(lib, notes)
    # The other machine's version, as the engine left it beside the file.
    copy = notes.parent / name
    copy.write_bytes(notes.read_bytes())
    replace_in(copy, "A as both machines had it.", "A, changed on the other machine only.")
    replace_in(copy, "**Status:** to-read", "**Status:** skipped")
    replace_in(copy, "C, soon deleted here.", "C, changed on the other machine.")
    # Meanwhile here, in the file: B's status changed differently, and C's section deleted.
    replace_in(notes, "**Status:** to-read", "**Status:** read")
    notes.write_text(notes.read_text(encoding="utf-8").replace(section_text(notes, C), ""), encoding="utf-8")

    report = sync(lib, notes)
    assert note(lib, A) == "A, changed on the other machine only."  # changed on one side only: taken
    assert lib.annotation(pid(lib, B)).status == "read"  # changed on both sides: a conflict, both kept
    assert report.conflicts == {pid(lib, B): ("status",)}
    assert "**Status:** skipped" in section_text(notes, B).split("<!-- papershelf:conflict -->")[1]
    assert note(lib, C) == "C, changed on the other machine."  # the other machine's edit beats a deletion
    assert not copy.exists()
    backup = lib.folder / "backups" / name
    assert report.taken_in == [backup]
    assert "A, changed on the other machine only." in backup.read_text(encoding="utf-8")
    assert any(name in p.reason for p in report.problems)

    again = sync(lib, notes)  # taken in once
    assert (again.taken_in, again.written, again.to_library) == ([], False, [])


def test_a_section_missing_from_the_file_but_in_a_copy_as_last_synced_is_kept(lib: Library, tmp_path: Path) -> None:
    """The copy can be this machine's own version, which lost the engine's race to one that never had the
    section: clearing the note would drop what was typed here. So the section comes back (a deletion made
    here is undone, which loses nothing); only a section with no note in it stays deleted."""
    notes = tmp_path / "notes.md"
    annotate(lib, KEYS[3], status="read")  # a section without a note
    sync(lib, notes)
    copy = tmp_path / COPIES[0]
    copy.write_bytes(notes.read_bytes())
    for key in (C, KEYS[3]):
        notes.write_text(notes.read_text(encoding="utf-8").replace(section_text(notes, key), ""), encoding="utf-8")
    report = sync(lib, notes)
    assert note(lib, C) == "C, soon deleted here."
    assert "C, soon deleted here." in notes.read_text(encoding="utf-8")
    assert lib.annotation(pid(lib, KEYS[3])).status == "new"
    assert report.conflicts == {}
    assert report.taken_in == [lib.folder / "backups" / COPIES[0]]


def race_lost(lib: Library, tmp_path: Path, other_note: str) -> tuple[Path, str]:
    """This machine typed into A's note and synced; the engine then kept the other machine's version of the
    file (A's note there: ``other_note``) and left this machine's own as the conflict copy."""
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, A, note="A as both machines had it.\n\nTyped here, then synced.")
    sync(lib, notes)
    theirs = notes.read_text(encoding="utf-8").replace("A as both machines had it.\n\nTyped here, then synced.",
                                                      other_note)
    (tmp_path / COPIES[0]).write_bytes(notes.read_bytes())
    notes.write_text(theirs, encoding="utf-8")
    return notes, pid(lib, A)


def test_a_note_typed_here_is_not_dropped_when_this_machine_lost_the_engines_race(
    lib: Library, tmp_path: Path
) -> None:
    notes, a = race_lost(lib, tmp_path, "A, rewritten on the other machine.")
    report = sync(lib, notes)
    assert report.conflicts == {a: ("note",)}  # both kept: which is newer cannot be told
    assert note(lib, A) == "A as both machines had it.\n\nTyped here, then synced."
    assert "A, rewritten on the other machine." in section_text(notes, A).split("papershelf:conflict")[1]


def test_an_older_note_in_the_winning_version_does_not_replace_the_newer_one(lib: Library, tmp_path: Path) -> None:
    notes, _ = race_lost(lib, tmp_path, "A as both machines had it.")  # the other machine never saw the edit
    report = sync(lib, notes)
    assert report.conflicts == {}
    assert note(lib, A) == "A as both machines had it.\n\nTyped here, then synced."
    assert "Typed here, then synced." in section_text(notes, A)


def test_a_note_the_winning_version_only_added_to_is_taken(lib: Library, tmp_path: Path) -> None:
    notes, _ = race_lost(lib, tmp_path, "A as both machines had it.\n\nTyped here, then synced.\n\nAnd there.")
    report = sync(lib, notes)
    assert report.conflicts == {}
    assert note(lib, A) == "A as both machines had it.\n\nTyped here, then synced.\n\nAnd there."


def test_conflict_copies_are_recognised_by_name_only_for_this_notes_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    for name in COPIES:
        assert conflict_copy_engine(notes, name) == ("Syncthing" if "sync-conflict" in name else "Dropbox")
    for name in ["notes.md", "notes.md.bak", "notes (conflicted copy).md", "other (conflicted copy 2026-12-04).md",
                 "notes.sync-conflict-2026-ABC.md", "notes.sync-conflict-20261204-101530-7QXK2LM.txt"]:
        assert conflict_copy_engine(notes, name) is None
    for name in [*COPIES, "notes.md", "unrelated.md"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert sorted(c.path.name for c in conflict_copies(notes)) == sorted(COPIES)


def test_a_copy_older_than_the_last_sync_does_not_undo_an_edit_made_here(lib: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    before = notes.read_bytes()
    annotate(lib, A, note="A, rewritten here after the copy was made.", status="read")
    sync(lib, notes)
    # The other machine's version arrives now, made from the file as it was before: it changed B's status
    # only, and still has A's old note and status.
    copy = tmp_path / COPIES[1]
    copy.write_bytes(before)
    replace_in(copy, "**Status:** to-read", "**Status:** skipped")

    report = sync(lib, notes)
    a = lib.annotation(pid(lib, A))
    assert (a.note, a.status) == ("A, rewritten here after the copy was made.", "read")
    # The old note is one this library replaced (it is in the history): not a change. A status the copy
    # has differently may be old or new: both are kept, as a conflict, for the person to choose.
    assert report.conflicts == {pid(lib, A): ("status",), pid(lib, B): ("status",)}
    assert "A, rewritten here after the copy was made." in section_text(notes, A).split("papershelf:conflict")[0]


SYNC_KILLED_AFTER_THE_FILE_WRITE = r"""
import os, signal, sys
from papershelf.core.library import Library
from papershelf.sync import syncer
syncer.sync(Library(sys.argv[1]), sys.argv[2], on_after_write=lambda: os.kill(os.getpid(), signal.SIGKILL))
"""


def copy_beside(folder: Path) -> tuple[Library, Path, Path]:
    """A synced library whose notes file got a Syncthing copy and an edit of its own."""
    lib = library(folder / "lib")
    annotate(lib, A, note="A as both machines had it.", status="reading")
    annotate(lib, B, note="B as both machines had it.", status="to-read")
    notes = folder / "notes.md"
    sync(lib, notes)
    copy = folder / COPIES[0]
    copy.write_bytes(notes.read_bytes())
    replace_in(copy, "A as both machines had it.", "A, changed on the other machine only.")
    replace_in(copy, "**Status:** to-read", "**Status:** skipped")
    replace_in(notes, "**Status:** to-read", "**Status:** read")
    return lib, notes, copy


def test_a_sync_killed_before_the_copy_is_set_aside_ends_as_an_uninterrupted_one(tmp_path: Path) -> None:
    lib, notes, copy = copy_beside(tmp_path / "whole")
    sync(lib, notes)
    expected = (notes.read_bytes(), {p: lib.annotation(p).to_doc()["note"] for p in lib.papers},
                sync_state.conflicts(lib))

    lib, notes, copy = copy_beside(tmp_path / "killed")
    proc = subprocess.run([sys.executable, "-c", SYNC_KILLED_AFTER_THE_FILE_WRITE, str(lib.folder), str(notes)],
                          capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert copy.exists()  # killed after the file write, before the copy was set aside
    lib = Library(lib.folder)
    report = sync(lib, notes)
    notes_now = {p: lib.annotation(p).to_doc()["note"] for p in lib.papers}
    assert (notes.read_bytes(), notes_now, sync_state.conflicts(lib)) == expected
    assert report.taken_in == [lib.folder / "backups" / copy.name]
    assert not copy.exists()


def race_won(lib: Library, tmp_path: Path, other_note: str) -> tuple[Path, str]:
    """This machine added a paragraph to A's note and synced; the engine kept this machine's version and
    left the other machine's (made without that paragraph; A's note there: ``other_note``) as the copy."""
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, A, note="A as both machines had it.\n\nTyped here, then synced.")
    sync(lib, notes)
    copy = tmp_path / COPIES[0]
    copy.write_bytes(notes.read_bytes())
    replace_in(copy, "A as both machines had it.\n\nTyped here, then synced.", other_note)
    return notes, pid(lib, A)


def test_a_copy_that_leaves_out_a_paragraph_typed_here_later_is_a_conflict_not_taken(
    lib: Library, tmp_path: Path
) -> None:
    notes, a = race_won(lib, tmp_path, "A as both machines had it.\n\nAdded on the other machine.")
    report = sync(lib, notes)
    assert report.conflicts == {a: ("note",)}
    assert note(lib, A) == "A as both machines had it.\n\nTyped here, then synced."
    block = section_text(notes, A).split("papershelf:conflict")[1]
    assert "Added on the other machine." in block
    assert "Typed here, then synced." not in block  # the block holds the copy's paragraphs, not ours again


def test_a_copy_that_changes_a_note_ours_only_ever_had_is_taken_and_ours_is_in_the_history(
    lib: Library, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    copy = tmp_path / COPIES[0]
    copy.write_bytes(notes.read_bytes())
    replace_in(copy, "A as both machines had it.", "A, rewritten on the other machine.")
    report = sync(lib, notes)
    assert report.conflicts == {}
    assert note(lib, A) == "A, rewritten on the other machine."
    assert "A as both machines had it." in [version.note for version in lib.note_history(pid(lib, A))]


def test_a_copy_without_a_paragraph_typed_here_since_the_last_sync_is_a_conflict(
    lib: Library, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    copy = tmp_path / COPIES[0]
    copy.write_bytes(notes.read_bytes())
    replace_in(copy, "A as both machines had it.", "A, rewritten on the other machine.")
    annotate(lib, A, note="A as both machines had it.\n\nTyped here since the last sync.")
    report = sync(lib, notes)
    assert report.conflicts == {pid(lib, A): ("note",)}
    assert note(lib, A) == "A as both machines had it.\n\nTyped here since the last sync."
    assert "A, rewritten on the other machine." in section_text(notes, A).split("papershelf:conflict")[1]
