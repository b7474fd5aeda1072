"""File -> Open Library… and Open Recent, and Edit -> Preferences…: one window per library.

Opening another library starts a new Papershelf process on it (``launch_library``); if a window is already
open on that library, the new process hands over to it and exits (``ui.single_instance``). The last
``MAX_RECENT`` library folders are kept, most recent first, in QSettings under ``libraries/recent``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QProcess, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from papershelf.core.library import CATALOGUE_FILE
from papershelf.ui.dialogs import Confirm
from papershelf.ui.preferences import PreferencesDialog

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow

RECENT_KEY: Final = "libraries/recent"
MAX_RECENT: Final = 8


# -- the recent list ---------------------------------------------------------------------------------


def _normal(folder: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(Path(folder).expanduser()))


def recent_libraries(settings: QSettings) -> list[Path]:
    """The library folders opened last, most recent first (missing ones included)."""
    settings.sync()  # another Papershelf process may have added its library since
    raw = settings.value(RECENT_KEY, [], type=list)
    seen: set[Path] = set()
    folders: list[Path] = []
    for item in raw if isinstance(raw, list) else []:
        if not item:
            continue
        folder = _normal(str(item))
        if folder not in seen:
            seen.add(folder)
            folders.append(folder)
    return folders[:MAX_RECENT]


def _store(settings: QSettings, folders: list[Path]) -> None:
    settings.setValue(RECENT_KEY, [str(f) for f in folders[:MAX_RECENT]])
    settings.sync()


def remember_library(settings: QSettings, folder: str | os.PathLike[str]) -> list[Path]:
    """Put ``folder`` first in the recent list (trimmed to ``MAX_RECENT``); returns the new list."""
    folder = _normal(folder)
    folders = [folder] + [f for f in recent_libraries(settings) if f != folder]
    _store(settings, folders)
    return folders[:MAX_RECENT]


def clear_recent(settings: QSettings, keep: str | os.PathLike[str] | None = None) -> None:
    """Forget the recent libraries, except ``keep`` (the library open in this window)."""
    _store(settings, [_normal(keep)] if keep is not None else [])


def is_library(folder: Path) -> bool:
    return (folder / CATALOGUE_FILE).is_file()


# -- starting a window on another library -------------------------------------------------------------


def library_command(folder: Path) -> tuple[str, list[str]]:
    """The program and arguments that open Papershelf on ``folder``."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is Papershelf itself
        return sys.executable, ["--library", str(folder)]
    return sys.executable, ["-m", "papershelf", "--library", str(folder)]


def launch_library(folder: Path) -> bool:
    """Start a detached Papershelf process on ``folder``; False if it could not be started."""
    program, arguments = library_command(folder)
    started = QProcess.startDetached(program, arguments)
    # PySide6 returns (ok, pid) for the overload with a pid out-parameter, a bool otherwise.
    return bool(started[0] if isinstance(started, tuple) else started)


class OpenLibraryDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, start: str = "") -> str | None:
        """A folder to open as a library (an empty one becomes a new library)."""
        folder = QFileDialog.getExistingDirectory(parent, "Open library", start)
        return folder or None


def open_library(window: MainWindow, folder: str | os.PathLike[str]) -> bool:
    """Open ``folder`` in a window of its own; returns whether a process was started."""
    target = _normal(folder)
    status = window.statusBar()
    if target == _normal(window.library.folder):
        status.showMessage("This library is already open in this window", 5000)
        return False
    if not target.is_dir():
        status.showMessage(f"Library folder not found: {target}", 8000)
        return False
    if not is_library(target) and any(target.iterdir()) and not Confirm.ask(
        window, "Open library",
        f"{target} is not a Papershelf library. Create a new library in this folder?\n\n"
        "Papershelf will add its files there; the files already in it are left alone.",
    ):
        return False
    remember_library(window.settings, target)
    if not launch_library(target):
        status.showMessage(f"Could not start Papershelf on {target}", 8000)
        return False
    status.showMessage(f"Opening {target} in a new window…", 5000)
    return True


# -- the menus ----------------------------------------------------------------------------------------


class LibraryMenu(QObject):
    """The library actions of one window: Open Library…, Open Recent, Preferences…."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main_window = window
        self.settings = window.settings
        remember_library(self.settings, window.library.folder)
        menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
        file_menu = menus.get("File")
        if not isinstance(file_menu, QMenu):
            file_menu = window.menuBar().addMenu("&File")
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.open_action = QAction("&Open Library…", window)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_library)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self.rebuild_recent)
        if first is None:
            file_menu.addAction(self.open_action)
            file_menu.addMenu(self.recent_menu)
        else:
            file_menu.insertAction(first, self.open_action)
            file_menu.insertMenu(first, self.recent_menu)
            file_menu.insertSeparator(first)

        edit_menu = menus.get("Edit")
        if not isinstance(edit_menu, QMenu):
            edit_menu = window.menuBar().addMenu("&Edit")
        edit_menu.addSeparator()
        self.preferences_action = edit_menu.addAction("&Preferences…", self.preferences)
        self.preferences_action.setShortcut(QKeySequence("Ctrl+,"))
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.rebuild_recent()

    def rebuild_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        current = _normal(self.main_window.library.folder)
        folders = recent_libraries(self.settings)
        for folder in folders:
            action = menu.addAction(str(folder).replace("&", "&&"))
            action.setData(str(folder))
            if folder == current:
                action.setCheckable(True)
                action.setChecked(True)
                action.setToolTip("Open in this window")
                action.setEnabled(False)
            elif not folder.is_dir():
                action.setText(f"{action.text()}  (not found)")
                action.setEnabled(False)
            else:
                action.triggered.connect(lambda _checked=False, f=folder: open_library(self.main_window, f))
        menu.addSeparator()
        self.clear_action = menu.addAction("&Clear Recent", self.clear)
        self.clear_action.setEnabled(any(f != current for f in folders))

    def clear(self) -> None:
        clear_recent(self.settings, keep=self.main_window.library.folder)
        self.rebuild_recent()

    def choose_library(self) -> bool:
        start = str(_normal(self.main_window.library.folder).parent)
        folder = OpenLibraryDialog.ask(self.main_window, start)
        return open_library(self.main_window, folder) if folder else False

    def preferences(self) -> bool:
        window = self.main_window
        return PreferencesDialog.ask(
            window, window.settings, library_folder=window.library.folder, notes_sync=window.notes_sync,
            auto_sync_action=window.auto_sync_action, open_library=self.choose_library,
            library=window.library, search_pdf_text_action=window.window_actions.search_pdf_text,
            pdf_folder_changed=window.window_actions.pdf_inbox.follow,
        )


def install_library_menu(window: MainWindow) -> LibraryMenu:
    """Add the library actions to the window's menus and record its library as the most recent."""
    menu = LibraryMenu(window)
    window.library_menu = menu  # type: ignore[attr-defined]
    return menu


__all__ = [
    "MAX_RECENT",
    "RECENT_KEY",
    "LibraryMenu",
    "OpenLibraryDialog",
    "clear_recent",
    "install_library_menu",
    "launch_library",
    "library_command",
    "open_library",
    "recent_libraries",
    "remember_library",
]
