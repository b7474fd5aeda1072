"""Small dialogs. Each has an ``ask`` classmethod so tests can monkeypatch it and nothing modal blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.history import NoteVersion
from papershelf.core.search.query import QUERY_HELP

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("J / Down", "Next paper"),
    ("K / Up", "Previous paper"),
    ("1 … 5", "Status: new, to read, reading, read, skipped"),
    ("P", "Cycle priority (none, low, medium, high)"),
    ("O", "Open the paper: its PDF, else its link or a title search, in your viewer or browser"),
    ("T", "Edit tags (Return: save and back to the table)"),
    ("N", "Edit the note (Esc: back to the table, the note saved)"),
    ("L", "Add the selection to a reading list"),
    ("Shift+L", "Remove the selection from a reading list"),
    ("Delete", "Move the selection to the Trash (Ctrl+Z brings it back)"),
    ("Ctrl+F or /", "Search"),
    ("Esc", "Clear the search (in the search box)"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z", "Redo"),
    ("Ctrl+Shift+C", "Copy the selection's bibliography (Edit > Citation style)"),
    ("Ctrl+Alt+Shift+C", "Copy the selection's in-text citation"),
    ("Ctrl+Alt+C", "Copy citation keys of the selection"),
    ("Ctrl+I", "Import papers"),
    ("Ctrl+E", "Export (BibTeX or Markdown)"),
    ("Ctrl+Shift+S", "Sync the notes file now"),
    ("Ctrl+1 / Ctrl+2", "Papers / Statistics"),
    ("Ctrl+Q", "Quit"),
)


class ListNameDialog(QDialog):
    """A name for a reading list (or a tag): one line, wide enough for its title."""

    def __init__(self, parent: QWidget | None, title: str, label: str, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        caption = QLabel(label)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(caption)
        self.name = QLineEdit(text)
        layout.addWidget(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # QInputDialog sized itself to its line edit: the window manager cut "New reading list" to "New r… ng list"
        self.setMinimumWidth(max(360, self.fontMetrics().horizontalAdvance(title) + 200))

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
        dialog = cls(parent, title, label, text)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name.text().strip() or None


class ListChooser:
    @classmethod
    def ask(cls, parent: QWidget | None, names: Sequence[str], remove: bool = False) -> str | None:
        """Pick a reading list, or (when adding) type the name of a new one."""
        if remove:
            name, ok = QInputDialog.getItem(
                parent, "Remove from reading list", "Reading list:", list(names), 0, False
            )
        else:
            name, ok = QInputDialog.getItem(
                parent, "Add to reading list", "Reading list (type a new name to create one):", list(names), 0,
                True,
            )
        if parent is not None:
            # Back to the window, whose focus widget (the table) takes the next key: not every platform
            # or window manager activates it again when the dialog closes (offscreen does not).
            parent.window().activateWindow()
        return name.strip() if ok and name.strip() else None


class Confirm:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes


class ImportSummaryDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, failed: bool) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information, title,
                          text.split("\n", 1)[0], QMessageBox.StandardButton.Ok, parent)
        if "\n" in text:
            box.setDetailedText(text)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()


class NotesFileDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, current: str = "") -> str | None:
        """A Markdown file to sync notes with (it may not exist yet)."""
        path, _ = QFileDialog.getSaveFileName(
            parent, "Notes file", current or "papershelf-notes.md", "Markdown (*.md *.markdown)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return path or None


class UnsavedDraftsDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, keys: Sequence[str], problem: str | None = None) -> bool:
        """Quit with notes the library could not save? True: quit (each kept as a draft for next time)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved notes",
                          f"{len(keys)} note(s) could not be saved in the library: {', '.join(keys)}.",
                          QMessageBox.StandardButton.NoButton, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if problem:
            box.setInformativeText(f"They could not be kept as drafts either ({problem}): quitting loses them.")
            quit_button = box.addButton("Quit and lose the notes", QMessageBox.ButtonRole.DestructiveRole)
        else:
            box.setInformativeText("They are kept as drafts outside the library and offered on the next start.")
            quit_button = box.addButton("Quit and keep the draft for next time", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is quit_button


class DraftOfferDialog:
    RESTORE = "restore"
    DISCARD = "discard"

    @classmethod
    def ask(cls, parent: QWidget | None, key: str, text: str, saved_at: str) -> str | None:
        """A note typed earlier that the library could not save: ``RESTORE``, ``DISCARD`` or None (later)."""
        when = _when(saved_at)
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved note",
                          f"A note for {key}{f' typed before {when}' if when else ''} could not be saved then.",
                          QMessageBox.StandardButton.NoButton, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("Restore it into the note? The note it replaces stays in the note history.")
        box.setDetailedText(text)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return cls.RESTORE if clicked is restore else cls.DISCARD if clicked is discard else None


class HistoryDialog(QDialog):
    """Earlier versions of a note, newest first, each with the status and tags kept with it (a sync that
    took them from the notes file keeps the replaced ones); ``ask`` returns the version number to restore."""

    def __init__(self, parent: QWidget | None, versions: Sequence[NoteVersion]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note history")
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.fields = QLabel()
        self.fields.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self._versions = list(versions)
        for number, version in enumerate(self._versions, start=1):
            kept = version.kept_fields()
            self.list.addItem(f"{number}. {version.replaced.replace('T', ' ')[:16]} (replaced by {version.source})"
                              + (f" · {kept}" if kept else ""))
        self.list.currentRowChanged.connect(self._show)
        layout.addWidget(QLabel("Versions this note had before an edit, a sync or a restore replaced them:"))
        layout.addWidget(self.list)
        layout.addWidget(self.fields)
        layout.addWidget(self.preview, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        restore = buttons.addButton("Restore this version", QDialogButtonBox.ButtonRole.AcceptRole)
        restore.setEnabled(bool(self._versions))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self._versions:
            self.list.setCurrentRow(0)
        self.resize(640, 480)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._versions):
            return
        version = self._versions[row]
        if version.status is None and version.tags is None:
            self.fields.setText("Status and tags: unchanged by this replacement")
        else:  # restoring this version puts these back too
            parts = []
            if version.status is not None:
                parts.append(f"Status: {version.status}")
            if version.tags is not None:
                parts.append(f"Tags: {', '.join(version.tags) if version.tags else '(none)'}")
            self.fields.setText(" · ".join(parts))
        self.preview.setPlainText(version.note)

    @classmethod
    def ask(cls, parent: QWidget | None, versions: Sequence[NoteVersion]) -> int | None:
        dialog = cls(parent, versions)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.list.currentRow() >= 0:
            return dialog.list.currentRow() + 1
        return None


def _when(stamp: str) -> str:
    """An ISO time as the person's local "YYYY-MM-DD HH:MM" ("" when unknown)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


class MergedNoteDialog(QDialog):
    """Both versions of a note in conflict, each labelled with where and when it was written, and an editor
    for the merged note (starting from both)."""

    def __init__(self, parent: QWidget | None, app_note: str, file_note: str, *, app_time: str = "",
                 file_time: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Resolve the note conflict")
        layout = QVBoxLayout(self)
        sides = QHBoxLayout()
        self.app_side = self._side(sides, "In Papershelf", "changed", app_time, app_note)
        self.file_side = self._side(sides, "In the notes file", "found", file_time, file_note)
        layout.addLayout(sides, 1)
        layout.addWidget(QLabel("The merged note (edit it into the note you want to keep):"))
        self.merged = QPlainTextEdit()
        self.merged.setPlainText(f"{app_note.rstrip()}\n\n{file_note.rstrip()}\n")
        layout.addWidget(self.merged, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 640)

    @staticmethod
    def _side(row: QHBoxLayout, where: str, verb: str, stamp: str, note: str) -> QPlainTextEdit:
        column = QVBoxLayout()
        when = _when(stamp)
        column.addWidget(QLabel(f"{where} ({verb} {when})" if when else where))
        view = QPlainTextEdit()
        view.setPlainText(note)
        view.setReadOnly(True)
        column.addWidget(view, 1)
        row.addLayout(column, 1)
        return view

    @classmethod
    def ask(cls, parent: QWidget | None, app_note: str, file_note: str, *, app_time: str = "",
            file_time: str = "") -> str | None:
        """The merged note; None when cancelled."""
        dialog = cls(parent, app_note, file_note, app_time=app_time, file_time=file_time)
        return dialog.merged.toPlainText() if dialog.exec() == QDialog.DialogCode.Accepted else None


class _TableDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, intro: str, headers: Sequence[str],
                 rows: Sequence[Sequence[str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            layout.addWidget(label)
        table = QTableWidget(len(rows), len(headers), self)  # a small static table; no model needed
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.setWordWrap(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeRowsToContents()
        self.table = table
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self._fitting_width(), 480)

    def _fitting_width(self) -> int:
        """Wide enough for every column at its content's width (the last one, "Finds", was cut at a fixed
        720 px). On a screen too narrow for that, the widest other column wraps its text instead: the
        last column always shows whole."""
        table = self.table
        columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
        layout = self.layout()
        outside = layout.contentsMargins().left() + layout.contentsMargins().right() if layout is not None else 0
        scroll_bar = table.verticalScrollBar().sizeHint().width()
        extra = 2 * table.frameWidth() + scroll_bar + outside + 8
        room = (self.screen().availableGeometry().width() - 40) if self.screen() is not None else columns + extra
        if columns + extra > room and table.columnCount() > 1:
            widest = max(range(table.columnCount() - 1), key=table.columnWidth)
            table.setColumnWidth(widest, max(120, table.columnWidth(widest) - (columns + extra - room)))
            table.resizeRowsToContents()
            columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
        return max(480, columns + extra)


class ShortcutsDialog(_TableDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Keyboard shortcuts", "Triage without the mouse:", ("Key", "Action"),
                         SHORTCUTS)

    @classmethod
    def ask(cls, parent: QWidget | None) -> None:
        cls(parent).exec()


class QueryHelpDialog(_TableDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, "Search syntax",
            "Everything is case- and accent-insensitive: scholkopf finds Schölkopf.",
            ("Syntax", "Example", "Finds"), QUERY_HELP,
        )

    @classmethod
    def ask(cls, parent: QWidget | None) -> None:
        cls(parent).exec()
