"""The search row above the table: the query box, the syntax help, "Clear filters" and the hint line.

The panel decides *when* to search (at once, or after a pause in typing in a very large library) and
*when* facet counts are due (shortly after the last search); the window decides what searching means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from papershelf.core.search.query import Query, QueryError, parse_query
from papershelf.ui.dialogs import QueryHelpDialog

FACET_COUNT_DELAY_MS: Final = 150
SLOW_FILTER_DELAY_MS: Final = 90


class SearchPanel(QWidget):
    """Signals: ``search_requested`` (filter now), ``clear_requested`` (the "Clear filters" button),
    ``submitted`` (Enter in the box), ``facet_counts_due`` (a moment after the last search)."""

    search_requested = Signal()
    clear_requested = Signal()
    submitted = Signal()
    facet_counts_due = Signal()

    def __init__(self, waits_for_pause: Callable[[], bool] = lambda: False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waits_for_pause = waits_for_pause
        self.last_query: Query = parse_query("")  # the last query that parsed
        self.widen: Callable[[Query], Query] | None = None  # e.g. plain words also in the PDFs' text
        self.last_text = ""  # ... as it was typed

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, authors, abstracts, tags, notes…   (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("search")
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setToolTip("Search syntax")
        self.help_button.clicked.connect(lambda: QueryHelpDialog.ask(self.window()))
        self.clear_filters_button = QPushButton("Clear filters")
        self.clear_filters_button.clicked.connect(self.clear_requested)
        self.hint = QLabel()
        # its line stays when hidden: a hint appearing or going never moves the table
        policy = self.hint.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.hint.setSizePolicy(policy)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # the hint quotes what was typed
        self.hint.setObjectName("queryHint")
        self.hint.hide()

        search_row = QHBoxLayout()
        search_row.setContentsMargins(8, 6, 8, 0)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.help_button)
        search_row.addWidget(self.clear_filters_button)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(10, 0, 8, 0)
        hint_row.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(search_row)
        layout.addLayout(hint_row)

        self.filter_timer = QTimer(self)  # a pause in typing, where the search box waits for one
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(SLOW_FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.search_requested)
        self.facet_timer = QTimer(self)
        self.facet_timer.setSingleShot(True)
        self.facet_timer.setInterval(FACET_COUNT_DELAY_MS)
        self.facet_timer.timeout.connect(self.facet_counts_due)

        self.search.textChanged.connect(self._edited)
        self.search.returnPressed.connect(self.submitted)
        escape = QShortcut(QKeySequence("Escape"), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.search.clear)

    def _edited(self) -> None:
        if self.waits_for_pause():
            self.filter_timer.start()  # scanning: wait for a pause in typing (the word index needs none)
        else:
            self.search_requested.emit()

    def text(self) -> str:
        return self.search.text()

    def set_text_quietly(self, text: str) -> None:
        """Put ``text`` in the box without searching (restoring state, clearing filters)."""
        self.search.blockSignals(True)
        self.search.setText(text)
        self.search.blockSignals(False)

    def query(self) -> Query:
        """The query in the box; while it does not parse, the hint says why and the last one is used."""
        self.filter_timer.stop()  # searching now: a pending pause-search is no longer needed
        try:
            query = parse_query(self.search.text())
            query = self.widen(query) if self.widen is not None else query
        except QueryError as exc:
            # Say which search the table shows, so the hint never claims one thing and shows another.
            shown = f"“{self.last_text.strip()}”" if self.last_text.strip() else "all papers (no search)"
            self.show_hint(f"{exc} — the table shows {shown}", error=True)
            return self.last_query
        self.last_query, self.last_text = query, self.search.text()
        self.hint.hide()
        return query

    def show_hint(self, text: str, *, error: bool) -> None:
        self.hint.setStyleSheet("color: #b3261e;" if error else "color: palette(placeholder-text);")
        self.hint.setText(text)
        self.hint.show()

    def schedule_facet_counts(self) -> None:
        self.facet_timer.start()

    def focus(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
