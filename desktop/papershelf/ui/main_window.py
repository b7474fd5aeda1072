"""The library window: the paper table, the search box and the detail pane."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMainWindow, QTableView, QWidget

from papershelf.core.library import Library
from papershelf.ui.paper_model import COLUMN_NAMES, PaperTableModel

ROW_HEIGHT = 24


class PaperTable(QTableView):
    """A table with fixed row heights (never ResizeToContents: 48 s at 100k rows)."""

    def __init__(self, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        widths = {"title": 420, "authors": 220, "venue": 90, "track": 80, "status": 90,
                  "priority": 70, "rating": 70, "tags": 120, "added": 90}
        for column, name in enumerate(COLUMN_NAMES):
            header.resizeSection(column, widths[name])


class MainWindow(QMainWindow):
    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Papershelf")
        self.model = PaperTableModel(library, self)
        self.table = PaperTable(self.model, self)
        self.setCentralWidget(self.table)
        self.resize(1280, 800)
        self._update_status()

    def _update_status(self) -> None:
        self.statusBar().showMessage(f"{self.model.rowCount()} of {len(self.library)} papers")
