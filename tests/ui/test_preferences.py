"""Preferences, the theme, File -> Open Library… and Open Recent, driven through the window."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import fulltext, pdfinbox
from papershelf.sync import state as sync_state
from papershelf.ui import dialogs, library_menu
from papershelf.ui.library_menu import MAX_RECENT, recent_libraries, remember_library
from papershelf.ui.main_window import MainWindow
from papershelf.ui.preferences import PreferencesDialog, apply_theme, export_defaults, theme_setting


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def settings(ini: Path) -> QSettings:
    return QSettings(str(ini), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, settings: QSettings) -> MainWindow:
    win = MainWindow(Library(tmp_path / "library"), settings=settings)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders a new Papershelf process was started on (none is started)."""
    calls: list[Path] = []

    def fake_launch(folder: Path) -> bool:
        calls.append(folder)
        return True

    monkeypatch.setattr(library_menu, "launch_library", fake_launch)
    return calls


@pytest.fixture
def themed_app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, put back to the system theme afterwards (it is shared by every test)."""
    yield qapp
    apply_theme(qapp, "system")


def accept_with(monkeypatch: pytest.MonkeyPatch, change: object) -> None:
    """PreferencesDialog.exec: apply ``change(dialog)`` and press OK, without showing anything modal."""

    def fake_exec(self: PreferencesDialog) -> int:
        change(self)  # type: ignore[operator]
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(PreferencesDialog, "exec", fake_exec)


def window_lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


# -- preferences --------------------------------------------------------------------------------------


def test_defaults_are_bibtex_options_defaults(settings: QSettings) -> None:
    assert export_defaults(settings) == BibtexOptions()
    assert theme_setting(settings) == "system"


def test_preferences_survive_a_restart(qtbot: QtBot, ini: Path, settings: QSettings) -> None:
    dialog = PreferencesDialog(None, settings)
    qtbot.addWidget(dialog)
    dialog.encoding.setCurrentIndex(dialog.encoding.findData("utf-8"))
    dialog.export_checks["abstract"].setChecked(True)
    dialog.export_checks["tags_as_keywords"].setChecked(False)
    dialog.export_checks["track_as_note"].setChecked(False)
    dialog.export_checks["notes_as_annote"].setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.notes_auto.setChecked(False)
    dialog.save()
    del settings

    reopened = QSettings(str(ini), QSettings.Format.IniFormat)
    expected = BibtexOptions(ascii=False, abstract=True, tags_as_keywords=False, track_as_note=False,
                             notes_as_annote=True)
    assert export_defaults(reopened) == expected
    assert theme_setting(reopened) == "dark"
    again = PreferencesDialog(None, reopened)
    qtbot.addWidget(again)
    assert again.export_options() == expected
    assert again.encoding.currentData() == "utf-8"
    assert again.chosen_theme() == "dark"
    assert not again.notes_auto.isChecked()


def test_cancel_changes_nothing(qtbot: QtBot, window: MainWindow, settings: QSettings,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    def change_then_cancel(self: PreferencesDialog) -> int:
        self.theme.setCurrentIndex(self.theme.findData("dark"))
        self.export_checks["abstract"].setChecked(True)
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(PreferencesDialog, "exec", change_then_cancel)
    assert window.library_menu.preferences() is False
    assert theme_setting(settings) == "system"
    assert export_defaults(settings) == BibtexOptions()


def test_menu_has_preferences_open_library_and_recent(window: MainWindow) -> None:
    menu = window.library_menu
    assert menu.preferences_action.shortcut().toString() == "Ctrl+,"
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts[:2] == ["&Open Library…", "Open &Recent"]
    assert "&Import…" in texts


def test_notes_file_chosen_in_preferences_reaches_the_sync(
    qtbot: QtBot, tmp_path: Path, window: MainWindow, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes" / "reading.md"
    monkeypatch.setattr(dialogs.NotesFileDialog, "ask", classmethod(lambda cls, parent, current="": str(notes)))

    def browse_and_turn_auto_off(dialog: PreferencesDialog) -> None:
        dialog.notes_browse.click()
        dialog.notes_auto.setChecked(False)

    accept_with(monkeypatch, browse_and_turn_auto_off)
    assert window.notes_sync.path is None
    assert window.library_menu.preferences() is True
    assert window.notes_sync.path == notes
    assert notes.is_file()  # set_path syncs at once: the file is written
    assert window.notes_sync.auto is False
    assert window.auto_sync_action.isChecked() is False
    assert QSettings(str(settings.fileName()), QSettings.Format.IniFormat).value("notes/auto") == "false"


def test_clearing_the_notes_file_stops_syncing_for_good(
    qtbot: QtBot, tmp_path: Path, window: MainWindow, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes.md"
    window.notes_sync.set_path(notes)
    assert sync_state.notes_file_path(window.library) == notes
    accept_with(monkeypatch, lambda d: d.notes_path.clear())
    assert window.library_menu.preferences() is True
    assert window.notes_sync.path is None
    assert sync_state.notes_file_path(window.library) is None
    # the next start of the library does not take the file up again
    reopened = MainWindow(Library(tmp_path / "library"), settings=settings)
    qtbot.addWidget(reopened)
    assert reopened.notes_sync.path is None
    assert notes.is_file()  # the file itself is the user's: left where it is


def test_auto_sync_turned_on_keeps_the_menu_in_step(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.auto_sync_action.setChecked(False)
    assert window.notes_sync.auto is False
    accept_with(monkeypatch, lambda d: d.notes_auto.setChecked(True))
    window.library_menu.preferences()
    assert window.notes_sync.auto is True
    assert window.auto_sync_action.isChecked()


# -- theme --------------------------------------------------------------------------------------------


def test_theme_changes_the_window_colour(themed_app: QApplication) -> None:
    system = window_lightness(themed_app)
    apply_theme(themed_app, "dark")
    dark = themed_app.palette()
    assert window_lightness(themed_app) < 100
    # Text stays readable: light text on the dark window and base.
    assert dark.color(QPalette.ColorRole.WindowText).lightness() > 200
    assert dark.color(QPalette.ColorRole.Text).lightness() - dark.color(QPalette.ColorRole.Base).lightness() > 150
    apply_theme(themed_app, "light")
    assert window_lightness(themed_app) > 200
    assert themed_app.palette().color(QPalette.ColorRole.WindowText).lightness() < 60
    apply_theme(themed_app, "system")
    assert window_lightness(themed_app) == system


def test_check_boxes_can_be_seen_on_the_dark_theme(qtbot: QtBot, themed_app: QApplication) -> None:
    apply_theme(themed_app, "dark")
    box = QCheckBox("Include the abstract")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    option = QStyleOptionButton()
    box.initStyleOption(option)
    frame = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    fill = box.palette().color(QPalette.ColorRole.Base).lightness()
    edge = max(image.pixelColor(frame.left(), y).lightness() for y in range(frame.top(), frame.bottom()))
    assert edge - fill > 40  # Fusion's own frame is within a few levels of the box on a dark palette


def test_theme_chosen_in_preferences_is_applied_and_kept(
    qtbot: QtBot, themed_app: QApplication, window: MainWindow, ini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accept_with(monkeypatch, lambda d: d.theme.setCurrentIndex(d.theme.findData("dark")))
    window.library_menu.preferences()
    assert window_lightness(themed_app) < 100
    # Qt hands the new palette to existing widgets through posted events.
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 100)
    assert window.table.palette().color(QPalette.ColorRole.Text).lightness() > 200
    assert theme_setting(QSettings(str(ini), QSettings.Format.IniFormat)) == "dark"


def test_unknown_theme_falls_back_to_system(themed_app: QApplication) -> None:
    before = window_lightness(themed_app)
    assert apply_theme(themed_app, "sepia") == "system"
    assert window_lightness(themed_app) == before


# -- recent libraries ---------------------------------------------------------------------------------


def test_current_library_is_recorded_on_start(window: MainWindow, ini: Path) -> None:
    reopened = QSettings(str(ini), QSettings.Format.IniFormat)
    assert recent_libraries(reopened) == [window.library.folder.absolute()]


def test_recent_list_is_most_recent_first_without_duplicates_and_trimmed(tmp_path: Path,
                                                                         settings: QSettings) -> None:
    folders = [tmp_path / f"lib{i}" for i in range(MAX_RECENT + 3)]
    for folder in folders:
        remember_library(settings, folder)
    remember_library(settings, folders[5])
    recent = recent_libraries(settings)
    assert len(recent) == MAX_RECENT
    assert recent[0] == folders[5]
    assert recent[1:] == [f for f in reversed(folders) if f != folders[5]][: MAX_RECENT - 1]
    assert recent.count(folders[5]) == 1


def test_recent_menu_greys_out_missing_folders_and_clears(tmp_path: Path, settings: QSettings,
                                                         qtbot: QtBot) -> None:
    there = tmp_path / "there, & more"
    there.mkdir()
    gone = tmp_path / "gone"
    remember_library(settings, gone)
    remember_library(settings, there)
    win = MainWindow(Library(tmp_path / "library"), settings=settings)
    qtbot.addWidget(win)
    menu = win.library_menu
    menu.recent_menu.aboutToShow.emit()
    items = {a.data(): a for a in menu.recent_menu.actions() if a.data()}
    assert list(items) == [str(win.library.folder.absolute()), str(there), str(gone)]
    assert items[str(there)].isEnabled()
    assert items[str(there)].text() == str(there).replace("&", "&&")
    assert not items[str(gone)].isEnabled()
    assert "not found" in items[str(gone)].text()
    assert items[str(win.library.folder.absolute())].isChecked()

    menu.clear_action.trigger()
    assert recent_libraries(QSettings(settings.fileName(), QSettings.Format.IniFormat)) == [
        win.library.folder.absolute()
    ]
    assert not menu.clear_action.isEnabled()


# -- opening another library --------------------------------------------------------------------------


def test_open_library_starts_papershelf_on_the_folder(tmp_path: Path, window: MainWindow, launched: list[Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    Library(other)
    monkeypatch.setattr(library_menu.OpenLibraryDialog, "ask", classmethod(lambda cls, parent, start="": str(other)))
    assert window.library_menu.open_action.isEnabled()
    window.library_menu.open_action.trigger()
    assert launched == [other]
    assert recent_libraries(window.settings)[:2] == [other, window.library.folder.absolute()]


def test_library_command_runs_this_python_on_the_folder(tmp_path: Path) -> None:
    program, arguments = library_menu.library_command(tmp_path / "other")
    assert program == sys.executable
    assert arguments == ["-m", "papershelf", "--library", str(tmp_path / "other")]


def test_recent_menu_item_opens_that_library(tmp_path: Path, window: MainWindow, launched: list[Path]) -> None:
    other = tmp_path / "other"
    other.mkdir()  # empty: it becomes a new library, no question asked
    remember_library(window.settings, other)
    window.library_menu.rebuild_recent()
    item = next(a for a in window.library_menu.recent_menu.actions() if a.data() == str(other))
    item.trigger()
    assert launched == [other]


def test_open_library_declines_the_open_one_missing_ones_and_asks_before_using_a_full_folder(
    tmp_path: Path, window: MainWindow, launched: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert library_menu.open_library(window, window.library.folder) is False
    assert library_menu.open_library(window, tmp_path / "missing") is False
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.tex").write_text("\\documentclass{article}\n")
    questions: list[str] = []

    def answer(cls: object, parent: object, title: str, text: str) -> bool:
        questions.append(text)
        return len(questions) > 1  # no the first time, yes the second

    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(answer))
    assert library_menu.open_library(window, documents) is False
    assert launched == []
    assert library_menu.open_library(window, documents) is True
    assert launched == [documents]
    assert "not a Papershelf library" in questions[0]


def test_preferences_button_opens_another_library(tmp_path: Path, window: MainWindow, launched: list[Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(library_menu.OpenLibraryDialog, "ask", classmethod(lambda cls, parent, start="": str(other)))
    accept_with(monkeypatch, lambda d: d.open_library_button.click())
    window.library_menu.preferences()
    assert launched == [other]


def test_launch_failure_is_reported(tmp_path: Path, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(library_menu, "launch_library", lambda folder: False)
    assert library_menu.open_library(window, other) is False
    assert "Could not start" in window.statusBar().currentMessage()


# -- PDFs: the watched folder and searching PDF text ---------------------------------------------------


def test_watched_folder_move_and_pdf_text_search_chosen_in_preferences_take_effect_and_are_kept(
    qtbot: QtBot, tmp_path: Path, window: MainWindow, ini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "Downloads"
    downloads.mkdir()

    def choose(self: PreferencesDialog) -> None:
        assert self.pdf_folder.text() == ""
        assert not self.search_pdf_text.isChecked()
        self.pdf_folder.setText(str(downloads))
        self.pdf_move.setChecked(True)
        self.search_pdf_text.setChecked(True)

    accept_with(monkeypatch, choose)
    assert window.library_menu.preferences() is True
    assert pdfinbox.watched_folder(window.library) == downloads.resolve()
    assert pdfinbox.moves_matched(window.library)
    assert window.window_actions.pdf_inbox.watcher.directories() == [str(downloads.resolve())]
    assert window.window_actions.search_pdf_text.isChecked()  # the File menu's switch is in step
    assert window.search_panel.widen is fulltext.with_fulltext
    # remembered: the folder in the library, the search switch in the settings
    reopened = QSettings(str(ini), QSettings.Format.IniFormat)
    again = PreferencesDialog(None, reopened, library=Library(window.library.folder))
    qtbot.addWidget(again)
    assert again.chosen_pdf_folder() == downloads.resolve()
    assert again.pdf_move.isChecked()
    assert again.search_pdf_text.isChecked()


def test_clearing_the_watched_folder_stops_watching_and_the_menu_switch_shows_in_preferences(
    tmp_path: Path, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    pdfinbox.set_watched_folder(window.library, downloads)
    window.window_actions.pdf_inbox.follow()
    window.window_actions.search_pdf_text.setChecked(True)  # File → Search PDF text too
    seen: list[tuple[str, bool]] = []

    def clear(self: PreferencesDialog) -> None:
        seen.append((self.pdf_folder.text(), self.search_pdf_text.isChecked()))
        self.pdf_folder.clear()
        self.search_pdf_text.setChecked(False)

    accept_with(monkeypatch, clear)
    assert window.library_menu.preferences() is True
    assert seen == [(str(downloads.resolve()), True)]
    assert pdfinbox.watched_folder(window.library) is None
    assert window.window_actions.pdf_inbox.watcher.directories() == []
    assert not window.window_actions.search_pdf_text.isChecked()
    assert window.search_panel.widen is None


@pytest.mark.parametrize("where", ["missing", "library"])
def test_a_folder_that_cannot_be_watched_keeps_the_dialog_open_with_what_was_typed(
    qtbot: QtBot, tmp_path: Path, window: MainWindow, settings: QSettings, where: str
) -> None:
    folder = tmp_path / "no such folder" if where == "missing" else window.library.folder / "files"
    folder.parent.mkdir(exist_ok=True)
    if where == "library":
        folder.mkdir(exist_ok=True)
    dialog = PreferencesDialog(window, settings, library=window.library)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pdf_folder.setText(str(folder))
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted.value
    assert dialog.pdf_problem.isVisible()
    assert str(folder) in dialog.pdf_problem.text()
    assert dialog.pdf_folder.text() == str(folder)  # nothing typed is lost
    assert pdfinbox.watched_folder(window.library) is None
    dialog.pdf_folder.clear()
    assert not dialog.pdf_problem.isVisible()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted.value
