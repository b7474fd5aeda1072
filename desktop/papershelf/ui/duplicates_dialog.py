"""Edit → Possible duplicates…: pairs of papers that may be one paper, a Merge and a Not duplicates button.

Nothing is merged unless the user presses Merge; the merged-away key stays citable as an alias of the kept
paper. A merge cannot be undone with Ctrl+Z (the undo steps before it name a paper that is gone, so the
undo history is cleared).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.library import UnknownKeyError
from papershelf.core.model import Paper
from papershelf.core.storage.store import StoreError
from papershelf.services import duplicates
from papershelf.ui.controller import LibraryController


def describe(paper: Paper) -> str:
    """The record as the user compares it with another."""
    rows = [
        ("Key", paper.key + (f" (also {', '.join(paper.aliases)})" if paper.aliases else "")),
        ("Title", paper.title),
        ("Authors", "; ".join(paper.authors)),
        ("Venue", " ".join(str(x) for x in (paper.venue, paper.year) if x)),
        ("Type", "@" + paper.entry_type),
        ("DOI", paper.doi),
    ]
    return "\n".join(f"{label}: {value}" for label, value in rows if value)


class DuplicatesDialog(QDialog):
    """The possible duplicates of one library; ``merged`` is emitted after each merge."""

    merged = Signal(str, str)  # kept key, merged-away key

    def __init__(self, parent: QWidget | None, controller: LibraryController) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Possible duplicates")
        self.pairs: list[duplicates.PossibleDuplicate] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Paper", "Possibly the same as", "Why"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_pair(row))
        layout.addWidget(self.table, 1)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Keep:"))
        self.keep = QComboBox()
        self.keep.setToolTip("The key the merged paper keeps; the other key becomes an alias of it")
        row.addWidget(self.keep, 1)
        self.merge_button = QPushButton("Merge")
        self.merge_button.clicked.connect(self.merge_current)
        row.addWidget(self.merge_button)
        self.apart_button = QPushButton("Not duplicates")
        self.apart_button.setToolTip("These are two papers: do not list them again")
        self.apart_button.clicked.connect(self.keep_current_apart)
        row.addWidget(self.apart_button)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.refresh()

    def refresh(self) -> None:
        """List the pairs again (after a merge, or when the library changed)."""
        self.pairs = duplicates.possible_duplicates(self.controller.library)
        self.table.setRowCount(len(self.pairs))
        for row, pair in enumerate(self.pairs):
            for column, text in enumerate((f"{pair.first.key}: {pair.first.title}",
                                           f"{pair.second.key}: {pair.second.title}", pair.reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        count = len(self.pairs)
        self.summary.setText(
            "No possible duplicates." if not count else
            f"{count} {'pair' if count == 1 else 'pairs'} of papers may be one paper. Nothing is merged "
            "unless you choose to; the other key stays citable as an alias."
        )
        self.merge_button.setEnabled(bool(count))
        self.apart_button.setEnabled(bool(count))
        if count:
            self.table.setCurrentCell(0, 0)
        else:
            self._show_pair(-1)

    def _show_pair(self, row: int) -> None:
        self.keep.clear()
        if not 0 <= row < len(self.pairs):
            self.details.setPlainText("")
            return
        pair = self.pairs[row]
        self.details.setPlainText(f"{describe(pair.first)}\n\n{describe(pair.second)}")
        self.keep.addItems([pair.first.key, pair.second.key])

    def current_pair(self) -> duplicates.PossibleDuplicate | None:
        row = self.table.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) else None

    def merge_current(self) -> bool:
        """Merge the selected pair into the paper chosen under Keep; False (and why) if it failed."""
        pair = self.current_pair()
        if pair is None:
            return False
        keep = self.keep.currentText() or pair.first.key
        other = pair.second.key if keep == pair.first.key else pair.first.key
        try:
            duplicates.merge(self.controller.library, keep, other)
        except (StoreError, ValueError, UnknownKeyError) as exc:
            self.message.setText(f"Not merged: {exc}. Nothing was changed.")
            self.message.setStyleSheet("color: #b00020;")
            return False
        self.controller.undo_stack.clear()  # earlier steps may name the paper that is gone
        self.message.setStyleSheet("")
        self.message.setText(f"Merged {other} into {keep}; \\cite{{{other}}} keeps working.")
        self.merged.emit(keep, other)
        self.refresh()
        return True

    def keep_current_apart(self) -> bool:
        """The selected pair are two papers: they are not listed again. False (and why) if it failed."""
        pair = self.current_pair()
        if pair is None:
            return False
        try:
            duplicates.keep_apart(self.controller.library, pair.first.key, pair.second.key)
        except (StoreError, ValueError, UnknownKeyError) as exc:
            self.message.setText(f"Not saved: {exc}. Nothing was changed.")
            self.message.setStyleSheet("color: #b00020;")
            return False
        self.message.setStyleSheet("")
        self.message.setText(f"{pair.first.key} and {pair.second.key} are kept apart.")
        self.refresh()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, controller: LibraryController) -> int:
        """Show the dialog until closed; returns how many merges were made."""
        dialog = cls(parent, controller)
        done: list[str] = []
        dialog.merged.connect(lambda _keep, other: done.append(other))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.exec()
        return len(done)
