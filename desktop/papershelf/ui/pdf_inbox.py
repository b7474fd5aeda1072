"""The watched folder in the window: new PDFs matched off the UI thread, and the Unmatched PDFs dialog.

A ``QFileSystemWatcher`` notices the folder change; after a pause (a download is written in pieces) the
new PDFs are read by pypdf in a worker thread (``pdfmatch.read_pdf``: the slow part), with progress and
a Cancel button in the status bar; matching them against the library and attaching happen on the UI
thread (``services.pdfinbox``). Unsure ones wait in File → Unmatched PDFs…, where the user picks the paper
from the best candidates or by its citation key.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QEvent, QFileSystemWatcher, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.library import Library
from papershelf.core.storage.store import StoreError
from papershelf.services import attachments, fulltext, pdfinbox
from papershelf.services.attachments import AttachmentError
from papershelf.services.pdfmatch import PdfFacts, PdfMatcher, read_pdf
from papershelf.ui.background import BackgroundJob


class PdfInboxWatcher(QObject):
    """Watches the library's folder for PDFs (``pdfinbox.watched_folder``) while the window is open."""

    progress = Signal(int, int)  # PDFs read, PDFs in this look
    finished = Signal(object)  # pdfinbox.InboxReport
    message = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.job = BackgroundJob(self.look, self)
        self.job.progress.connect(self.progress)
        self.timer = self.job.timer
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _path: self.timer.start())
        self._facts: list[PdfFacts] = []
        self.follow()

    @property
    def busy(self) -> bool:
        return self.job.busy

    def follow(self) -> None:
        """Watch the folder the library names now (after it was chosen or changed)."""
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        folder = pdfinbox.watched_folder(self.library)
        if folder is not None and folder.is_dir():
            self.watcher.addPath(str(folder))
            self.timer.start()  # what arrived while Papershelf was closed

    def look(self) -> None:
        """Read the folder's new PDFs in a worker thread (once the one before has finished)."""
        if self.busy:
            self.job.ask_again()
            return
        folder = pdfinbox.watched_folder(self.library)
        if folder is None or self.library.read_only:
            return
        paths = pdfinbox.new_pdfs(self.library, folder)
        if not paths:
            return
        self._facts = []
        self.job.run(paths, read_pdf, self._facts.append, self._done)

    def cancel(self) -> None:
        """Stop after the PDF being read; the ones read are matched, the rest are looked at next time."""
        self.job.cancel()

    def stop(self) -> None:
        """Cancel and wait for the worker (the window closes); the PDFs of the look are looked at next time."""
        self.job.stop()

    def _done(self, _left: list[Path]) -> None:
        matcher = PdfMatcher(self.library)  # on the UI thread: the library is only read here
        try:
            report = pdfinbox.settle(self.library, [matcher.match(f) for f in self._facts])
        except StoreError as exc:
            self.message.emit(f"The PDFs found could not be recorded: {exc}")
            return
        self.finished.emit(report)
        if sentence := report.sentence():
            self.message.emit(sentence)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and isinstance(watched, QWidget):
            # No look starts after the window closed; a window that refused to close watches again.
            if self.watcher.directories():
                self.watcher.removePaths(self.watcher.directories())
            QTimer.singleShot(0, self, lambda: self._follow_if_open(watched))
        return self.job.eventFilter(watched, event)  # installed on the window: no thread outlives it

    def _follow_if_open(self, window: QWidget) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone already
            if window.isVisible():
                self.follow()


