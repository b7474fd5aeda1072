"""The notes file, live in the window: edits flow both ways, conflicts can be resolved, history restored."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from papershelf.core.history import NoteVersion
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


def notes_seen(window: MainWindow, pid: str) -> list[str]:
    """Every note the library holds for ``pid`` after each change the window hears of."""
    seen: list[str] = []
    window.controller.annotations_changed.connect(
        lambda ids: seen.append(window.library.annotation(pid).note) if pid in ids else None
    )
    return seen


def waiting(text: str) -> bool:
    return "waiting" in text


def test_an_editor_that_truncates_then_writes_arrives_once(qtbot: QtBot, window: MainWindow) -> None:
    notes = notes_path(window)
    pid = window.library.paper("neitz2021teacher").id
    seen = notes_seen(window, pid)
    edited = notes.read_text(encoding="utf-8").replace("Written in the app.", "Rewritten by a truncating editor.")
    with notes.open("w", encoding="utf-8") as editor:  # truncated; the watcher sees the empty file
        with qtbot.waitSignal(window.notes_sync.status_changed, check_params_cb=waiting, timeout=3000):
            pass
        assert notes.read_text(encoding="utf-8") == ""  # not rebuilt under the editor's feet
        editor.write(edited)
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "Rewritten by a truncating editor.", timeout=3000)

    assert seen == ["Rewritten by a truncating editor."]  # once, never cleared first
    assert notes.read_text(encoding="utf-8") == edited
    assert "Notes synced" in window.sync_label.text()


def test_an_editor_that_moves_the_file_away_then_renames_a_new_one_in_arrives_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    notes = notes_path(window)
    pid = window.library.paper("neitz2021teacher").id
    seen = notes_seen(window, pid)
    edited = notes.read_text(encoding="utf-8").replace("Written in the app.", "Rewritten by a renaming editor.")
    with qtbot.waitSignal(window.notes_sync.status_changed, check_params_cb=waiting, timeout=3000):
        notes.replace(notes.with_name(notes.name + "~"))  # the old file kept as a backup, as vim does
    assert not notes.exists()  # the missing file was not rebuilt meanwhile
    temp = notes.with_name(".new-notes.tmp")
    temp.write_text(edited, encoding="utf-8")
    temp.replace(notes)
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "Rewritten by a renaming editor.", timeout=3000)

    assert seen == ["Rewritten by a renaming editor."]
    assert notes.read_text(encoding="utf-8") == edited
    # The watcher follows the new file: a later edit arrives too.
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes),
                    "Rewritten by a renaming editor.", "And again."], check=True)
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "And again.", timeout=3000)
    assert seen == ["Rewritten by a renaming editor.", "And again."]


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


def test_history_restores_an_earlier_note(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.detail.note.setPlainText("A newer thought.")
    window.detail.save_note()
    monkeypatch.setattr(dialogs.HistoryDialog, "ask", classmethod(lambda cls, parent, versions: 1))
    window.detail.history_button.click()
    assert window.detail.note.toPlainText() == "Written in the app."


def test_history_shows_the_status_and_tags_each_version_had(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = window.library.paper("neitz2021teacher").id
    window.controller.annotate([pid], AnnotationChange(status="reading", add_tags=("distillation", "to-cite")),
                              "Set status and tags")
    window.notes_sync.sync_now()
    notes = notes_path(window)
    text = notes.read_text(encoding="utf-8")
    start = text.index("## A teacher-student framework")
    notes.write_text(text[:start], encoding="utf-8")  # the section deleted: its note, status and tags cleared
    window.notes_sync.sync_now()
    assert window.library.annotation(pid).status == "new"
    shown: dict[str, list[str]] = {}

    def look(cls: type[dialogs.HistoryDialog], parent: object, versions: list[NoteVersion]) -> int | None:
        dialog = cls(window, versions)
        qtbot.addWidget(dialog)
        shown["items"] = [dialog.list.item(row).text() for row in range(dialog.list.count())]
        shown["fields"] = [dialog.fields.text()]
        return 1

    monkeypatch.setattr(dialogs.HistoryDialog, "ask", classmethod(look))
    window.detail.history_button.click()

    assert "status reading" in shown["items"][0]
    assert "tags distillation, to-cite" in shown["items"][0]
    assert shown["fields"] == ["Status: reading · Tags: distillation, to-cite"]
    ann = window.library.annotation(pid)  # and restoring it puts them back
    assert (ann.note, ann.status, ann.tags) == ("Written in the app.", "reading", ["distillation", "to-cite"])


def test_history_of_a_version_kept_without_status_or_tags_says_so(qtbot: QtBot) -> None:
    dialog = dialogs.HistoryDialog(None, [NoteVersion("Just a note.", "2026-12-01T10:00:00+00:00", "edit")])
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text() == "1. 2026-12-01 10:00 (replaced by edit)"
    assert dialog.fields.text() == "Status and tags: unchanged by this replacement"
    assert dialog.preview.toPlainText() == "Just a note."


# -- issue 13 -------------------------------------------------------------------------------------------------


def make_conflict(window: MainWindow) -> str:
    """The app's and the file's versions of the shown paper's note differ since the last sync."""
    window.notes_sync.set_auto(False)
    window.detail.note.setPlainText("The app's version.")
    window.detail.save_note()
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes_path(window)),
                    "Written in the app.", "The file's version."], check=True)
    report = window.notes_sync.sync_now()
    pid = window.library.paper("neitz2021teacher").id
    assert report is not None
    assert pid in report.conflicts
    return pid


