"""GUI bootstrap: QApplication, one instance per library, the library opened as the CLI opens it, the window."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from papershelf import __version__
from papershelf.core.library import Library
from papershelf.core.paths import resolve_library_dir
from papershelf.core.storage.lock import LibraryLockedError
from papershelf.core.storage.store import StoreError
from papershelf.services.library import LibraryAccess

LOCK_WAIT_S = 2.0  # a CLI command may hold the lock for a moment


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QApplication.setApplicationName("Papershelf")
    QApplication.setOrganizationName("Papershelf")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("papershelf")
    return QApplication(argv if argv is not None else sys.argv[:1])


def run(library_dir: str | os.PathLike[str] | None = None, files: Sequence[str] = ()) -> int:
    """Open the window on the library (or hand ``files`` to the window already open on it)."""
    app = create_application()
    from papershelf.ui.preferences import apply_theme, theme_setting
    from papershelf.ui.single_instance import SingleInstance

    apply_theme(app, theme_setting(QSettings()))

    folder: Path = resolve_library_dir(str(library_dir) if library_dir else None)
    instance = SingleInstance(folder)
    if instance.try_forward(list(files)):
        return 0  # the running window raises itself and imports the files
    try:
        access = LibraryAccess.take(folder, writes=True, wait=LOCK_WAIT_S)  # read-only: the window says so
    except LibraryLockedError as exc:
        QMessageBox.critical(None, "Papershelf", str(exc))
        return 1
    if not access.read_only:
        instance.listen()  # only the lock holder listens, so clearing a dead server name is safe
    library: Library | None = None
    try:
        # The library's millions of objects live as long as the window: the collector need not walk them,
        # neither once they are read (a full collection of a 100k library: 0.1-0.3 s) nor again while the
        # window is made and its indexes built.
        collecting = gc.isenabled()
        gc.disable()
        try:
            library = access.open()
        except StoreError as exc:
            QMessageBox.critical(None, "Papershelf cannot open the library", str(exc))
            return 1
        finally:
            gc.freeze()
            if collecting:
                gc.enable()
        from papershelf.ui.main_window import MainWindow, app_icon

        app.setWindowIcon(app_icon())
        window = MainWindow(library)
        instance.message_received.connect(window.on_instance_message)
        for notice in library.notices:
            QMessageBox.warning(window, "Papershelf", notice)
        window.show()
        if files:
            window.transfers.import_files([Path(f) for f in files])
        # For tests and the start-up benchmark: report the moment the window is on screen (and exit).
        if os.environ.get("PAPERSHELF_EXIT_WHEN_SHOWN") or os.environ.get("PAPERSHELF_REPORT_SHOWN"):
            print("window-shown", flush=True)
            if os.environ.get("PAPERSHELF_EXIT_WHEN_SHOWN"):
                window.close()
                return 0
        QTimer.singleShot(0, window.offer_drafts)  # notes an earlier run could not save, once the window is up
        return app.exec()
    finally:
        instance.close()
        if library is not None and not access.read_only:
            keep_catalogue_cache(library)
        access.release()


def keep_catalogue_cache(library: Library) -> None:
    """Keep a large catalogue's papers in ``catalogue.cache`` for a quicker next start (see ``Catalogue.keep_cache``).

    At close, under the library's lock; a cache that cannot be written is no loss (the next start reads
    ``catalogue.json``), so it is not reported.
    """
    with contextlib.suppress(OSError, ValueError):
        library.catalogue.keep_cache()
