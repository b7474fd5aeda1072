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
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
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
MINIMUM_ROWS = 3  # shown however little room there is
ROW_HEIGHT = 22  # one line: the title, then the score and its bar (authors, venue and year in the tooltip)
BAR_WIDTH = 40
SCORE_WIDTH = 30
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
            where = " ".join(str(x) for x in (paper.venue, paper.year) if x)
            return (f"<p>{html.escape(shown(paper.title))}</p><p>{html.escape(authors_short(paper.authors))}"
                    f"{'<br>' + html.escape(where) if where else ''}</p>"
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
    """One line: the title, then the similarity as a number and a bar on the right."""

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
        rect = QRectF(option.rect).adjusted(8, 2, -8, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.7)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # The bar, right-aligned and centred on the line, with the score before it.
        bar = QRectF(rect.right() - BAR_WIDTH, rect.center().y() - 3, BAR_WIDTH, 6)
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
        score_rect = QRectF(bar.left() - SCORE_WIDTH - 4, rect.top(), SCORE_WIDTH, rect.height())
        painter.drawText(score_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{score:.2f}")
        # The title, elided, its LaTeX rendered run by run (ℓp, i-Mix with an italic i); never HTML.
        line = QRectF(rect.left(), rect.top(), score_rect.left() - 8 - rect.left(), rect.height())
        title = render(paper.title)
        painter.setPen(text)
        if title.spans:
            draw_shown(painter, line, title, option.font)
        else:
            painter.setFont(option.font)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             QFontMetricsF(option.font).elidedText(title.text, Qt.TextElideMode.ElideRight,
                                                                   line.width()))
        painter.restore()


class SimilarPanel(QWidget):
    """'More like this' for one paper. ``index_provider`` returns the similarity index (it may build it
    the first time, so it is asked only when the panel is shown), or None while it is being built between
    events: the panel then says how far it got (``show_progress``) and fills in on ``index_ready``.
    """

    paper_activated = Signal(str)  # paper id, on click or Enter
    shown_for = Signal(str)  # the list now shows the papers like this one (paper id)
    expanded_changed = Signal(bool)

    def __init__(self, library: Library, index_provider: Callable[[], SimilarityIndex | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.index_provider = index_provider
        self.paper_id: str | None = None
        self._stale = False
        self._waiting = False  # for the index being built; ``index_ready`` fills the list in
        self._percent = 0

        # The heading folds the list away (giving the detail pane its room) and back.
        self.heading = QToolButton()
        self.heading.setText("More like this")
        self.heading.setAutoRaise(True)
        self._expanded = True
        self.heading.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.heading.setArrowType(Qt.ArrowType.DownArrow)
        self.heading.setToolTip("Show or hide the papers most like this one")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.clicked.connect(lambda: self.set_expanded(not self._expanded))
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

        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.stack, 1)
        self._show_message("Select a paper to see papers like it.")
        self.set_expanded(True)

    def expanded_height(self) -> int:
        """The height that shows all ``SIMILAR_COUNT`` rows: the panel asks for it, so none is cut off."""
        frame = 2 * self.view.frameWidth()
        return self.heading.sizeHint().height() + self._layout.spacing() + ROW_HEIGHT * SIMILAR_COUNT + frame + 2

    def is_expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        """Show the list (at the height of all its rows) or fold it away under its heading."""
        self._expanded = expanded
        self.heading.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.stack.setVisible(expanded)
        if expanded:
            # At least a few rows; the splitter it sits in gives it ``expanded_height`` (its size hint) when
            # the detail pane above can spare it, and never squeezes that pane below its own minimum.
            # Never taller than its ten rows: a taller window gives the detail pane the height.
            self.setMaximumHeight(self.expanded_height())
            self.setMinimumHeight(self.expanded_height() - ROW_HEIGHT * (SIMILAR_COUNT - MINIMUM_ROWS))
        else:
            self.setMinimumHeight(self.heading.sizeHint().height())
            self.setMaximumHeight(self.heading.sizeHint().height())
        self.fit_in_splitter()
        if expanded and self._stale:
            self._update()
        self.expanded_changed.emit(expanded)

    def fit_in_splitter(self) -> None:
        """Take the height of all the rows (unfolded) or of the heading (folded) in the splitter the panel
        sits in, from the panes beside it as far as their minimum heights let them give it."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter) or not splitter.isVisible():
            return
        sizes = splitter.sizes()
        index = splitter.indexOf(self)
        total = sum(sizes)
        others = [w for i in range(splitter.count()) if i != index and (w := splitter.widget(i)) is not None]
        room = total - sum(w.minimumSizeHint().height() for w in others if not w.isHidden())
        wanted = max(self.minimumHeight(), min(self.sizeHint().height(), room, total))
        spare, rest = total - wanted, total - sizes[index]
        splitter.setSizes([wanted if i == index else round(size * spare / max(1, rest))
                           for i, size in enumerate(sizes)])

    def sizeHint(self) -> QSize:
        return QSize(360, self.expanded_height() if self.is_expanded() else self.heading.sizeHint().height())

    def show_for(self, paper_id: str | None) -> None:
        """Show the papers most like ``paper_id`` (now if visible, otherwise when next shown)."""
        self.paper_id = paper_id
        if self.isVisible() and self.is_expanded():
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
        self._waiting = index is None
        if index is None:
            self.model.set_rows([])
            self._show_message(self.progress_text())
            return
        try:
            rows = index.similar(pid, SIMILAR_COUNT, hidden=self.library.trashed_ids())
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

    def progress_text(self) -> str:
        return f"Finding similar papers… ({self._percent}%)"

    def show_progress(self, percent: int) -> None:
        """How far the index being built got (the message says it while the panel waits for it)."""
        self._percent = percent
        if self._waiting:
            self.message.setText(self.progress_text())

    def index_ready(self) -> None:
        """The index is built: show the papers like the current one (now if visible, otherwise when next shown)."""
        if self._waiting:
            self._waiting = False
            self.show_for(self.paper_id)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.paper_activated.emit(self.model.paper_id(index.row()))
