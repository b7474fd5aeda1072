"""The library window: search, facets and reading lists, the paper table, and the detail pane."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QMimeData, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from papershelf import __version__
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import PRIORITIES, STATUSES
from papershelf.core.resources import resources_dir
from papershelf.core.search.index import REBUILD_STALE_SHARE, WORD_INDEX_FROM
from papershelf.core.search.query import Query, QueryError, parse_query
from papershelf.core.similar import SimilarityKeeper
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting
from papershelf.services.exporting import AutoExport
from papershelf.services.importing import supported_suffixes
from papershelf.ui.controller import LibraryController
from papershelf.ui.detail import DetailPane
from papershelf.ui.dialogs import (
    Confirm,
    ImportSummaryDialog,
    ListChooser,
    ListNameDialog,
    NotesFileDialog,
    QueryHelpDialog,
    ShortcutsDialog,
)
from papershelf.ui.export_dialog import ExportDialog, ExportRequest
from papershelf.ui.importer import ImportJob, ImportReport
from papershelf.ui.library_menu import install_library_menu
from papershelf.ui.notes_sync import NotesSync
from papershelf.ui.paper_model import COLUMN_NAMES, PAPER_ID_ROLE, STATUS_LABELS, PaperTableModel
from papershelf.ui.preferences import export_defaults
from papershelf.ui.sidebar import FacetPanel
from papershelf.ui.similar_panel import SimilarPanel
from papershelf.ui.stats import StatsView

ROW_HEIGHT = 24
FACET_COUNT_DELAY_MS = 150
LARGE_LIBRARY = 20_000  # papers; above this a search box without a word index waits for a pause in typing
SLOW_FILTER_DELAY_MS = 90
INDEX_STEP_S = 0.008  # the search index builds in steps of this long between events
AUTO_EXPORT_DELAY_MS = 800
SETTINGS_VERSION = 1
DEFAULT_WIDTHS = {"title": 250, "authors": 140, "venue": 76, "track": 70, "status": 86,
                  "priority": 64, "rating": 64, "tags": 100, "added": 86}
DEFAULT_HIDDEN = ("priority", "rating", "added")


def app_icon() -> QIcon:
    try:
        return QIcon(str(resources_dir() / "icons" / "papershelf.svg"))
    except FileNotFoundError:
        return QIcon()


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


class MainWindow(QMainWindow):
    import_finished = Signal(object)  # ImportReport
    search_index_ready = Signal()  # a large library's search index is built (or loaded) and in use

    def __init__(self, library: Library, parent: QWidget | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings or QSettings()
        self.controller = LibraryController(library, self)
        self._search_index_started = False
        self._index_timer = QTimer(self)  # builds the search index in steps between events
        self._index_timer.setInterval(0)
        self._index_timer.timeout.connect(self._search_index_step)
        self.setWindowTitle("Papershelf")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.import_job: ImportJob | None = None
        self._last_query: Query = parse_query("")
        self._query_ids: list[str] = []

        self.model = PaperTableModel(library, self)
        self.table = PaperTable(self.model, self)
        self.sidebar = FacetPanel(self)
        self.detail = DetailPane(self.controller, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, authors, abstracts, tags, notes…   (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("search")
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setToolTip("Search syntax")
        self.help_button.clicked.connect(lambda: QueryHelpDialog.ask(self))
        self.clear_filters_button = QPushButton("Clear filters")
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.hint = QLabel()
        self.hint.setObjectName("queryHint")
        self.hint.hide()

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4ce; color: #4d3800; padding: 6px 10px;")
        self.banner.hide()

        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_clear = QPushButton("Clear search and filters")
        self.empty_clear.clicked.connect(self.clear_filters)
        self.empty_import = QPushButton("Import papers…")
        self.empty_import.clicked.connect(self.import_dialog)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.empty_clear, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addWidget(self.empty_import, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(empty_page)

        search_row = QHBoxLayout()
        search_row.setContentsMargins(8, 6, 8, 0)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.help_button)
        search_row.addWidget(self.clear_filters_button)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(4)
        centre_layout.addLayout(search_row)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(10, 0, 8, 0)
        hint_row.addWidget(self.hint)
        centre_layout.addLayout(hint_row)
        centre_layout.addWidget(self.table_stack, 1)

        self.similarity = SimilarityKeeper(library)
        self.similar_panel = SimilarPanel(library, self.similarity)
        self.similar_panel.paper_activated.connect(self._similar_activated)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.detail)
        self.right.addWidget(self.similar_panel)
        self.right.setStretchFactor(0, 4)
        self.right.setStretchFactor(1, 1)
        self.right.setSizes([600, 180])

        self.stats_view = StatsView(library)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(centre, "Papers")
        self.tabs.addTab(self.stats_view, "Statistics")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([200, 720, 360])
        self.splitter.setChildrenCollapsible(False)

        root = QWidget()
        root_layout = QVBoxLayout(root)
        root_layout.setContentsMargins(0, 0, 0, 0)
        root_layout.setSpacing(0)
        root_layout.addWidget(self.banner)
        root_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        # In very large libraries a word search scans ~100 MB of abstracts (50-130 ms at 100k papers):
        # there the search box waits for a short pause in typing instead of blocking every keystroke.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(SLOW_FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(24 * 60 * 60 * 1000)
        self._backup_timer.timeout.connect(library.backup)
        self._backup_timer.start()

        self._facet_timer = QTimer(self)
        self._facet_timer.setSingleShot(True)
        self._facet_timer.setInterval(FACET_COUNT_DELAY_MS)
        self._facet_timer.timeout.connect(self.update_facet_counts)

        # Files tied to a reading list or the whole library ("keep updated"), rewritten shortly after changes.
        self.auto_export = AutoExport(library, immediate=False, on_error=lambda _tie, message: self.show_error(message))
        self._export_timer = QTimer(self)
        self._export_timer.setSingleShot(True)
        self._export_timer.setInterval(AUTO_EXPORT_DELAY_MS)
        self._export_timer.timeout.connect(self.auto_export.flush)
        self.notes_sync = NotesSync(self.controller, self)
        self.notes_sync.auto = str(self.settings.value("notes/auto", "true")).lower() != "false"
        self.sync_label = QLabel(self.notes_sync.status_text())
        self.sync_label.setObjectName("syncStatus")
        self.statusBar().addPermanentWidget(self.sync_label)
        self.notes_sync.status_changed.connect(self.sync_label.setText)
        self.notes_sync.failed.connect(self.show_error)
        self.notes_sync.synced.connect(self._notes_synced)
        self.notes_sync.conflicts_changed.connect(self.model.set_conflicts)
        self.notes_sync.about_to_sync.connect(self.detail.save_note)

        self._build_menus()
        install_library_menu(self)
        self._build_shortcuts()
        self._connect()
        self.resize(1280, 800)
        if library.read_only:
            self.show_banner(
                f"This library folder cannot be written ({library.folder}). "
                "It is open read-only: you can browse and search, but changes will not be saved."
            )
        self.restore_state()
        self.apply_filters()  # starts the facet timer: counts follow just after the window is shown

    # -- construction --------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = file_menu.addAction("&Import…", self.import_dialog)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.export_action = file_menu.addAction("&Export…", self.export_dialog)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        file_menu.addSeparator()
        file_menu.addAction("&Notes file…", self.choose_notes_file)
        self.sync_action = file_menu.addAction("&Sync notes now", self.notes_sync.sync_now)
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.auto_sync_action = file_menu.addAction("Sync notes &automatically")
        self.auto_sync_action.setCheckable(True)
        self.auto_sync_action.setChecked(self.notes_sync.auto)
        self.auto_sync_action.toggled.connect(self._set_auto_sync)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.controller.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.controller.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        copy_keys = edit_menu.addAction("Copy citation &keys", self.copy_keys)
        copy_keys.setShortcut(QKeySequence("Ctrl+Shift+C"))
        find = edit_menu.addAction("&Find", self.focus_search)
        find.setShortcut(QKeySequence.StandardKey.Find)
        edit_menu.addSeparator()
        edit_menu.addAction("New reading list…", self.new_list)

        view_menu = self.menuBar().addMenu("&View")
        self.columns_menu = view_menu.addMenu("&Columns")
        header = self.table.horizontalHeader()
        self.column_actions: dict[str, QAction] = {}
        for column, name in enumerate(COLUMN_NAMES):
            action = self.columns_menu.addAction(str(self.model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: self.table.setColumnHidden(c, not on))
            self.column_actions[name] = action
        header.customContextMenuRequested.connect(lambda pos: self.columns_menu.popup(header.mapToGlobal(pos)))
        view_menu.addAction("Clear &filters", self.clear_filters)
        recommended = view_menu.addAction("Sort by &recommendation", self.sort_by_recommendation)
        recommended.setToolTip("Untriaged papers most like the ones you read or rated 4-5 come first")
        view_menu.addSeparator()
        papers_tab = view_menu.addAction("&Papers", lambda: self.tabs.setCurrentIndex(0))
        papers_tab.setShortcut(QKeySequence("Ctrl+1"))
        stats_tab = view_menu.addAction("&Statistics", lambda: self.tabs.setCurrentIndex(1))
        stats_tab.setShortcut(QKeySequence("Ctrl+2"))

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Search syntax", lambda: QueryHelpDialog.ask(self))
        help_menu.addAction("&Keyboard shortcuts", lambda: ShortcutsDialog.ask(self))
        help_menu.addAction("&About Papershelf", self.about)

    def _build_shortcuts(self) -> None:
        def on_table(key: str, slot: object) -> None:
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        on_table("J", lambda: self.move_current(1))
        on_table("K", lambda: self.move_current(-1))
        for number, status in enumerate(STATUSES, start=1):
            on_table(str(number), lambda s=status: self.set_status(s))
        on_table("P", self.cycle_priority)
        on_table("T", self.detail.tags.setFocus)
        on_table("N", self.focus_note)
        on_table("L", self.add_selection_to_list)
        on_table("Shift+L", self.remove_selection_from_list)
        on_table("/", self.focus_search)
        escape = QShortcut(QKeySequence("Escape"), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.clear_search)

    def _connect(self) -> None:
        self.search.textChanged.connect(self._search_edited)
        self.search.returnPressed.connect(self.table.setFocus)
        self.sidebar.selection_changed.connect(self.apply_filters)
        self.sidebar.new_list_requested.connect(self.new_list)
        self.sidebar.rename_list_requested.connect(self.rename_list)
        self.sidebar.delete_list_requested.connect(self.delete_list)
        self.sidebar.facet_model.papers_dropped.connect(self.add_keys_to_list)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_status())
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.controller.annotations_changed.connect(self._annotations_changed)
        self.controller.papers_added.connect(lambda _ids: self._papers_added())
        self.controller.lists_changed.connect(self._facet_timer.start)
        self.controller.lists_changed.connect(self.stats_view.refresh)
        self.controller.error.connect(self.show_error)

    # -- filtering -----------------------------------------------------------------------------------

    def _search_edited(self) -> None:
        if len(self.library) > LARGE_LIBRARY and not self.controller.index.word_indexed:
            self._filter_timer.start()  # scanning: wait for a pause in typing (the word index needs none)
        else:
            self.apply_filters()

    def apply_filters(self) -> None:
        """Re-run the search and the facets; called on every keystroke."""
        self._filter_timer.stop()
        text = self.search.text()
        try:
            query = parse_query(text)
        except QueryError as exc:
            self._show_hint(f"{exc} — showing results for the last valid search", error=True)
            query = self._last_query
        else:
            self._last_query = query
            self.hint.hide()
        selection = self.sidebar.selection()
        index = self.controller.index
        if not index.ready and index.building and not query.is_empty:
            # the table keeps what it shows; _search_index_ready filters again in a moment
            self._show_hint(f"Preparing to search {len(self.library):,} papers…", error=False)
            return
        current = self.current_paper_id()

        def id_filter(ids: Sequence[str]) -> list[str]:
            # An empty search keeps every paper: no need to build the index (seconds at 100k) for it.
            matched = list(ids) if query.is_empty else index.filter_incremental(query, ids)
            self._query_ids = matched
            return self.controller.facet_counter.apply(matched, selection)

        self.model.set_filter(id_filter)
        self._reselect(current)
        self.update_status()
        self._update_empty_state()
        self._facet_timer.start()

    def _show_hint(self, text: str, *, error: bool) -> None:
        self.hint.setStyleSheet("color: #b3261e;" if error else "color: palette(placeholder-text);")
        self.hint.setText(text)
        self.hint.show()

    def start_search_index(self) -> None:
        """Prepare a large library's facet counts and search index in small steps between events; once.

        At 100k papers: ~0.4 s for the facet codes, then the search index (~8 s when built, ~2 s from
        the cache). The window stays responsive (a step is a few ms; threads would fight the UI for the
        GIL); facet counts appear when their part is done, and a search typed meanwhile runs at the end.
        """
        if self._search_index_started or len(self.library) < WORD_INDEX_FROM:
            return
        self._search_index_started = True
        self.controller.facet_counter.start_sync()
        self.controller.index.start_build()
        self._index_timer.start()

    def _search_index_step(self) -> None:
        counter = self.controller.facet_counter
        if counter.syncing:
            if counter.sync_step(INDEX_STEP_S):
                self.update_facet_counts()
            return
        if not self.controller.index.build_step(INDEX_STEP_S):
            return
        self._index_timer.stop()
        if self.search.text().strip():
            self.apply_filters()
        self.search_index_ready.emit()

    def update_facet_counts(self) -> None:
        counter = self.controller.facet_counter
        if counter.syncing:
            return  # _search_index_step calls again when the codes are ready
        counts = counter.counts(self._query_ids, self.sidebar.selection())
        self.sidebar.show_counts(counts, self.library.list_names())

    def clear_filters(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        self.sidebar.blockSignals(False)
        self.apply_filters()

    def clear_search(self) -> None:
        self.search.clear()

    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0:
            self.table_stack.setCurrentIndex(0)
            return
        if len(self.library) == 0:
            suffixes = ", ".join(supported_suffixes())
            self.empty.setText(
                "Your library is empty.\n\nImport papers with File → Import, or drop files onto this "
                f"window ({suffixes})."
            )
            self.empty_clear.hide()
            self.empty_import.show()
        else:
            what = f"“{self.search.text().strip()}”" if self.search.text().strip() else "these filters"
            self.empty.setText(f"No papers match {what}.\n\nTry fewer words, or clear the filters.")
            self.empty_clear.show()
            self.empty_import.hide()
        self.table_stack.setCurrentIndex(1)

    def update_status(self) -> None:
        shown, total = self.model.rowCount(), len(self.library)
        selected = len(self.table.selectionModel().selectedRows())
        message = f"{shown:,} of {total:,} papers"
        if selected > 1:
            message += f" · {selected:,} selected"
        self.statusBar().showMessage(message)

    # -- selection -----------------------------------------------------------------------------------

    def current_paper_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(PAPER_ID_ROLE) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        ids = [self.model.paper_id(r) for r in rows]
        if not ids and (current := self.current_paper_id()) is not None:
            ids = [current]
        return ids

    def select_paper(self, paper_id: str, centre: bool = False) -> bool:
        row = self.model.row_of(paper_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        hint = QAbstractItemView.ScrollHint.PositionAtCenter if centre else QAbstractItemView.ScrollHint.EnsureVisible
        self.table.scrollTo(index, hint)
        return True

    def _reselect(self, paper_id: str | None) -> None:
        if paper_id is None or not self.select_paper(paper_id):
            self.detail.show_paper(None)
            self.similar_panel.show_for(None)  # the paper is filtered out: both panes let it go

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        paper_id = current.data(PAPER_ID_ROLE) if current.isValid() else None
        self.detail.show_paper(paper_id)
        self.similar_panel.show_for(paper_id)

    def _similar_activated(self, paper_id: str) -> None:
        if not self.select_paper(paper_id):
            # Filtered out: clear the filters so the paper can be shown.
            self.clear_filters()
            self.select_paper(paper_id)

    def sort_by_recommendation(self) -> None:
        ranked = [pid for pid, _score in self.similarity().recommend(self.library, n=len(self.library))]
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.order_by(ranked)
        if ranked:
            self.statusBar().showMessage(f"{len(ranked)} recommended papers first", 5000)
        else:
            self.statusBar().showMessage("Mark papers as read or rate them 4-5 to get recommendations", 5000)

    def move_current(self, step: int) -> None:
        rows = self.model.rowCount()
        if not rows:
            return
        row = self.table.currentIndex().row()
        row = 0 if row < 0 else max(0, min(rows - 1, row + step))
        self.select_paper(self.model.paper_id(row))

    # -- editing -------------------------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        ids = self.selected_ids()
        if ids:
            label = STATUS_LABELS[status]
            text = f"Mark {len(ids)} papers as {label}" if len(ids) > 1 else f"Mark as {label}"
            self.controller.annotate(ids, AnnotationChange(status=status), text)

    def cycle_priority(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        current = self.library.annotation(self.current_paper_id() or ids[0]).priority
        priority = (current + 1) % len(PRIORITIES)
        self.controller.annotate(ids, AnnotationChange(priority=priority),
                                 f"Priority {PRIORITIES[priority]}")

    def add_selection_to_list(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        name = ListChooser.ask(self, self.library.list_names())
        if name:
            self.controller.annotate(ids, AnnotationChange(add_lists=(name,)), f"Add to “{name}”")

    def remove_selection_from_list(self) -> None:
        ids = self.selected_ids()
        names = sorted({n for pid in ids for n in self.library.annotation(pid).lists}, key=str.casefold)
        if not names:
            self.statusBar().showMessage("The selected papers are in no reading list", 4000)
            return
        name = ListChooser.ask(self, names, remove=True)
        if name:
            self.controller.annotate(ids, AnnotationChange(remove_lists=(name,)), f"Remove from “{name}”")

    def add_keys_to_list(self, name: str, keys: list[str]) -> None:
        ids = [self.library.paper(k).id for k in keys if self.library.has_key(k)]
        if ids:
            self.controller.annotate(ids, AnnotationChange(add_lists=(name,)), f"Add to “{name}”")

    def tag_selection(self, remove: bool = False) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        verb = "Remove tag from" if remove else "Add tag to"
        tag = ListNameDialog.ask(self, f"{verb} {len(ids)} papers", "Tag:")
        if tag:
            change = AnnotationChange(remove_tags=(tag,)) if remove else AnnotationChange(add_tags=(tag,))
            self.controller.annotate(ids, change, f"{verb} selection: {tag}")

    def new_list(self) -> None:
        name = ListNameDialog.ask(self, "New reading list", "Name:")
        if name:
            self.controller.create_list(name)

    def rename_list(self, old: str) -> None:
        new = ListNameDialog.ask(self, "Rename reading list", "New name:", old)
        if new and new != old and self.controller.rename_list(old, new):
            self.auto_export.rename_list(old, new)
            self._export_timer.start()
            chosen = self.sidebar.selected.get("lists", set())
            if old in chosen:
                chosen.discard(old)
                chosen.add(new)
                self.apply_filters()

    def delete_list(self, name: str) -> None:
        if Confirm.ask(self, "Delete reading list",
                       f"Delete the reading list “{name}”? The papers stay in your library."):
            self.controller.delete_list(name)
            self.sidebar.selected.get("lists", set()).discard(name)
            self.apply_filters()

    def copy_keys(self) -> None:
        keys = [self.library.papers[pid].key for pid in self.selected_ids()]
        if keys:
            QGuiApplication.clipboard().setText(", ".join(keys))
            self.statusBar().showMessage(f"Copied {len(keys)} citation key(s)", 3000)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def focus_note(self) -> None:
        if self.detail.preview_toggle.isChecked():
            self.detail.preview_toggle.setChecked(False)
        self.detail.note.setFocus()

    def _table_menu(self, pos: object) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        status_menu = menu.addMenu("Status")
        for number, status in enumerate(STATUSES, start=1):
            action = status_menu.addAction(STATUS_LABELS[status], lambda s=status: self.set_status(s))
            action.setShortcut(QKeySequence(str(number)))
        lists_menu = menu.addMenu("Add to reading list")
        for name in self.library.list_names():
            lists_menu.addAction(name, lambda n=name: self.controller.annotate(
                ids, AnnotationChange(add_lists=(n,)), f"Add to “{n}”"))
        lists_menu.addSeparator()
        lists_menu.addAction("New list…", self.add_selection_to_list)
        in_lists = sorted({n for pid in ids for n in self.library.annotation(pid).lists}, key=str.casefold)
        if in_lists:
            remove_menu = menu.addMenu("Remove from reading list")
            for name in in_lists:
                remove_menu.addAction(name, lambda n=name: self.controller.annotate(
                    ids, AnnotationChange(remove_lists=(n,)), f"Remove from “{n}”"))
        menu.addAction("Add tag…", self.tag_selection)
        menu.addAction("Remove tag…", lambda: self.tag_selection(remove=True))
        menu.addSeparator()
        menu.addAction("Copy citation keys", self.copy_keys)
        self.table_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    # -- reacting to the library ---------------------------------------------------------------------

    def _annotations_changed(self, ids: list[str]) -> None:
        if self.auto_export.ties:
            self._export_timer.start()  # flush() rewrites only the files whose papers changed
        self.model.papers_changed(ids)
        self._facet_timer.start()
        self.stats_view.refresh()

    def _papers_added(self) -> None:
        if self.auto_export.ties:
            self._export_timer.start()
        self.stats_view.refresh(papers_changed=True)
        current = self.current_paper_id()
        self.model.reload()
        self.apply_filters()
        self._reselect(current)
        index = self.controller.index
        if index.stale_share > REBUILD_STALE_SHARE and not index.building:
            # many new papers are scanned on every new word: index them again, in steps; the search
            # keeps answering from the index it has meanwhile
            index.start_build()
            self._index_timer.start()

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(f"Not saved: {message}", 10000)
        self.show_banner(
            f"A change could not be saved: {message}. Nothing on disk was changed; an unsaved note stays "
            "in the editor and is saved with your next edit once the problem is fixed."
        )

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    # -- importing -----------------------------------------------------------------------------------

    def export_dialog(self) -> None:
        selection = self.selected_ids() if self.table.selectionModel().selectedRows() else []
        counts = {"selection": len(selection), "filter": self.model.rowCount(), "all": len(self.library)}
        chosen_lists = sorted(self.sidebar.selected.get("lists", set()))
        request = ExportDialog.ask(self, counts, self.library.list_names(), self.export_defaults(),
                                   chosen_lists[0] if chosen_lists else None)
        if request is not None:
            self.export(request, selection)

    def export_defaults(self) -> BibtexOptions:
        """The BibTeX options chosen in Preferences."""
        return export_defaults(self.settings)

    def export(self, request: ExportRequest, selection: Sequence[str] = ()) -> bool:
        """Write an export (and tie the file when asked); False, with the reason shown, if it failed."""
        scope_ids: list[str] | None = {
            "selection": list(selection), "filter": list(self.model.ids()), "list": None, "all": None,
        }[request.scope]
        try:
            if request.keep_updated:
                self.auto_export.tie(request.path, list_name=request.list_name, fmt=request.fmt,
                                     options=request.options())
                count = len(self.auto_export.ties[-1].members)
                notes: list[str] = []
            else:
                papers = exporting.select(self.library, ids=scope_ids, list_name=request.list_name)
                result = exporting.render(self.library, papers, request.fmt, bibtex_options=request.bibtex,
                                          markdown_options=request.markdown)
                exporting.write(request.path, result)
                count, notes = len(papers), result.notes
        except (OSError, ValueError, KeyError) as exc:
            self.show_error(f"could not export to {request.path}: {getattr(exc, 'strerror', None) or exc}")
            return False
        message = f"Exported {count} papers to {request.path.name}"
        if request.keep_updated:
            message += " (kept updated)"
        self.statusBar().showMessage(" · ".join([message, *notes]), 10000)
        return True

    def import_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in supported_suffixes())
        files, _ = QFileDialog.getOpenFileNames(self, "Import papers", "", f"Paper files ({patterns})")
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, paths: Sequence[Path]) -> ImportJob:
        """Import in the background with a progress dialog; a summary is shown at the end."""
        if self.library.read_only:
            self.show_error("the library is open read-only")
        job = ImportJob(self.library, paths, self)
        progress = QProgressDialog("Importing…", "Cancel", 0, len(paths), self)
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
            first = f"{report.imported} papers imported."
            ImportSummaryDialog.ask(self, title, f"{first}\n{report.text()}", report.failed)
            self.import_finished.emit(report)

        job.progress.connect(step)
        job.finished.connect(finished)
        self.import_job = job
        job.start()
        return job

    def _notes_synced(self, _report: object) -> None:
        self.model.set_conflicts(list(self.library.conflicts()))
        self.detail.refresh()

    def choose_notes_file(self) -> None:
        current = str(self.notes_sync.path or "")
        path = NotesFileDialog.ask(self, current)
        if path:
            self.notes_sync.set_path(Path(path))

    def _set_auto_sync(self, on: bool) -> None:
        self.settings.setValue("notes/auto", "true" if on else "false")
        self.notes_sync.set_auto(on)

    def on_instance_message(self, message: dict[str, object]) -> None:
        """Another start of Papershelf on this library: come to the front and import its files."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        files = message.get("files")
        if isinstance(files, list) and files:
            suffixes = set(supported_suffixes())
            paths = [Path(str(f)) for f in files if Path(str(f)).suffix.lower() in suffixes]
            if paths:
                self.import_files(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    @staticmethod
    def _dropped_paths(mime: QMimeData) -> list[Path]:
        if not mime.hasUrls():
            return []
        suffixes = set(supported_suffixes())
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        return [p for p in paths if p.suffix.lower() in suffixes]

    # -- state ---------------------------------------------------------------------------------------

    def about(self) -> None:
        import platform

        import PySide6
        from PySide6.QtCore import qVersion

        QMessageBox.about(
            self, "About Papershelf",
            f"Papershelf {__version__}\n\nQt {qVersion()} · PySide6 {PySide6.__version__} · "
            f"Python {platform.python_version()}\n\nLibrary: {self.library.folder}",
        )

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/version", SETTINGS_VERSION)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/right", self.right.saveState())
        s.setValue("window/header", self.table.horizontalHeader().saveState())
        s.setValue("window/query", self.search.text())
        s.setValue("window/facets", json.dumps({k: sorted(v) for k, v in self.sidebar.selection().items()}))
        current = self.current_paper_id()
        s.setValue("window/current", self.library.papers[current].key if current else "")
        s.sync()

    def restore_state(self) -> None:
        s = self.settings
        if s.value("window/version") is None:
            return
        for key, restore in (("window/geometry", self.restoreGeometry),
                             ("window/header", self.table.horizontalHeader().restoreState)):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        splitter = s.value("window/splitter")
        # Splitter sizes only stick once the window has its real size: applied on first show.
        self._pending_splitter = splitter if isinstance(splitter, QByteArray) else None
        right = s.value("window/right")
        if isinstance(right, QByteArray):
            self.right.restoreState(right)
        header = self.table.horizontalHeader()
        for column, name in enumerate(COLUMN_NAMES):
            self.column_actions[name].setChecked(not header.isSectionHidden(column))
        sort_column = header.sortIndicatorSection()
        if 0 <= sort_column < len(COLUMN_NAMES):
            self.model.sort(sort_column, header.sortIndicatorOrder())
        self.search.blockSignals(True)
        self.search.setText(str(s.value("window/query", "") or ""))
        self.search.blockSignals(False)
        try:
            selection = json.loads(str(s.value("window/facets", "{}") or "{}"))
        except ValueError:
            selection = {}
        if isinstance(selection, dict):
            self.sidebar.blockSignals(True)
            self.sidebar.set_selection({k: v for k, v in selection.items() if isinstance(v, list)})
            self.sidebar.blockSignals(False)
        key = str(s.value("window/current", "") or "")
        if key and self.library.has_key(key):
            self._pending_key = key
            QTimer.singleShot(0, self._restore_current)

    def _restore_current(self) -> None:
        key = getattr(self, "_pending_key", "")
        if key and self.library.has_key(key):
            self.select_paper(self.library.paper(key).id, centre=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.start_search_index)  # once the window is up, not before
        pending = getattr(self, "_pending_splitter", None)
        if pending is not None:
            self._pending_splitter = None
            self.splitter.restoreState(pending)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.import_job is not None:
            self.import_job.stop()
        self.detail.save_note()
        self.auto_export.flush()
        if self.notes_sync.auto and self.notes_sync.path is not None:
            self.notes_sync.sync_now()  # the last edits reach the file before the window goes
        self.save_state()
        self.controller.index.wait_for_cache()  # a search index just built is still being cached: finish it
        super().closeEvent(event)
