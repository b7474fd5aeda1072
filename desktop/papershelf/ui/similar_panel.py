"""More like this: the papers most similar to the current one, each with a similarity bar.

Titles are painted as text (``QPainter.drawText``, their LaTeX rendered run by run: ``ui/rendered.py``),
never interpreted as HTML; the tooltip, which Qt would guess to be rich text, is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeySequence, QPainter, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.events import PapersChanged, PapersRemoved
from papershelf.core.library import Library
from papershelf.core.similar import SimilarityIndex
from papershelf.core.text.latex import render, shown
from papershelf.ui.paper_model import PAPER_ID_ROLE, authors_short
from papershelf.ui.rendered import SHOWN_ROLE, draw_shown

ModelIndex = QModelIndex | QPersistentModelIndex
SCORE_ROLE = Qt.ItemDataRole.UserRole + 10
SIMILAR_COUNT = 10
ROW_HEIGHT = 60  # two lines of title, one of authors
BAR_WIDTH = 64
# A bar is full at this cosine similarity, or at the best match's if higher: weak matches get short bars.
FULL_BAR = 0.25


class SimilarModel(QAbstractListModel):
    """Rows are (paper id, similarity) for one paper's nearest papers."""

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self._library = library
        self._rows: list[tuple[str, float]] = []
        # an import may fill in a title or authors; the library may outlive this model
        self.destroyed.connect(library.events.subscribe({
            PapersChanged: self._papers_changed, PapersRemoved: self._papers_removed,
        }))

    def _papers_removed(self, event: PapersRemoved) -> None:
        gone = set(event.ids)
        if any(pid in gone for pid, _score in self._rows):
            self.set_rows([row for row in self._rows if row[0] not in gone])

    def _papers_changed(self, event: PapersChanged) -> None:
        changed = set(event.ids)
        rows = [row for row, (pid, _score) in enumerate(self._rows) if pid in changed]
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)))

    def set_rows(self, rows: list[tuple[str, float]]) -> None:
        self.beginResetModel()
        self._rows = [(pid, score) for pid, score in rows if pid in self._library.papers]
        self.endResetModel()

    def paper_id(self, row: int) -> str:
        return self._rows[row][0]

    def top_score(self) -> float:
        return self._rows[0][1] if self._rows else 0.0

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        pid, score = self._rows[index.row()]
        paper = self._library.papers[pid]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(paper.title)
        if role == SHOWN_ROLE:
            return render(paper.title)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"<p>{html.escape(shown(paper.title))}</p><p>{html.escape(authors_short(paper.authors))}</p>"
                    f"<p>Similarity {score:.2f} (title and abstract words in common)</p>")
        if role == PAPER_ID_ROLE:
            return pid
        if role == SCORE_ROLE:
            return score
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{shown(paper.title)}, similarity {score:.2f}"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class SimilarDelegate(QStyledItemDelegate):
    """Two lines (title; authors, venue and year) and a similarity bar on the right."""

    def __init__(self, library: Library, model: SimilarModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._library = library
        self._model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return QSize(200, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            # The selection and hover background, as the style draws it; no text.
            plain = QStyleOptionViewItem(option)
            self.initStyleOption(plain, index)
            plain.text = ""
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, plain, painter, widget)
        pid = index.data(PAPER_ID_ROLE)
        score = float(index.data(SCORE_ROLE) or 0.0)
        paper = self._library.papers.get(pid) if pid else None
        if paper is None:
            return
        palette: QPalette = option.palette
        rect = QRectF(option.rect).adjusted(8, 4, -8, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.65)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # The bar, right-aligned, with the score under it.
        bar = QRectF(rect.right() - BAR_WIDTH, rect.top() + 5, BAR_WIDTH, 6)
        track = QColor(text)
        track.setAlphaF(0.15)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, 3, 3)
        fill = min(1.0, score / max(FULL_BAR, self._model.top_score()))
        if fill > 0:
            painter.setBrush(palette.color(QPalette.ColorRole.HighlightedText if selected
                                           else QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(6.0, BAR_WIDTH * fill), bar.height()), 3, 3)
        small = QFont(option.font)
        small.setPointSizeF(small.pointSizeF() * 0.85)
        painter.setFont(small)
        painter.setPen(muted)
        score_rect = QRectF(bar.left(), bar.bottom() + 2, BAR_WIDTH, rect.bottom() - bar.bottom() - 2)
        painter.drawText(score_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, f"{score:.2f}")
        # Title (up to two lines) and authors, venue and year, elided, as plain text.
        text_w = rect.width() - BAR_WIDTH - 12
        title_font = QFont(option.font)
        metrics = QFontMetricsF(title_font)
        painter.setFont(title_font)
        painter.setPen(text)
        line_h = metrics.lineSpacing()
        small_h = QFontMetricsF(small).lineSpacing()
        title = render(paper.title)  # LaTeX rendered: ℓp, i-Mix with an italic i
        lines = two_lines(metrics, title.text, text_w)
        y = rect.top() + max(0.0, (rect.height() - len(lines) * line_h - small_h) / 2)
        start = 0
        for number, line in enumerate(lines):
            line_rect = QRectF(rect.left(), y, text_w, line_h)
            if title.spans:  # painted run by run; the last line elides itself
                end = start + len(line) if number < len(lines) - 1 else None
                draw_shown(painter, line_rect, title, title_font, start, end)
                start += len(line) + 1
            else:
                painter.drawText(line_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
            y += line_h
        details = " · ".join(x for x in (authors_short(paper.authors),
                                          " ".join(str(v) for v in (paper.venue, paper.year) if v)) if x)
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(QRectF(rect.left(), y, text_w, small_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetricsF(small).elidedText(details, Qt.TextElideMode.ElideRight, text_w))
        painter.restore()


def two_lines(metrics: QFontMetricsF, text: str, width: float) -> list[str]:
    """``text`` broken at a space into at most two lines of ``width``, the second elided."""
    text = " ".join(text.split())
    if metrics.horizontalAdvance(text) <= width:
        return [text]
    words = text.split(" ")
    first = words[0]
    taken = 1
    while taken < len(words) and metrics.horizontalAdvance(f"{first} {words[taken]}") <= width:
        first = f"{first} {words[taken]}"
        taken += 1
    if metrics.horizontalAdvance(first) > width:  # one word wider than the line
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    rest = " ".join(words[taken:])
    return [first, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]


class SimilarPanel(QWidget):
    """'More like this' for one paper. ``index_provider`` returns the similarity index (it may build it
    the first time, so it is asked only when the panel is shown).
    """

    paper_activated = Signal(str)  # paper id, on click or Enter
    shown_for = Signal(str)  # the list now shows the papers like this one (paper id)

    def __init__(self, library: Library, index_provider: Callable[[], SimilarityIndex],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.index_provider = index_provider
        self.paper_id: str | None = None
        self._stale = False

        self.heading = QLabel("More like this")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.model = SimilarModel(library, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(SimilarDelegate(library, self.model, self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setMouseTracking(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.clicked.connect(self._activate)
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._activate(self.view.currentIndex()))
        self.message = QLabel()
        self.message.setObjectName("similarMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.heading.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.stack, 1)
        self.setMinimumHeight(120)
        self._show_message("Select a paper to see papers like it.")

    def sizeHint(self) -> QSize:
        return QSize(360, ROW_HEIGHT * SIMILAR_COUNT + 40)

    def show_for(self, paper_id: str | None) -> None:
        """Show the papers most like ``paper_id`` (now if visible, otherwise when next shown)."""
        self.paper_id = paper_id
        if self.isVisible():
            self._update()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._update()

    def _update(self) -> None:
        self._stale = False
        pid = self.paper_id
        if pid is None or pid not in self.library.papers:
            self.model.set_rows([])
            self._show_message("Select a paper to see papers like it.")
            return
        index = self.index_provider()
        try:
            rows = index.similar(pid, SIMILAR_COUNT)
        except KeyError:
            rows = None
        self.model.set_rows(rows or [])
        if rows is None:
            self._show_message("This paper is not in the similarity index yet.")
        elif not rows:
            self._show_message("No other paper shares words with this one's title or abstract.")
        else:
            self.stack.setCurrentWidget(self.view)
            self.view.scrollToTop()
        self.shown_for.emit(pid)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.paper_activated.emit(self.model.paper_id(index.row()))
