"""The paper table's view, and the page shown in its place when no paper is there to show."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QItemSelectionModel, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from papershelf.ui.paper_model import COLUMN_NAMES, MATCH, PAPER_ID_ROLE, PaperTableModel
from papershelf.ui.rendered import ShownDelegate

ROW_HEIGHT: Final = 24
# The title takes the width the other columns leave (it stretches); they are sized to their contents, up
# to these widths for the ones whose contents are long (a line of names or tags), so at 1280x800 the title
# is the widest and no horizontal scrollbar shows. Dragging a divider still resizes a column.
WIDTH_CAPS: Final = {"authors": 130, "venue": 110, "track": 90, "tags": 110}
HEADER_SLACK: Final = 6
CONTENT_SAMPLE: Final = 100  # rows measured for a column's width (at 100k rows all of them would take seconds)
# Priority shows: `p` sets it from the table. The match column shows once papers are sorted by recommendation.
# The track is a conference's (Oral, Poster), and a facet in the sidebar: shown from View → Columns.
DEFAULT_HIDDEN: Final = ("track", "rating", "added", MATCH)


class PaperTable(QTableView):
    """A table with fixed row heights (never ResizeToContents: 48 s at 100k rows)."""

    def __init__(self, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paper_model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # The indicator first: enabling sorting sorts at once by whatever it shows (by title unless the
        # model's rows already are sorted, e.g. in the order kept from the last start: then nothing moves).
        column, order = model.sorted_by() or (COLUMN_NAMES.index("title"), Qt.SortOrder.AscendingOrder)
        self.horizontalHeader().setSortIndicator(column, order)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # Titles with math or italics are painted with their spans (i-Mix with an italic i, ℓp).
        self.setItemDelegateForColumn(COLUMN_NAMES.index("title"), ShownDelegate(self))
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
            header.setSectionHidden(column, name in DEFAULT_HIDDEN)
            self.fit_column(column)
        self.apply_column_modes()
        # Sorted by a narrow column: it widens so its label and the arrow both show.
        header.sortIndicatorChanged.connect(lambda column, _order: self._make_room_for_arrow(column))

    def apply_column_modes(self) -> None:
        """The title stretches into the width the others leave; the others keep the width they have.
        (Also after restoring a saved header, which brings the resize modes of the version that saved it.)"""
        header = self.horizontalHeader()
        title = COLUMN_NAMES.index("title")
        for column in range(header.count()):
            mode = QHeaderView.ResizeMode.Stretch if column == title else QHeaderView.ResizeMode.Interactive
            header.setSectionResizeMode(column, mode)

    def fit_column(self, column: int) -> None:
        """Size a column (not the title) to its header and the contents of its first rows, within its cap."""
        name = COLUMN_NAMES[column]
        if name == "title":
            return
        self.horizontalHeader().resizeSection(column, self.content_width(column))

    def content_width(self, column: int) -> int:
        """The width of the column's header and of its first ``CONTENT_SAMPLE`` cells, within its cap.

        Measured from the texts (a few ms): Qt's own ``sizeHintForColumn`` asks the delegate of every cell
        for every role, 35 ms a column here.
        """
        model = self.paper_model
        metrics = self.fontMetrics()
        style = self.style()
        padding = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 8
        icon = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self) + 4
        widest = 0
        for row in range(min(CONTENT_SAMPLE, model.rowCount())):
            index = model.index(row, column)
            width = metrics.horizontalAdvance(str(index.data() or ""))
            if width and index.data(Qt.ItemDataRole.DecorationRole) is not None:
                width += icon
            widest = max(widest, width + padding)
        width = max(self.header_width(column), widest)
        return min(width, WIDTH_CAPS.get(COLUMN_NAMES[column], width))

    def header_width(self, column: int) -> int:
        """The width of the column's header label; with room for the sort arrow only on the sorted column
        (Qt's size hint keeps that room on every column: 20 px each that the title can use)."""
        header = self.horizontalHeader()
        if header.sortIndicatorSection() == column:
            return header.sectionSizeHint(column)
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        label = str(self.paper_model.headerData(column, Qt.Orientation.Horizontal) or "")
        return header.fontMetrics().horizontalAdvance(label) + 2 * margin + HEADER_SLACK

    def _make_room_for_arrow(self, column: int) -> None:
        header = self.horizontalHeader()
        if COLUMN_NAMES[column] != "title" and header.sectionSize(column) < header.sectionSizeHint(column):
            header.resizeSection(column, header.sectionSizeHint(column))

    def sort_by_scores(self, scores: dict[str, float]) -> None:
        """Show ``scores`` in the match column and sort by it, best first: the header's arrow says so."""
        column = COLUMN_NAMES.index(MATCH)
        self.paper_model.set_scores(scores)
        self.setColumnHidden(column, False)
        self.fit_column(column)
        self.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
        self.paper_model.sort(column, Qt.SortOrder.DescendingOrder)  # also when the arrow was there already

    # -- dragging papers onto a reading list ----------------------------------------------------------

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        drag = self.drag_for_selection()
        if drag is not None:
            drag.exec(supportedActions, Qt.DropAction.CopyAction)

    def drag_for_selection(self) -> QDrag | None:
        """A drag of the selected papers that shows a small badge with their number beside the pointer.

        Qt's own drag image is the selected rows themselves, which covers the sidebar and the very list
        one wants to drop on.
        """
        ids = self.selected_ids()
        if not ids:
            return None
        model = self.paper_model
        indexes = [model.index(row, 0) for row in (model.row_of(pid) for pid in ids) if row >= 0]
        drag = QDrag(self)
        drag.setMimeData(model.mimeData(indexes))
        drag.setPixmap(drag_badge(len(ids), self.palette(), self.font(), self.devicePixelRatioF()))
        drag.setHotSpot(QPoint(-12, -12))  # the badge sits below and right of the pointer, off the target
        return drag

    # -- the selection, by paper id ------------------------------------------------------------------

    def current_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(PAPER_ID_ROLE) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        """The selected papers in table order; the current paper when no row is selected."""
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        ids = [self.paper_model.paper_id(r) for r in rows]
        if not ids and (current := self.current_id()) is not None:
            ids = [current]
        return ids

    def select(self, paper_id: str, centre: bool = False) -> bool:
        """Make ``paper_id`` the current and only selected paper, scrolled into view; False if not shown."""
        row = self.paper_model.row_of(paper_id)
        if row < 0:
            return False
        index = self.paper_model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        hint = QAbstractItemView.ScrollHint.PositionAtCenter if centre else QAbstractItemView.ScrollHint.EnsureVisible
        self.scrollTo(index, hint)
        return True

    def move_current(self, step: int) -> None:
        """Go ``step`` rows down (up when negative), staying in the table; to the first row if none is current."""
        rows = self.paper_model.rowCount()
        if not rows:
            return
        row = self.currentIndex().row()
        row = 0 if row < 0 else max(0, min(rows - 1, row + step))
        self.select(self.paper_model.paper_id(row))


def drag_badge(count: int, palette: QPalette, font: QFont, ratio: float = 1.0) -> QPixmap:
    """A rounded badge saying how many papers are dragged ("3 papers"), in the selection's colours."""
    text = f"{count:,} paper" + ("" if count == 1 else "s")
    bold = QFont(font)
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    width, height = metrics.horizontalAdvance(text) + 20, metrics.height() + 8
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    background = QColor(palette.color(QPalette.ColorRole.Highlight))
    background.setAlphaF(0.92)
    painter.setBrush(background)
    painter.drawRoundedRect(QRectF(0, 0, width, height), height / 2, height / 2)
    painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    painter.setFont(bold)
    painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


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
