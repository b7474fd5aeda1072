"""The paper table's view, and the page shown in its place when no paper is there to show."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from papershelf.ui.paper_model import COLUMN_NAMES, PaperTableModel

ROW_HEIGHT: Final = 24
DEFAULT_WIDTHS: Final = {"title": 250, "authors": 140, "venue": 76, "track": 70, "status": 86,
                         "priority": 64, "rating": 64, "tags": 100, "added": 86}
DEFAULT_HIDDEN: Final = ("priority", "rating", "added")


class PaperTable(QTableView):
    """A table with fixed row heights (never ResizeToContents: 48 s at 100k rows)."""

    def __init__(self, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # The indicator first: enabling sorting sorts at once by whatever it shows.
        self.horizontalHeader().setSortIndicator(COLUMN_NAMES.index("title"), Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for column, name in enumerate(COLUMN_NAMES):
            header.resizeSection(column, DEFAULT_WIDTHS[name])
            header.setSectionHidden(column, name in DEFAULT_HIDDEN)

    def column(self, name: str) -> int:
        """The model column showing ``name`` (one of ``COLUMN_NAMES``)."""
        return COLUMN_NAMES.index(name)


class EmptyPage(QWidget):
    """Why the table is empty: an empty library (offer to import) or nothing matches (offer to clear)."""

    clear_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("emptyState")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.clear_button = QPushButton("Clear search and filters")
        self.clear_button.clicked.connect(self.clear_requested)
        self.import_button = QPushButton("Import papers…")
        self.import_button.clicked.connect(self.import_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def show_empty_library(self, suffixes: str) -> None:
        self.label.setText(
            "Your library is empty.\n\nImport papers with File → Import, or drop files onto this "
            f"window ({suffixes})."
        )
        self.clear_button.hide()
        self.import_button.show()

    def show_no_match(self, query_text: str) -> None:
        what = f"“{query_text}”" if query_text else "these filters"
        self.label.setText(f"No papers match {what}.\n\nTry fewer words, or clear the filters.")
        self.clear_button.show()
        self.import_button.hide()
