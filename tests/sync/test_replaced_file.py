"""Editors that replace the notes file (truncate then write, or a temp file renamed over it): a sync that
sees the file empty or missing in between waits for it; the edit arrives once, never as a deletion."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TextIO

from papershelf.core.library import Library
from papershelf.sync.syncer import SyncReport, sync, watch
from tests.sync.helpers import KEYS, annotate, library, note, pid

P1, P2 = KEYS[:2]


def synced(tmp_path: Path) -> tuple[Library, Path]:
    lib = library(tmp_path / "lib")
    annotate(lib, P1, note="Written in the app.", status="reading")
    annotate(lib, P2, note="Another note.")
    notes = tmp_path / "notes.md"
    sync(lib, notes)
    return lib, notes


def test_a_file_truncated_by_an_editor_is_waited_for_and_its_edit_arrives_once(tmp_path: Path) -> None:
    lib, notes = synced(tmp_path)
    edited = notes.read_text(encoding="utf-8").replace("Written in the app.", "Rewritten in the editor.")
    with notes.open("w", encoding="utf-8") as editor:  # truncated: the watcher sees an empty file
        report = sync(lib, notes, wait_if_emptied=True)
        assert report.waiting
        assert not report.written
        assert note(lib, P1) == "Written in the app."
        editor.write(edited)  # into the file it opened: still the notes file, since nothing replaced it
    report = sync(lib, notes, wait_if_emptied=True)

    assert not report.waiting
    assert report.to_library == [pid(lib, P1)]
    assert note(lib, P1) == "Rewritten in the editor."
    assert note(lib, P2) == "Another note."
    assert notes.read_text(encoding="utf-8") == edited
    assert [v.note for v in lib.note_history(pid(lib, P1))] == ["Written in the app."]  # never cleared


def test_a_file_missing_while_an_editor_renames_its_new_version_in_is_waited_for(tmp_path: Path) -> None:
    lib, notes = synced(tmp_path)
    edited = notes.read_text(encoding="utf-8").replace("Another note.", "Another note, edited.")
    backup = notes.with_name("notes.md~")
    os.replace(notes, backup)  # vim's way: the old file moved to a backup, then a new one written
    report = sync(lib, notes, wait_if_emptied=True)
    assert report.waiting
    assert not notes.exists()
    temp = notes.with_name(".notes.md.swp-new")
    temp.write_text(edited, encoding="utf-8")
    os.replace(temp, notes)
    report = sync(lib, notes, wait_if_emptied=True)

    assert report.to_library == [pid(lib, P2)]
    assert note(lib, P2) == "Another note, edited."
    assert note(lib, P1) == "Written in the app."
    assert not report.written
    assert [v.note for v in lib.note_history(pid(lib, P2))] == ["Another note."]


def test_a_sync_asked_for_rebuilds_an_emptied_file_from_the_library(tmp_path: Path) -> None:
    lib, notes = synced(tmp_path)
    notes.write_text("", encoding="utf-8")
    report = sync(lib, notes)  # not a watcher's "it changed": the person asks; nothing is cleared
    assert report.recreated
    assert "Written in the app." in notes.read_text(encoding="utf-8")
    assert note(lib, P1) == "Written in the app."


def test_the_first_sync_with_a_new_file_writes_it_even_when_waiting_is_asked(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    annotate(lib, P1, note="Written in the app.")
    notes = tmp_path / "notes.md"
    report = sync(lib, notes, wait_if_emptied=True)
    assert not report.waiting
    assert "Written in the app." in notes.read_text(encoding="utf-8")


def test_papershelf_sync_watch_waits_for_a_truncating_editor(tmp_path: Path) -> None:
    lib, notes = synced(tmp_path)
    edited = notes.read_text(encoding="utf-8").replace("Written in the app.", "Rewritten while watched.")
    stop = threading.Event()
    reports: list[SyncReport] = []
    editor: list[TextIO] = []

    def on_report(report: SyncReport) -> None:
        reports.append(report)
        if len(reports) == 1:
            editor.append(notes.open("w", encoding="utf-8"))  # truncated: the next poll sees it empty
        elif len(reports) == 2:
            editor[0].write(edited)
            editor[0].close()
        else:
            stop.set()

    watch(lib, notes, interval=0.01, stop=stop, on_report=on_report)

    assert [r.waiting for r in reports] == [False, True, False]
    assert reports[2].to_library == [pid(lib, P1)]
    assert note(lib, P1) == "Rewritten while watched."
    assert notes.read_text(encoding="utf-8") == edited
