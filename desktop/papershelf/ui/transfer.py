"""Import and export from the window: the dialogs, the background import with progress and a summary,
and what each tells the status bar. The work itself is the services' (``services/importing.py``,
``services/exporting.py``), the same the CLI runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from papershelf.services import exporting
from papershelf.services.importing import SNIFFED_SUFFIXES, can_import, supported_suffixes
from papershelf.ui.dialogs import ImportSummaryDialog
from papershelf.ui.export_dialog import ExportDialog, ExportRequest
from papershelf.ui.importer import ImportJob, ImportReport
from papershelf.ui.preferences import export_defaults

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow


def importable(paths: Sequence[Path]) -> list[Path]:
    """The paths Papershelf can import (by suffix, or a .txt by its content), in their order."""
    return [p for p in paths if can_import(p)]


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The importable local files of a drag and drop."""
    if not mime.hasUrls():
        return []
    return importable([Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()])


def last_folder(settings: QSettings, purpose: str) -> str:
    """The folder a file dialog for ``purpose`` ("import", ...) last ended in, if it still exists; else ""."""
    folder = str(settings.value(f"folders/{purpose}", "") or "")
    return folder if folder and Path(folder).is_dir() else ""


def remember_folder(settings: QSettings, purpose: str, folder: Path) -> None:
    settings.setValue(f"folders/{purpose}", str(folder))


class Transfers(QObject):
    """File → Import and File → Export for one window."""

    import_finished = Signal(object)  # ImportReport

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.import_job: ImportJob | None = None
        self.last_export: ExportRequest | None = None

    # -- export ----------------------------------------------------------------------------------------

    def export_dialog(self) -> None:
        w = self.window
        selection = w.selected_ids() if w.table.selectionModel().selectedRows() else []
        counts = {"selection": len(selection), "filter": w.model.rowCount(), "all": len(w.library)}
        chosen_lists = sorted(w.sidebar.selected.get("lists", set()))
        request = ExportDialog.ask(w, counts, w.library.list_names(), export_defaults(w.settings),
                                   chosen_lists[0] if chosen_lists else None, self.last_export)
        if request is not None:
            self.last_export = request  # the next export in this window starts from these choices
            self.export(request, selection)

    def export(self, request: ExportRequest, selection: Sequence[str] = ()) -> bool:
        """Write an export (and tie the file when asked); False, with the reason shown, if it failed."""
        w = self.window
        scope_ids: list[str] | None = {
            "selection": list(selection), "filter": list(w.model.ids()), "list": None, "all": None,
        }[request.scope]
        notes: list[str] = []
        try:
            if request.keep_updated:
                tie = w.controller.auto_export.tie(request.path, list_name=request.list_name, fmt=request.fmt,
                                                   options=request.options())
                count = len(tie.members)
            else:
                result = exporting.export(w.library, request.fmt, path=request.path, ids=scope_ids,
                                          list_name=request.list_name, bibtex_options=request.bibtex,
                                          markdown_options=request.markdown, ris_options=request.ris)
                count, notes = result.count, result.notes
        except (OSError, ValueError, KeyError) as exc:
            w.show_error(f"could not export to {request.path}: {getattr(exc, 'strerror', None) or exc}")
            return False
        message = f"Exported {count} papers to {request.path.name}"
        if request.keep_updated:
            message += " (kept updated)"
        w.statusBar().showMessage(" · ".join([message, *notes]), 10000)
        return True

    # -- import ----------------------------------------------------------------------------------------

    def import_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in [*supported_suffixes(), *SNIFFED_SUFFIXES])
        start = last_folder(self.window.settings, "import")
        # "All files": a download without a suffix ("citations", "savedrecs") is read by its content too.
        files, _ = QFileDialog.getOpenFileNames(self.window, "Import papers", start,
                                                f"Paper files ({patterns});;All files (*)")
        if files:
            remember_folder(self.window.settings, "import", Path(files[0]).parent)
            self.import_files([Path(f) for f in files])

    def import_files(self, paths: Sequence[Path]) -> ImportJob:
        """Import in the background with a progress dialog; a summary is shown at the end."""
        w = self.window
        if w.library.read_only:
            w.show_error("the library is open read-only")
        job = ImportJob(w.library, paths, self)
        progress = QProgressDialog("Importing…", "Cancel", 0, len(paths), w)
        progress.setWindowTitle("Import")
        progress.setMinimumDuration(300)
        progress.setAutoClose(True)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.canceled.connect(job.cancel)

        def step(done: int, total: int, name: str) -> None:
            progress.setMaximum(total)
            progress.setValue(done)
            if name:
                progress.setLabelText(f"Importing {name}…")

        def finished(report: ImportReport) -> None:
            progress.reset()
            progress.deleteLater()
            self.import_job = None
            title = "Import cancelled" if report.cancelled else "Import finished"
            ImportSummaryDialog.ask(w, title, f"{report.headline()}\n{report.text()}", report.failed)
            self.import_finished.emit(report)

        job.progress.connect(step)
        job.finished.connect(finished)
        self.import_job = job
        job.start()
        return job

    def stop(self) -> None:
        """Stop an import in progress (the window is closing); papers already added stay."""
        if self.import_job is not None:
            self.import_job.stop()
