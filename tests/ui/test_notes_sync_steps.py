"""A large notes file is synced in steps: the window handles its events while the sync runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.derived import DerivedIndex
from papershelf.core.search.query import parse_query
from papershelf.sync.syncer import STEP_SECTIONS, sync
from papershelf.ui import notes_sync as notes_sync_module
from papershelf.ui.app_controller import AppController
from papershelf.ui.notes_sync import STEPS_FROM_BYTES, NotesSync

PAPERS = 400
LONG = "A long note about this paper, one sentence after another. " * 60  # ~3.6k characters


def large_library(folder: Path) -> tuple[Library, Path]:
    """A library with a note on each paper, and its notes file (over STEPS_FROM_BYTES) with every note
    rewritten in the file since."""
    library = Library(folder / "library")
    library.import_papers(
        Paper(id="", key=f"paper{n:04d}", title=f"Paper number {n}", authors=["Ann Author"], year=2021, venue="X")
        for n in range(PAPERS)
    )
    library.annotate(list(library.papers), AnnotationChange(note=LONG))
    notes = folder / "notes.md"
    sync(library, notes)
    notes.write_text(notes.read_text(encoding="utf-8").replace("A long note", "Edited: a long note"), encoding="utf-8")
    assert notes.stat().st_size >= STEPS_FROM_BYTES
    return library, notes


def test_a_large_file_syncs_in_steps_while_events_are_handled(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notes_sync_module, "STEP_SECONDS", 0.0)  # one step per turn, however fast the machine
    library, _notes = large_library(tmp_path)
    notes_sync = NotesSync(AppController(library))
    ticks: list[bool] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(notes_sync.syncing))
    timer.start()
    with qtbot.waitSignal(notes_sync.synced, timeout=60_000) as synced:
        notes_sync.start_sync()
        assert notes_sync.syncing  # it returned before the sync was done
    timer.stop()
    assert ticks.count(True) >= PAPERS // STEP_SECTIONS  # the event loop ran between the steps
    assert len(synced.args[0].to_library) == PAPERS
    assert all(library.annotation(pid).note.startswith("Edited: a long note") for pid in library.papers)
    assert not notes_sync.syncing


def test_sync_now_finishes_a_sync_under_way(qtbot: QtBot, tmp_path: Path) -> None:
    library, _notes = large_library(tmp_path)
    notes_sync = NotesSync(AppController(library))
    notes_sync.start_sync()
    assert notes_sync.syncing
    with qtbot.waitSignal(notes_sync.synced, timeout=1000):
        report = notes_sync.sync_now()
    assert report is not None
    assert len(report.to_library) == PAPERS
    assert not notes_sync.syncing


def test_choosing_no_notes_file_drops_a_sync_under_way_without_writing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notes_sync_module, "STEP_SECONDS", 0.0)
    library, notes = large_library(tmp_path)
    before = notes.read_bytes()
    notes_before = {pid: library.annotation(pid).note for pid in library.papers}
    notes_sync = NotesSync(AppController(library))
    reports: list[object] = []
    notes_sync.synced.connect(reports.append)
    notes_sync.start_sync()
    for _ in range(3):
        QApplication.processEvents()  # a few turns of the event loop: a few of its ~40 steps are done
    assert notes_sync.syncing
    notes_sync.set_path(None)
    assert not notes_sync.syncing
    qtbot.waitUntil(lambda: not notes_sync.syncing)
    assert reports == []
    assert notes.read_bytes() == before
    assert {pid: library.annotation(pid).note for pid in library.papers} == notes_before


def test_the_search_index_takes_in_the_synced_notes_in_steps(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DerivedIndex, "LARGE_CHANGE", PAPERS // 4)  # 400 changed notes count as many
    library, _notes = large_library(tmp_path)
    controller = AppController(library)
    controller.index.build()
    notes_sync = NotesSync(controller)
    with qtbot.waitSignal(notes_sync.synced, timeout=60_000):
        notes_sync.start_sync()
    assert controller.index.working  # the rows of the 400 notes are recomputed in steps
    with qtbot.waitSignal(controller.search_index_ready, timeout=60_000):
        pass
    assert not controller.index.working
    assert len(controller.index.filter(parse_query("edited"))) == PAPERS
