"""The library window: lays out the search panel, facets and reading lists, the paper table, the detail
pane and More like this, and connects them to the controller. What happens lives below: the controller
(``ui/app_controller.py``), the search panel (``ui/search_panel.py``) and the actions (``ui/actions.py``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from papershelf.core.library import Library
from papershelf.core.paths import default_library_dir
from papershelf.core.resources import resources_dir
from papershelf.services.drafts import Draft, DraftError
from papershelf.services.importing import supported_suffixes
from papershelf.sync import state as sync_state
from papershelf.ui import window_state
from papershelf.ui.actions import WindowActions
from papershelf.ui.app_controller import LARGE_LIBRARY, AppController
from papershelf.ui.detail import DetailPane
from papershelf.ui.dialogs import DraftOfferDialog, NotesFileDialog, UnsavedDraftsDialog
from papershelf.ui.library_menu import install_library_menu
from papershelf.ui.notes_sync import NotesSync
from papershelf.ui.paper_model import ORDER_FILE, PAPER_ID_ROLE, PaperTableModel
from papershelf.ui.paper_table import EmptyPage, PaperTable
from papershelf.ui.search_panel import SearchPanel
from papershelf.ui.sidebar import FacetPanel
from papershelf.ui.similar_panel import SimilarPanel
from papershelf.ui.stats import StatsView
from papershelf.ui.transfer import Transfers, dropped_paths, importable

__all__ = ["LARGE_LIBRARY", "MainWindow", "app_icon"]


def app_icon() -> QIcon:
    try:
        return QIcon(str(resources_dir() / "icons" / "papershelf.svg"))
    except FileNotFoundError:
        return QIcon()


def window_title(folder: Path, *, read_only: bool = False) -> str:
    """"Papershelf" for the default library, "<folder> — Papershelf" for another, so two windows differ."""
    default = folder.expanduser().resolve() == default_library_dir().expanduser().resolve()
    title = "Papershelf" if default else f"{folder.name} — Papershelf"
    return title + (" (read-only)" if read_only else "")


class MainWindow(QMainWindow):
    search_index_ready = Signal()  # a large library's search index is built (or loaded) and in use
    words_ready = Signal()  # ... or before that, its word index answers plain words (built, no search.cache)

    def __init__(self, library: Library, parent: QWidget | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings or QSettings()
        self.controller = AppController(library, self)
        self.auto_export = self.controller.auto_export
        self._pending = window_state.Pending()
        self.setWindowTitle(window_title(library.folder, read_only=library.read_only))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.transfers = Transfers(self)  # File → Import / Export, drops, files from another start
        self._build_layout()
        self.notes_sync = NotesSync(self.controller, self)
        self.notes_sync.auto = str(self.settings.value("notes/auto", "true")).lower() != "false"
        self.sync_label = QLabel(self.notes_sync.status_text())
        self.sync_label.setObjectName("syncStatus")
        self.statusBar().addPermanentWidget(self.sync_label)
        self.window_actions = WindowActions(self)
        self.undo_action = self.window_actions.undo_action
        self.redo_action = self.window_actions.redo_action
        self.auto_sync_action = self.window_actions.auto_sync_action
        self.column_actions = self.window_actions.column_actions
        self.table_menu: QMenu | None = None  # the table's context menu, once shown
        install_library_menu(self)
        self._connect()
        self.resize(1280, 800)
        if library.read_only:
            self.show_banner(
                f"This library folder cannot be written ({library.folder}). "
                "It is open read-only: you can browse and search, but changes will not be saved."
            )
        self.restore_state()
        # A large library's search index is prepared between events, from the first after the window is shown
        # (child processes start then, if they build its word index); a search restored now waits for it.
        self.start_search_index()
        self.apply_filters()  # starts the facet timer: counts follow just after the window is shown

    # -- construction --------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        controller = self.controller
        self.model = PaperTableModel(controller.library, self)
        # The order the table was closed in, while the library's files are unchanged: no sort at start-up.
        self.model.restore_order(controller.library.folder / ORDER_FILE)
        self.table = PaperTable(self.model, self)
        self.sidebar = FacetPanel(self)
        self.detail = DetailPane(controller, self)
        self.search_panel = SearchPanel(controller.search_waits_for_pause)
        self.search, self.hint = self.search_panel.search, self.search_panel.hint
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # errors quote file names and user text
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4ce; color: #4d3800; padding: 6px 10px;")
        self.banner.hide()
        self.empty_page = EmptyPage()
        self.empty = self.empty_page.label
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty_page)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(4)
        centre_layout.addWidget(self.search_panel)
        centre_layout.addWidget(self.table_stack, 1)

        self.similarity = controller.similarity
        self.similar_panel = SimilarPanel(controller.library, controller.similar_index)
        controller.similarity_progress.connect(self.similar_panel.show_progress)
        controller.similarity_ready.connect(self.similar_panel.index_ready)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.detail)
        self.right.addWidget(self.similar_panel)
        # More like this keeps the height of its ten rows; the detail pane takes whatever else there is.
        self.right.setStretchFactor(0, 1)
        self.right.setStretchFactor(1, 0)
        self.right.setSizes([600, self.similar_panel.sizeHint().height()])

        self.stats_view = StatsView(controller.library)
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
        self.splitter.setSizes([200, 740, 340])
        self.splitter.setChildrenCollapsible(False)

        root = QWidget()
        root_layout = QVBoxLayout(root)
        root_layout.setContentsMargins(0, 0, 0, 0)
        root_layout.setSpacing(0)
        root_layout.addWidget(self.banner)
        root_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

    def _connect(self) -> None:
        controller, panel, sidebar = self.controller, self.search_panel, self.sidebar
        panel.search_requested.connect(self.apply_filters)
        panel.clear_requested.connect(self.clear_filters)
        panel.submitted.connect(self.table.setFocus)
        panel.facet_counts_due.connect(self.update_facet_counts)
        self.empty_page.clear_requested.connect(self.clear_filters)
        self.empty_page.import_requested.connect(self.transfers.import_dialog)
        sidebar.selection_changed.connect(self.apply_filters)
        sidebar.new_list_requested.connect(self.window_actions.new_list)
        sidebar.rename_list_requested.connect(self.window_actions.rename_list)
        sidebar.delete_list_requested.connect(self.window_actions.delete_list)
        sidebar.facet_model.papers_dropped.connect(controller.add_keys_to_list)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_status())
        self.table.customContextMenuRequested.connect(self.window_actions.show_table_menu)
        self.similar_panel.paper_activated.connect(self._similar_activated)
        controller.annotations_changed.connect(self._annotations_changed)
        controller.papers_changed.connect(self._annotations_changed)  # facet counts, as for edits
        controller.papers_added.connect(lambda _ids: self._papers_added())
        controller.papers_removed.connect(lambda _ids: self._papers_added())  # search and reselect again
        controller.lists_changed.connect(panel.schedule_facet_counts)
        controller.error.connect(self.show_error)
        controller.facet_codes_ready.connect(self.update_facet_counts)
        controller.search_index_ready.connect(self._search_index_ready)
        controller.words_ready.connect(self._words_ready)
        self.notes_sync.status_changed.connect(self.sync_label.setText)
        self.notes_sync.failed.connect(self.show_error)
        self.notes_sync.synced.connect(self._notes_synced)
        self.notes_sync.conflicts_changed.connect(self.model.set_conflicts)
        self.notes_sync.about_to_sync.connect(self.detail.save_note)

    # -- filtering -----------------------------------------------------------------------------------

    def apply_filters(self) -> None:
        """Re-run the search and the facets; called on every keystroke (not once the window has closed: a
        search that would build the index then is not run)."""
        if self.controller.stopped:
            return
        query = self.search_panel.query()
        if self.controller.search_pending(query):
            # the table keeps what it shows; _search_index_ready filters again in a moment
            self.search_panel.show_hint(f"Preparing to search {len(self.library):,} papers…", error=False)
            return
        current = self.current_paper_id()
        selection = self.sidebar.selection()
        self.model.set_filter(lambda order: self.controller.filter(query, selection, order).shown)
        self._reselect(current)
        self.update_status()
        self._update_empty_state()
        self.search_panel.schedule_facet_counts()

    def start_search_index(self) -> None:
        """Prepare a large library's facet counts and search index between events (see the controller)."""
        self.controller.start_search_index()

    def _words_ready(self) -> None:
        if self.search_panel.text().strip():
            self.apply_filters()  # a plain query typed meanwhile is answered now; any other still waits
        self.words_ready.emit()

    def _search_index_ready(self) -> None:
        if self.search_panel.text().strip() and not self.controller.matched_early:  # (early: the same answer)
            self.apply_filters()
        self.search_index_ready.emit()

    def update_facet_counts(self) -> None:
        counts = self.controller.facet_counts(self.sidebar.selection())
        if counts is not None:
            self.sidebar.show_counts(counts, self.library.list_names())

    def clear_filters(self) -> None:
        self.search_panel.set_text_quietly("")
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        self.sidebar.blockSignals(False)
        self.apply_filters()

    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0:
            self.table_stack.setCurrentIndex(0)
            return
        if len(self.library) == 0:
            self.empty_page.show_empty_library(", ".join(supported_suffixes()))
        else:
            self.empty_page.show_no_match(self.search_panel.text().strip())
        self.table_stack.setCurrentIndex(1)

    def update_status(self) -> None:
        shown, trashed = self.model.rowCount(), len(self.library.trashed_ids())
        in_trash = "trash" in self.sidebar.selected.get("trash", set())  # the Trash facet: its papers only
        total = trashed if in_trash else len(self.library) - trashed
        selected = len(self.table.selectionModel().selectedRows())
        message = f"{shown:,} of {total:,} papers" + (" in the Trash" if in_trash else "")
        if selected > 1:
            message += f" · {selected:,} selected"
        self.statusBar().showMessage(message)

    # -- selection -----------------------------------------------------------------------------------

    def current_paper_id(self) -> str | None:
        return self.table.current_id()

    def selected_ids(self) -> list[str]:
        return self.table.selected_ids()

    def select_paper(self, paper_id: str, centre: bool = False) -> bool:
        return self.table.select(paper_id, centre)

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
        # The scores go into the match column, which the table then sorts by (its header shows the arrow).
        ranked = self.controller.recommendations()
        if ranked is None:  # the similarity index is being built between events: sorted once it is ready
            self.statusBar().showMessage(f"Finding similar papers… ({self.controller.similarity_percent()}%): "
                                         "sorted by recommendation when ready")
            self.controller.when_similarity_ready(self.sort_by_recommendation)
            return
        self.column_actions["match"].setChecked(True)
        self.table.sort_by_scores(dict(ranked))
        if ranked:
            self.statusBar().showMessage(f"{len(ranked)} recommended papers first", 5000)
        else:
            self.statusBar().showMessage("Mark papers as read or rate them 4-5 to get recommendations", 5000)

    def focus_note(self) -> None:
        if self.detail.preview_toggle.isChecked():
            self.detail.preview_toggle.setChecked(False)
        self.detail.note.setFocus()

    # -- reacting to the library ---------------------------------------------------------------------

    # The table model and the statistics follow the library's events themselves.

    def _annotations_changed(self, _ids: list[str]) -> None:
        self.search_panel.schedule_facet_counts()

    def _papers_added(self) -> None:
        current = self.current_paper_id()
        self.apply_filters()
        self._reselect(current)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(f"Not saved: {message}", 10000)
        self.show_banner(
            f"A change could not be saved: {message}. Nothing on disk was changed; an unsaved note stays "
            "in the editor and is saved with your next edit once the problem is fixed."
        )

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    # -- import and export (ui/transfer.py) --------------------------------------------------------------

    def _notes_synced(self, _report: object) -> None:
        self.model.set_conflicts(list(sync_state.conflicts(self.library)))
        self.detail.refresh()

    def choose_notes_file(self) -> None:
        current = str(self.notes_sync.path or "")
        path = NotesFileDialog.ask(self, current)
        if path:
            self.notes_sync.set_path(Path(path))

    def set_auto_sync(self, on: bool) -> None:
        self.settings.setValue("notes/auto", "true" if on else "false")
        self.notes_sync.set_auto(on)

    def on_instance_message(self, message: dict[str, object]) -> None:
        """Another start of Papershelf on this library: come to the front and import its files."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        files = message.get("files")
        if isinstance(files, list) and files:
            paths = importable([Path(str(f)) for f in files])
            if paths:
                self.transfers.import_files(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.transfers.import_files(paths)

    # -- state ---------------------------------------------------------------------------------------

    def save_state(self) -> None:
        window_state.save_state(self, self.settings)

    def restore_state(self) -> None:
        self._pending = window_state.restore_state(self, self.settings)
        # the paper selected last time, or (first start) the first one: never an empty detail pane
        QTimer.singleShot(0, self._restore_current)

    def _restore_current(self) -> None:
        key = self._pending.key
        if key and self.library.has_key(key):
            self.select_paper(self.library.paper(key).id, centre=True)
        elif self.current_paper_id() is None and self.model.rowCount():
            self.select_paper(self.model.paper_id(0))
        self.table.setFocus()  # the window opens ready for triage keys (j, k, 1-5), not on the first facet

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.controller.resume_background_work()  # (shown again after a close; nothing to do otherwise)
        QTimer.singleShot(0, self.start_search_index)  # (started as the window was made, if large enough then)
        pending, self._pending.splitter = self._pending.splitter, None
        if pending is not None:
            self.splitter.restoreState(pending)
        if not self._pending.right_restored:
            # First start: More like this gets its ten rows if the detail pane can spare them; from now on
            # the divider stays where it is (the detail pane takes a taller window's extra height).
            self._pending.right_restored = True
            self.right.setSizes([self.right.height() - self.similar_panel.sizeHint().height(),
                                 self.similar_panel.sizeHint().height()])
            self.similar_panel.fit_in_splitter()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.detail.save_note()
        if not self._may_quit_with_unsaved_notes():
            event.ignore()
            return
        self.transfers.stop()
        self.auto_export.flush()
        if self.notes_sync.auto and self.notes_sync.path is not None:
            self.notes_sync.sync_now()  # the last edits reach the file before the window goes
        self.save_state()
        self.model.save_order(self.library.folder / ORDER_FILE)
        self.controller.stop_background_work()  # a build under way stops (and its child processes): the next start
        self.controller.index.wait_for_cache()  # ... builds again; one just built is still being cached: finish it
        super().closeEvent(event)

    # -- drafts: notes the library could not save, kept outside it (services/drafts.py) ----------------

    def _may_quit_with_unsaved_notes(self) -> bool:
        keys = [draft.key for draft in self.detail.drafts.drafts()]
        if self.detail.note_dirty and self.detail.paper_id is not None:
            key = self.library.papers[self.detail.paper_id].key
            if key not in keys:
                keys.append(key)  # its draft could not be kept either
        return not keys or UnsavedDraftsDialog.ask(self, keys, self.detail.draft_error)

    def offer_drafts(self) -> None:
        """Offer each note kept as a draft since the last start: restore it (as an edit, so the note it
        replaces goes into the history), discard it, or leave it for later. Called once the window is up."""
        if self.library.read_only:
            return  # nothing could be restored now; the drafts wait for a start that can write
        for draft in self.detail.drafts.drafts():
            paper_id = self._draft_paper(draft)
            if paper_id is None:
                continue  # the paper is gone from this library; the draft stays in the recovery file
            choice = DraftOfferDialog.ask(self, draft.key, draft.text, draft.saved_at)
            if choice == DraftOfferDialog.RESTORE:
                self.restore_draft(paper_id, draft)
            elif choice == DraftOfferDialog.DISCARD:
                with contextlib.suppress(DraftError):
                    self.detail.drafts.clear(draft.paper_id)

    def _draft_paper(self, draft: Draft) -> str | None:
        if draft.paper_id in self.library.papers:
            return draft.paper_id
        return self.library.paper(draft.key).id if self.library.has_key(draft.key) else None

    def restore_draft(self, paper_id: str, draft: Draft) -> None:
        """Put the draft into the paper's note through the note editor and save it like typing would."""
        if not self.select_paper(paper_id):
            self.clear_filters()
            self.select_paper(paper_id)
        if self.detail.paper_id != paper_id:
            self.detail.show_paper(paper_id)
        self.detail.note.setPlainText(draft.text)
        self.detail.save_note()  # a failure keeps the draft (and the text in the editor)
        if not self.detail.note_dirty and draft.paper_id != paper_id:
            with contextlib.suppress(DraftError):
                self.detail.drafts.clear(draft.paper_id)  # kept under an id the paper no longer has
