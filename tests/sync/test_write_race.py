"""A save by another program in the last instant of a sync's write (after its last check, before its
rename) is never lost: it is kept beside the notes file as a conflict copy, which the next sync merges."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.core.storage.store import BACKUP_DIR, temp_files_of
from papershelf.sync.syncer import DISPLACED_DEVICE, sync, sync_steps
from tests.sync.helpers import KEYS, annotate, library, note, replace_in

A, B = KEYS[0], KEYS[1]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    lib = library(tmp_path / "lib")
    annotate(lib, A, note="Notes on A.")
    annotate(lib, B, note="Notes on B.")
    return lib


def save_in_place(path: Path) -> None:
    """An editor that truncates the file and writes its text into it (the same file)."""
    text = path.read_text(encoding="utf-8").replace("Notes on A.", "Notes on A, saved at the last instant.")
    with path.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
        handle.write(text)


def save_by_rename(path: Path) -> None:
    """An editor that writes a temp file and renames it over the notes file (a new file)."""
    text = path.read_text(encoding="utf-8").replace("Notes on A.", "Notes on A, saved at the last instant.")
    temp = path.with_name(".notes.md.editor-save")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


@pytest.mark.parametrize("save", [save_in_place, save_by_rename])
def test_a_save_made_between_the_last_check_and_the_rename_is_kept_and_merged_next(
    lib: Library, tmp_path: Path, save: object
) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, B, note="Notes on B, typed in the app.")
    saves: list[None] = []

    def editor_saves_in_the_window() -> None:
        if not saves:
            saves.append(save(notes))  # type: ignore[operator]

    report = sync(lib, notes, on_replace=editor_saves_in_the_window)
    assert saves == [None]
    assert report.written
    [copy] = report.displaced
    assert copy.parent == notes.parent
    assert DISPLACED_DEVICE in copy.name
    assert "Notes on A, saved at the last instant." in copy.read_text(encoding="utf-8")
    assert any(copy.name in problem.reason for problem in report.problems)
    assert "Notes on B, typed in the app." in notes.read_text(encoding="utf-8")

    merged = sync(lib, notes)
    assert note(lib, A) == "Notes on A, saved at the last instant."
    assert note(lib, B) == "Notes on B, typed in the app."
    assert "Notes on A, saved at the last instant." in notes.read_text(encoding="utf-8")
    assert [path.parent.name for path in merged.taken_in] == [BACKUP_DIR]
    assert not copy.exists()
    assert not sync(lib, notes).written


def test_a_save_caught_by_the_last_check_merges_again_and_leaves_no_copy(lib: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, B, note="Notes on B, typed in the app.")
    calls: list[int] = []

    def editor_saves_before_the_last_check() -> None:
        calls.append(1)
        if len(calls) == 1:
            replace_in(notes, "Notes on A.", "Notes on A, saved during the sync.")

    report = sync(lib, notes, on_before_write=editor_saves_before_the_last_check)
    assert report.attempts == 2
    assert report.displaced == []
    assert note(lib, A) == "Notes on A, saved during the sync."
    assert sorted(p.name for p in notes.parent.iterdir() if p.is_file()) == ["notes.md"]


def test_a_file_created_in_the_window_is_not_clobbered(lib: Library, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    created: list[int] = []

    def another_program_creates_it() -> None:
        if not created:
            created.append(1)
            notes.write_text("# Someone else's file\n", encoding="utf-8")

    report = sync(lib, notes, on_replace=another_program_creates_it)
    assert report.attempts == 2
    text = notes.read_text(encoding="utf-8")
    assert text.startswith("# Someone else's file")
    assert "Notes on A." in text


@pytest.mark.parametrize("saved", [True, False])
def test_a_sync_in_steps_dropped_while_it_compares_what_it_swapped_out_loses_no_save(
    lib: Library, tmp_path: Path, saved: bool
) -> None:
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    annotate(lib, B, note="Notes on B, typed in the app.")
    saves: list[None] = []

    def editor_saves_in_the_window() -> None:  # in place, the same size: only reading it tells
        if saved and not saves:
            text = notes.read_text(encoding="utf-8").replace("Notes on A.", "Notes on A!")
            with notes.open("r+", encoding="utf-8") as handle:
                handle.write(text)
            saves.append(None)

    steps = sync_steps(lib, notes, on_replace=editor_saves_in_the_window)
    while "Notes on B, typed in the app." not in notes.read_text(encoding="utf-8"):
        next(steps)  # until the new version is in place: what was there is being compared with what was read
    assert temp_files_of(notes)

    steps.close()  # the window drops the sync (a new notes file chosen, the window closed)

    assert temp_files_of(notes) == []
    copies = list(tmp_path.glob(f"notes.sync-conflict-*-{DISPLACED_DEVICE}.md"))
    if saved:  # the save swapped out is kept as a conflict copy, merged by the next sync
        [copy] = copies
        assert "Notes on A!" in copy.read_text(encoding="utf-8")
        sync(lib, notes)
        assert note(lib, A) == "Notes on A!"
    else:  # what was swapped out is what the sync read: nothing to keep
        assert copies == []
        sync(lib, notes)
        assert note(lib, A) == "Notes on A."
    assert note(lib, B) == "Notes on B, typed in the app."
    assert not sync(lib, notes).written