def conflict_button(window: MainWindow, text: str) -> QToolButton:
    [button] = [b for b in window.detail.conflict.findChildren(QToolButton) if b.text() == text]
    return button


def status_tooltip(window: MainWindow, pid: str) -> object:
    return window.model.index(window.model.row_of(pid), COLUMN_NAMES.index("status")).data(Qt.ItemDataRole.ToolTipRole)


def test_after_a_merge_the_conflict_mark_clears_at_once_with_auto_sync_off(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make_conflict(window)
    assert status_tooltip(window, pid) is not None
    shown: list[tuple[str, ...]] = []

    def merge_by_hand(cls: object, parent: object, app_note: str, file_note: str, *, app_time: str = "",
                      file_time: str = "") -> str:
        shown.append((app_note, file_note, app_time, file_time))
        return "Merged by hand."

    monkeypatch.setattr(dialogs.MergedNoteDialog, "ask", classmethod(merge_by_hand))
    qtbot.mouseClick(conflict_button(window, "Merge…"), Qt.MouseButton.LeftButton)
    [(app_note, file_note, app_time, file_time)] = shown
    assert (app_note, file_note) == ("The app's version.", "The file's version.")
    assert app_time
    assert file_time
    assert window.library.annotation(pid).note == "Merged by hand."
    assert status_tooltip(window, pid) is None  # no sync needed for the mark to go
    assert not window.detail.conflict.isVisibleTo(window)
    assert not window.notes_sync.auto


def test_the_merge_dialog_says_which_version_is_which_and_when(qtbot: QtBot) -> None:
    app_time, file_time = "2026-12-04T21:30:00+00:00", "2026-12-04T21:45:00+00:00"
    dialog = dialogs.MergedNoteDialog(None, "App text", "File text", app_time=app_time, file_time=file_time)
    qtbot.addWidget(dialog)
    local = {t: datetime.fromisoformat(t).astimezone().strftime("%Y-%m-%d %H:%M") for t in (app_time, file_time)}
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert f"In Papershelf (changed {local[app_time]})" in labels
    assert f"In the notes file (found {local[file_time]})" in labels
    assert (dialog.app_side.toPlainText(), dialog.file_side.toPlainText()) == ("App text", "File text")
    assert dialog.app_side.isReadOnly()
    assert dialog.file_side.isReadOnly()
    assert "App text" in dialog.merged.toPlainText()
    assert "File text" in dialog.merged.toPlainText()
    assert not dialog.merged.isReadOnly()


def test_text_typed_but_not_saved_meets_a_file_edit_as_a_conflict(window: MainWindow) -> None:
    window.notes_sync.set_auto(False)
    window.detail.note.setPlainText("Typed in the window, not saved yet.")
    assert window.detail.note_dirty
    subprocess.run([sys.executable, "-c", EDIT_IN_OTHER_PROCESS, str(notes_path(window)),
                    "Written in the app.", "Changed in the file meanwhile."], check=True)
    report = window.notes_sync.sync_now()
    pid = window.library.paper("neitz2021teacher").id
    assert report is not None
    assert report.conflicts == {pid: ("note",)}
    assert window.detail.note.toPlainText() == "Typed in the window, not saved yet."
    assert Library(window.library.folder).annotation(pid).note == "Typed in the window, not saved yet."
    assert window.detail.conflict.isVisibleTo(window)
    text = notes_path(window).read_text(encoding="utf-8")
    assert "Typed in the window, not saved yet." in text
    assert "Changed in the file meanwhile." in text


def test_a_conflict_copy_beside_the_file_is_noticed_and_taken_in(qtbot: QtBot, window: MainWindow) -> None:
    notes = notes_path(window)
    copy = notes.parent / f"{notes.stem}.sync-conflict-20261204-101530-7QXK2LM.md"
    tmp = notes.parent / ".syncthing.tmp"
    tmp.write_text(notes.read_text(encoding="utf-8").replace("Written in the app.", "From the other machine."),
                   encoding="utf-8")
    tmp.replace(copy)  # as Syncthing does: a temporary file renamed into place
    qtbot.waitUntil(lambda: window.detail.note.toPlainText() == "From the other machine.", timeout=3000)
    assert not copy.exists()
    assert (window.library.folder / "backups" / copy.name).is_file()
    assert "From the other machine." in notes.read_text(encoding="utf-8")


def test_a_git_conflict_in_the_file_is_shown_and_kept_mine_leaves_a_clean_file(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.notes_sync.set_auto(False)
    notes = notes_path(window)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace("Written in the app.", "<<<<<<< HEAD\nWritten in the app.\n=======\n"
                                  "Written on the laptop.\n>>>>>>> 1a2b3c4"), encoding="utf-8")
    window.notes_sync.sync_now()
    pid = window.library.paper("neitz2021teacher").id
    assert window.detail.conflict.isVisibleTo(window)
    assert status_tooltip(window, pid) is not None
    qtbot.mouseClick(conflict_button(window, "Keep mine"), Qt.MouseButton.LeftButton)
    window.notes_sync.sync_now()
    text = notes.read_text(encoding="utf-8")
    assert "Written in the app." in text
    assert "<<<<<<<" not in text
    assert "papershelf:conflict" not in text
    assert any(v.note == "Written on the laptop." for v in window.library.note_history(pid))


def test_a_link_chosen_as_the_notes_file_is_followed_once(window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "real" / "notes.md"
    target.parent.mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(target)
    window.notes_sync.set_path(link)
    assert window.notes_sync.path == target
    assert sync_state.notes_file_path(window.library) == target
    assert "Written in the app." in target.read_text(encoding="utf-8")
