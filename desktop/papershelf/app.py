"""GUI bootstrap: QApplication, open the library, show the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from papershelf import __version__
from papershelf.core.library import Library
from papershelf.core.paths import resolve_library_dir
from papershelf.core.store import StoreError


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QApplication.setApplicationName("Papershelf")
    QApplication.setOrganizationName("Papershelf")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("papershelf")
    return QApplication(argv if argv is not None else sys.argv[:1])


def run(library_dir: str | os.PathLike[str] | None = None) -> int:
    """Open the window on the library; returns the process exit code."""
    app = create_application()
    folder: Path = resolve_library_dir(str(library_dir) if library_dir else None)
    try:
        library = Library(folder)
    except StoreError as exc:
        QMessageBox.critical(None, "Papershelf cannot open the library", str(exc))
        return 1
    from papershelf.ui.main_window import MainWindow

    window = MainWindow(library)
    for notice in library.notices:
        QMessageBox.warning(window, "Papershelf", notice)
    window.show()
    if os.environ.get("PAPERSHELF_EXIT_WHEN_SHOWN"):
        # Used by tests and the start-up benchmark: report the moment the window is on screen.
        print("window-shown", flush=True)
        return 0
    return app.exec()


def main() -> int:
    """The gui-scripts entry: no console window on Windows."""
    from papershelf.main import main as entry

    return entry()