class FullTextJob(QObject):
    """Reads the text of attached files not read yet, in a worker thread, whenever files were attached
    (so ``fulltext:`` never reads a PDF while the search box waits)."""

    progress = Signal(int, int)  # files read, files in this round
    finished = Signal(int)  # files read
    cancelled = Signal(int)  # files left unread by a Cancel (read when the window next opens)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.full = fulltext.attach_to(library)
        self.full.read_on_lookup = False
        self.job = BackgroundJob(self.start, self)
        self.job.progress.connect(self.progress)
        self.timer = self.job.timer
        self._read: list[fulltext.Extracted] = []
        self._reading = False
        self._cancelled = False
        # Files a Cancel left unread: not read again by this window (the next change would otherwise start
        # them at once), unless they change; the window's next start reads them.
        self.skipped: dict[Path, tuple[int, int] | None] = {}

    @property
    def busy(self) -> bool:
        return self.job.busy

    def soon(self) -> None:
        """Look for files to read after a pause (called on every change; the pause gathers them)."""
        self.job.soon()

    def start(self) -> None:
        if self.busy:
            self.job.ask_again()
            return
        stale = [p for p in self.full.stale()
                 if p not in self.skipped or self.skipped[p] != attachments.file_stamp(p)]
        if not stale:
            return
        self._read = []
        self._reading = True
        self._cancelled = False
        self.job.run(stale, fulltext.extract_text, self._one_read, self._read_done)

    def _one_read(self, item: fulltext.Extracted | None) -> None:
        if item is not None:
            self._read.append(item)

    def cancel(self) -> None:
        """Stop after the file being read: what was read is kept, the rest waits for the next start."""
        if self._reading:  # the word list after the reading is quick and not cancelled
            self.job.cancel()
            self._cancelled = True

    def stop(self) -> None:
        """Cancel and wait for the worker (the window closes); what this round read is read again next time."""
        self.job.stop()
        self._reading = False

    def _read_done(self, left: list[Path]) -> None:
        self._reading = False
        if self._cancelled and left:
            self.skipped.update({p: attachments.file_stamp(p) for p in left})
            self.cancelled.emit(len(left))
        self.full.put(self._read)  # on the UI thread: the search index hears of the new text here
        if not self._read:
            self.finished.emit(0)
            return
        # The word list fulltext: looks words up in, built in the worker too (0.6 s at 1,000 PDFs), from a
        # copy of the texts; it is adopted on the UI thread, if the texts are still those.
        texts, copy = self.full.snapshot()
        self.job.run([copy], fulltext.WordList, lambda words: self.full.adopt(texts, words),
                     lambda _left: self.finished.emit(len(self._read)), quiet=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return self.job.eventFilter(watched, event)


class WatchFolderDialog(QDialog):
    """Choose the folder to watch for PDFs and whether matched ones are moved or copied."""

    def __init__(self, parent: QWidget | None, folder: Path | None, move: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch a folder for PDFs")
        self.folder = QLineEdit(str(folder or ""))
        self.folder.setPlaceholderText("for example your Downloads folder")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.move_box = QCheckBox("Move matched PDFs into the library (instead of copying them)")
        self.move_box.setChecked(move)
        explain = QLabel("A new PDF there is matched to its paper from its arXiv id, DOI or title; a sure match "
                         "is attached, the others wait in File → Unmatched PDFs…")
        explain.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.stop_button = buttons.addButton("Stop watching", QDialogButtonBox.ButtonRole.ResetRole)
        self.stop_button.clicked.connect(self._stop)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addWidget(self.move_box)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder to watch", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _stop(self) -> None:
        self.folder.clear()
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, folder: Path | None, move: bool) -> tuple[Path | None, bool] | None:
        """(folder or None to stop watching, move) or None when cancelled."""
        dialog = cls(parent, folder, move)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        text = dialog.folder.text().strip()
        return (Path(text).expanduser() if text else None), dialog.move_box.isChecked()


class UnmatchedPdfsDialog(QDialog):
    """The PDFs of the watched folder that were not matched for sure: pick each one's paper, or dismiss it."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Unmatched PDFs")
        self.files = QListWidget()
        self.files.currentRowChanged.connect(lambda _row: self._show_candidates())
        self.candidates = QListWidget()
        self.key = QLineEdit()
        self.key.setPlaceholderText("or a citation key")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.attach_button = QPushButton("Attach to this paper")
        self.attach_button.clicked.connect(self.attach_selected)
        self.open_button = QPushButton("Open PDF")
        self.open_button.clicked.connect(self.open_selected)
        self.dismiss_button = QPushButton("Not in my library")
        self.dismiss_button.setToolTip("Never offer this PDF again (it stays where it is)")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.attach_button, self.open_button, self.dismiss_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("PDFs not matched for sure"))
        layout.addWidget(self.files, 1)
        layout.addWidget(QLabel("Best candidates"))
        layout.addWidget(self.candidates, 1)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(640, 520)
        self.refresh()

    def refresh(self) -> None:
        self.waiting = pdfinbox.unmatched(self.library)
        self.files.clear()
        for entry in self.waiting:
            item = QListWidgetItem(entry.path.name + (f" — {entry.problem}" if entry.problem else ""))
            item.setToolTip(str(entry.path))
            self.files.addItem(item)
        if self.waiting:
            self.files.setCurrentRow(0)
        self._show_candidates()

    def _show_candidates(self) -> None:
        self.candidates.clear()
        row = self.files.currentRow()
        entry = self.waiting[row] if 0 <= row < len(self.waiting) else None
        for pid, score in entry.candidates if entry else []:
            paper = self.library.papers[pid]
            trashed = " (in the Trash)" if self.library.is_trashed(pid) else ""
            item = QListWidgetItem(f"{score:.2f}  {paper.key}{trashed} — {paper.title}")
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.candidates.addItem(item)
        if self.candidates.count():
            self.candidates.setCurrentRow(0)
        for button in (self.attach_button, self.open_button, self.dismiss_button):
            button.setEnabled(entry is not None)

    def _entry(self) -> pdfinbox.Unmatched | None:
        row = self.files.currentRow()
        return self.waiting[row] if 0 <= row < len(self.waiting) else None

    def attach_selected(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        key = self.key.text().strip()
        if key:
            if not self.library.has_key(key):
                self.status.setText(f"No paper has the citation key {key!r}")
                return
            pid = self.library.paper(key).id
        elif (item := self.candidates.currentItem()) is not None:
            pid = str(item.data(Qt.ItemDataRole.UserRole))
        else:
            self.status.setText("Choose a candidate or type a citation key")
            return
        try:
            attached_to = pdfinbox.resolve(self.library, entry.path, pid)
        except (AttachmentError, StoreError, OSError) as exc:
            self.status.setText(f"Not attached: {exc}")
            return
        self.key.clear()
        self.status.setText(f"Attached {entry.path.name} to {attached_to}")
        self.refresh()

    def open_selected(self) -> None:
        if (entry := self._entry()) is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(entry.path)))

    def dismiss_selected(self) -> None:
        if (entry := self._entry()) is not None:
            pdfinbox.dismiss(self.library, [entry.path])
            self.status.setText(f"{entry.path.name} will not be offered again")
            self.refresh()

    @classmethod
    def ask(cls, parent: QWidget | None, library: Library) -> None:
        cls(library, parent).exec()
