"""The notes file, live in the window: edits flow both ways, conflicts can be resolved, history restored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.sync import state as sync_state
from papershelf.ui import dialogs
from papershelf.ui.main_window import MainWindow
from papershelf.ui.paper_model import COLUMN_NAMES

EDIT_IN_OTHER_PROCESS = """
import os, sys, tempfile
path, old, new = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
assert old in text, text
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
with os.fdopen(fd, "w", encoding="utf-8") as f:
    f.write(text.replace(old, new))
os.replace(tmp, path)  # as editors do: a new file renamed over the old one
"""


@pytest.fixture
def window(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path) -> MainWindow:
    library = Library(iclr_library_dir)
    pid = library.paper("neitz2021teacher").id
    library.annotate([pid], AnnotationChange(note="Written in the app."))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.notes_sync.set_path(tmp_path / "notes" / "papershelf-notes.md")
    win.select_paper(pid)
    return win


def notes_path(win: MainWindow) -> Path:
    assert win.notes_sync.path is not None
    return win.notes_sync.path


def test_choosing_a_notes_file_writes_it(window: MainWindow) -> None:
    text = notes_path(window).read_text(encoding="utf-8")
    assert "## A teacher-student framework to distill future trajectories" in text
    assert "Written in the app." in text
    assert "Notes synced" in window.sync_label.text()


def test_an_edit_by_another_process_appears_in_the_pane(qtbot: QtBot, window: MainWindow) -> None:
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes_path(window)),
                    "Written in the app.", "Rewritten in my editor."], check=True)
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "Rewritten in my editor.", timeout=3000)
    pid = window.library.paper("neitz2021teacher").id
    assert Library(window.library.folder).annotation(pid).note == "Rewritten in my editor."
    # The watcher follows the new file: a second edit arrives too.
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes_path(window)),
                    "Rewritten in my editor.", "And again."], check=True)
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "And again.", timeout=3000)


def test_an_edit_in_the_app_reaches_the_file(qtbot: QtBot, window: MainWindow) -> None:
    window.detail.note.setPlainText("Typed in the window.")
    window.detail.save_note()
    qtbot.waitUntil(lambda: "Typed in the window." in notes_path(window).read_text(encoding="utf-8"),
                    timeout=2000)


def test_a_conflict_is_shown_and_resolved_from_the_pane(qtbot: QtBot, window: MainWindow) -> None:
    window.notes_sync.set_auto(False)
    window.detail.note.setPlainText("The app's version.")
    window.detail.save_note()
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes_path(window)),
                    "Written in the app.", "The file's version."], check=True)
    report = window.notes_sync.sync_now()
    assert report is not None
    pid = window.library.paper("neitz2021teacher").id
    assert pid in report.conflicts
    assert window.detail.conflict.isVisibleTo(window)
    assert "conflict" in window.sync_label.text()
    row = window.model.row_of(pid)
    status = window.model.index(row, COLUMN_NAMES.index("status"))
    assert "conflict" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert window.detail.note.toPlainText() == "The app's version."
    assert "The file's version." in notes_path(window).read_text(encoding="utf-8")  # both kept

    window.detail.conflict_buttons["file"].click()
    assert window.library.annotation(pid).note == "The file's version."
    assert not window.detail.conflict.isVisibleTo(window)
    window.notes_sync.sync_now()
    assert sync_state.conflicts(window.library) == {}
    assert window.model.index(row, COLUMN_NAMES.index("status")).data(Qt.ItemDataRole.ToolTipRole) is None
    assert [v.note for v in window.library.note_history(pid)][:1] == ["The app's version."]


def test_history_restores_an_earlier_note(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.detail.note.setPlainText("A newer thought.")
    window.detail.save_note()
    monkeypatch.setattr(dialogs.HistoryDialog, "ask", classmethod(lambda cls, parent, versions: 1))
    window.detail.history_button.click()
    assert window.detail.note.toPlainText() == "Written in the app."
