"""The window's actions: its menus, its keyboard shortcuts on the table, and the table's context menu.

A command asks what it needs (a dialog), then calls the controller; the rules live there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMenu, QMessageBox, QToolButton, QWidget

from papershelf import __version__
from papershelf.core.model import STATUSES
from papershelf.core.storage.store import StoreError
from papershelf.services import citations, fulltext, pdfinbox
from papershelf.ui.dialogs import Confirm, ListChooser, ListNameDialog, QueryHelpDialog, ShortcutsDialog
from papershelf.ui.duplicates_dialog import DuplicatesDialog
from papershelf.ui.paper_files import AttachFileDialog, TableFileDrop, attach_files, open_paper
from papershelf.ui.paper_model import COLUMN_NAMES, STATUS_LABELS
from papershelf.ui.pdf_inbox import FullTextJob, PdfInboxWatcher, UnmatchedPdfsDialog, WatchFolderDialog
from papershelf.ui.trash import TrashActions

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow


CITE_STYLE_KEY = "cite/style"
# citeproc-py on the GUI thread: 200 papers in APA measured 1.5-6 s here (bibliography, 2 busy cores),
# about 0.02 s a reference. Above a second the window shows a busy cursor and says what it is doing; above
# ASK_BEFORE_FORMATTING papers it asks first.
ASK_BEFORE_FORMATTING = 200
SECONDS_PER_REFERENCE = 0.02


class CslFileDialog:
    @classmethod
    def ask(cls, parent: QWidget | None) -> str | None:
        """A CSL style file (for example one from the Zotero style repository)."""
        path, _ = QFileDialog.getOpenFileName(parent, "Citation style", "", "CSL styles (*.csl);;All files (*)")
        return path or None


class WindowActions(QObject):
    """The menu bar's actions, the table's shortcuts and context menu, and the commands they run on the
    selection and the reading lists, for one window (``window.window_actions``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.trash = TrashActions(window)  # Delete, Restore, Empty Trash… (ui/trash.py)
        self._build_menus()
        self._build_shortcuts()

    def _build_menus(self) -> None:
        w = self.window
        file_menu = w.menuBar().addMenu("&File")
        self.import_action = file_menu.addAction("&Import…", w.transfers.import_dialog)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.export_action = file_menu.addAction("&Export…", w.transfers.export_dialog)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self._build_pdf_folder_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction("&Notes file…", w.choose_notes_file)
        self.sync_action = file_menu.addAction("&Sync notes now", w.notes_sync.sync_now)
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.auto_sync_action = file_menu.addAction("Sync notes &automatically")
        self.auto_sync_action.setCheckable(True)
        self.auto_sync_action.setChecked(w.notes_sync.auto)
        self.auto_sync_action.toggled.connect(w.set_auto_sync)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", w.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        edit_menu = w.menuBar().addMenu("&Edit")
        self.undo_action = w.controller.undo_stack.createUndoAction(w, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = w.controller.undo_stack.createRedoAction(w, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        copy_keys = edit_menu.addAction("Copy citation &keys", self.copy_keys)
        copy_keys.setShortcut(QKeySequence("Ctrl+Alt+C"))
        self._build_citation_actions(edit_menu)
        find = edit_menu.addAction("&Find", w.search_panel.focus)
        find.setShortcut(QKeySequence.StandardKey.Find)
        edit_menu.addSeparator()
        edit_menu.addAction("New reading list…", self.new_list)
        self.duplicates_action = edit_menu.addAction("Possible &duplicates…",
                                                     lambda: DuplicatesDialog.ask(w, w.controller))
        self.trash.add_to_edit_menu(edit_menu)

        view_menu = w.menuBar().addMenu("&View")
        self.columns_menu = view_menu.addMenu("&Columns")
        header = w.table.horizontalHeader()
        self.column_actions: dict[str, QAction] = {}
        for column, name in enumerate(COLUMN_NAMES):
            action = self.columns_menu.addAction(str(w.model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: w.table.setColumnHidden(c, not on))
            self.column_actions[name] = action
        header.customContextMenuRequested.connect(lambda pos: self.columns_menu.popup(header.mapToGlobal(pos)))
        view_menu.addAction("Clear &filters", w.clear_filters)
        recommended = view_menu.addAction("Sort by &recommendation", w.sort_by_recommendation)
        recommended.setToolTip("Untriaged papers most like the ones you read or rated 4-5 come first")
        view_menu.addSeparator()
        papers_tab = view_menu.addAction("&Papers", lambda: w.tabs.setCurrentIndex(0))
        papers_tab.setShortcut(QKeySequence("Ctrl+1"))
        stats_tab = view_menu.addAction("&Statistics", lambda: w.tabs.setCurrentIndex(1))
        stats_tab.setShortcut(QKeySequence("Ctrl+2"))

        help_menu = w.menuBar().addMenu("&Help")
        help_menu.addAction("&Search syntax", lambda: QueryHelpDialog.ask(w))
        help_menu.addAction("&Keyboard shortcuts", lambda: ShortcutsDialog.ask(w))
        help_menu.addAction("&About Papershelf", self.about)

    def _build_shortcuts(self) -> None:
        w = self.window

        def on_table(key: str, slot: Callable[[], object]) -> None:
            shortcut = QShortcut(QKeySequence(key), w.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        on_table("J", lambda: w.table.move_current(1))
        on_table("K", lambda: w.table.move_current(-1))
        for number, status in enumerate(STATUSES, start=1):
            on_table(str(number), partial(self.set_status, status))
        on_table("P", self.cycle_priority)
        on_table("T", w.detail.tags.setFocus)
        on_table("N", w.focus_note)
        on_table("L", self.add_selection_to_list)
        on_table("Shift+L", self.remove_selection_from_list)
        on_table("/", w.search_panel.focus)
        self._build_file_actions()
        # Back to the table from the detail pane's editors (t, n), so triage goes on with the keyboard:
        # Return in the tags or lists field (which saves it), Esc anywhere in the pane (the note saves on
        # focus loss).
        w.detail.tags.returnPressed.connect(w.table.setFocus)
        w.detail.lists.returnPressed.connect(w.table.setFocus)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), w.detail)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(w.table.setFocus)

    # -- opening papers and their files (ui/paper_files.py) -------------------------------------------

    def _build_file_actions(self) -> None:
        w = self.window
        self.open_shortcut = QShortcut(QKeySequence("O"), w.table)
        self.open_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.open_shortcut.activated.connect(self.open_current)
        self.table_drop = TableFileDrop(w.table, w.library, w.model.paper_id)
        self.table_drop.attached.connect(lambda text: w.statusBar().showMessage(text, 8000))
        w.detail.paper_files.message.connect(lambda text: w.statusBar().showMessage(text, 8000))

    def _build_pdf_folder_menu(self, file_menu: QMenu) -> None:
        w = self.window
        file_menu.addSeparator()
        self.watch_action = file_menu.addAction("&Watch a folder for PDFs…", self.choose_pdf_folder)
        self.unmatched_action = file_menu.addAction("&Unmatched PDFs…", lambda: UnmatchedPdfsDialog.ask(w, w.library))
        self.pdf_inbox = PdfInboxWatcher(w.library, self)
        w.installEventFilter(self.pdf_inbox)  # stops its worker when the window closes
        self.pdf_progress = QLabel()
        self.pdf_cancel = QToolButton()
        self.pdf_cancel.setText("Cancel")
        self.pdf_cancel.clicked.connect(self.pdf_inbox.cancel)
        for widget in (self.pdf_progress, self.pdf_cancel):
            w.statusBar().addPermanentWidget(widget)
            widget.hide()

        def progress(done: int, total: int) -> None:
            self.pdf_progress.setText(f"Matching PDFs {done}/{total}")
            for widget in (self.pdf_progress, self.pdf_cancel):
                widget.setVisible(done < total)

        self.pdf_inbox.progress.connect(progress)
        self.pdf_inbox.finished.connect(lambda _report: progress(1, 1))
        self.pdf_inbox.message.connect(lambda text: w.statusBar().showMessage(text, 10000))
        # The attached files' text, read in a worker after files come (fulltext: in the search box)
        self.fulltext_job = FullTextJob(w.library, self)
        w.installEventFilter(self.fulltext_job)

        def reading(done: int, total: int) -> None:
            self.pdf_progress.setText(f"Reading PDF text {done}/{total}")
            for widget in (self.pdf_progress, self.pdf_cancel):
                widget.setVisible(done < total)

        self.fulltext_job.progress.connect(reading)
        self.fulltext_job.finished.connect(lambda _n: reading(1, 1))
        self.pdf_cancel.clicked.connect(self.fulltext_job.cancel)
        self.fulltext_job.cancelled.connect(lambda n: w.statusBar().showMessage(
            f"Reading PDF text cancelled: {n} file{'s' if n != 1 else ''} not read; fulltext: searches will "
            "find them after Papershelf starts again", 10000))
        w.controller.annotations_changed.connect(lambda _ids: self.fulltext_job.soon())
        self.fulltext_job.soon()  # files attached while the window was closed, or by the CLI
        w.detail.paper_files.full = self.fulltext_job.full
        w.search.textChanged.connect(w.detail.paper_files.set_query)
        self.search_pdf_text = QAction("Search PDF text too", self)
        self.search_pdf_text.setCheckable(True)
        self.search_pdf_text.setToolTip("Plain words in the search box also find papers whose attached PDFs have them")
        on = str(w.settings.value("search/fulltext", "false")).lower() == "true"
        self.search_pdf_text.setChecked(on)
        w.search_panel.widen = fulltext.with_fulltext if on else None
        w.detail.paper_files.set_widen(w.search_panel.widen)
        self.search_pdf_text.toggled.connect(self.set_search_pdf_text)
        file_menu.addAction(self.search_pdf_text)

    def set_search_pdf_text(self, on: bool) -> None:
        """Plain words also search the attached files' text (a preference, kept in the settings)."""
        w = self.window
        w.settings.setValue("search/fulltext", "true" if on else "false")
        w.search_panel.widen = fulltext.with_fulltext if on else None
        w.detail.paper_files.set_widen(w.search_panel.widen)
        w.apply_filters()

    def choose_pdf_folder(self) -> None:
        w = self.window
        library = w.library
        answer = WatchFolderDialog.ask(w, pdfinbox.watched_folder(library), pdfinbox.moves_matched(library))
        if answer is None:
            return
        try:
            pdfinbox.set_watched_folder(library, answer[0], move=answer[1])
        except (ValueError, StoreError) as exc:
            w.statusBar().showMessage(f"Not changed: {exc}", 8000)
            return
        self.pdf_inbox.follow()
        w.statusBar().showMessage(f"Watching {answer[0]} for PDFs" if answer[0] else "No folder is watched", 5000)

    def open_current(self) -> None:
        """Open the current paper's PDF, or its best link, in the system's application (``o``)."""
        w = self.window
        if (pid := w.current_paper_id()) is not None:
            w.statusBar().showMessage(open_paper(w.library, pid), 5000)

    def attach_to_current(self) -> None:
        w = self.window
        if (pid := w.current_paper_id()) is not None and (paths := AttachFileDialog.ask(w)):
            w.statusBar().showMessage(attach_files(w.library, pid, paths), 8000)

    # -- commands on the selection -------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        if ids := self.window.selected_ids():
            self.window.controller.set_status(ids, status)

    def cycle_priority(self) -> None:
        w = self.window
        if ids := w.selected_ids():
            w.controller.cycle_priority(ids, w.current_paper_id() or ids[0])

    def add_selection_to_list(self) -> None:
        w = self.window
        ids = w.selected_ids()
        if ids and (name := ListChooser.ask(w, w.library.list_names())):
            w.controller.add_to_list(ids, name)

    def remove_selection_from_list(self) -> None:
        w = self.window
        ids = w.selected_ids()
        names = w.controller.lists_of(ids)
        if not names:
            w.statusBar().showMessage("The selected papers are in no reading list", 4000)
            return
        if name := ListChooser.ask(w, names, remove=True):
            w.controller.remove_from_list(ids, name)

    def tag_selection(self, remove: bool = False) -> None:
        w = self.window
        ids = w.selected_ids()
        if not ids:
            return
        verb = "Remove tag from" if remove else "Add tag to"
        if tag := ListNameDialog.ask(w, f"{verb} {len(ids)} papers", "Tag:"):
            w.controller.tag(ids, tag, remove=remove)

    def copy_keys(self) -> None:
        w = self.window
        keys = [w.library.papers[pid].key for pid in w.selected_ids()]
        if keys:
            QGuiApplication.clipboard().setText(", ".join(keys))
            w.statusBar().showMessage(f"Copied {len(keys)} citation key(s)", 3000)

    # -- formatted citations -------------------------------------------------------------------------
    # The selection formatted in a CSL style (services/citations.py), put on the clipboard as plain text
    # and HTML (so a word processor keeps the italics). The style is chosen in Edit > Citation style and
    # remembered in the settings (CITE_STYLE_KEY): a short name from citations.STYLES or a .csl file's path.

    def _build_citation_actions(self, edit_menu: QMenu) -> None:
        self.copy_citation_action = edit_menu.addAction("Copy &citation", self.copy_citation)
        self.copy_citation_action.setShortcut(QKeySequence("Ctrl+Alt+Shift+C"))
        self.copy_bibliography_action = edit_menu.addAction("Copy &bibliography", self.copy_bibliography)
        self.copy_bibliography_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.style_menu = edit_menu.addMenu("Citation st&yle")
        self.style_group = QActionGroup(self)
        self.style_actions: dict[str, QAction] = {}
        for name, (_, label) in citations.STYLES.items():
            action = self.style_menu.addAction(label, partial(self.set_citation_style, name))
            action.setCheckable(True)
            self.style_group.addAction(action)
            self.style_actions[name] = action
        self.style_menu.addSeparator()
        self.style_file_action = self.style_menu.addAction("Other style (.csl file)…", self.choose_style_file)
        self.style_file_action.setCheckable(True)
        self.style_group.addAction(self.style_file_action)
        self._show_citation_style()

    @property
    def citation_style(self) -> str:
        """The remembered style: a short name or a .csl file's path (APA if none was chosen)."""
        return str(self.window.settings.value(CITE_STYLE_KEY, "") or citations.DEFAULT_STYLE)

    def set_citation_style(self, name: str) -> bool:
        """Remember ``name`` (a short name or a .csl path) if it loads; the status bar says what is wrong if not."""
        try:
            style = citations.load_style(name)
        except (citations.StyleError, OSError) as exc:
            self.window.statusBar().showMessage(f"Citation style not changed: {exc}", 8000)
            self._show_citation_style()
            return False
        self.window.settings.setValue(CITE_STYLE_KEY, name)
        self._show_citation_style()
        self.window.statusBar().showMessage(f"Citation style: {style.title}", 3000)
        return True

    def choose_style_file(self) -> None:
        path = CslFileDialog.ask(self.window)
        if path:
            self.set_citation_style(path)
        else:
            self._show_citation_style()

    def _show_citation_style(self) -> None:
        chosen = self.citation_style
        action = self.style_actions.get(chosen, self.style_file_action)
        action.setChecked(True)
        self.style_file_action.setText(
            "Other style (.csl file)…" if chosen in self.style_actions else f"Other style: {Path(chosen).name}…"
        )

    def copy_citation(self) -> citations.Formatted | None:
        """The selection's in-text citation ("(Grady et al., 2019)", "[1], [2]") onto the clipboard."""
        return self._copy_formatted(citations.citation, "citation")

    def copy_bibliography(self) -> citations.Formatted | None:
        """The selection's references, in the table's order (numeric styles number them so)."""
        return self._copy_formatted(citations.bibliography, "bibliography")

    def _copy_formatted(self, render: Callable[..., citations.Formatted], what: str) -> citations.Formatted | None:
        w = self.window
        papers = [w.library.papers[pid] for pid in w.selected_ids()]
        if not papers:
            w.statusBar().showMessage(f"Select papers to copy a {what}", 3000)
            return None
        try:
            style = citations.load_style(self.citation_style)
        except (citations.StyleError, OSError) as exc:
            w.statusBar().showMessage(f"Cannot format: {exc}. Choose another in Edit > Citation style", 8000)
            return None
        if len(papers) > ASK_BEFORE_FORMATTING and not Confirm.ask(
            w, f"Copy {what}",
            f"Format {len(papers)} references in {style.title}? That takes about "
            f"{max(len(papers) * SECONDS_PER_REFERENCE, 1):.0f} seconds, and the window waits meanwhile.",
        ):
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a long selection takes a while
        try:
            if len(papers) * SECONDS_PER_REFERENCE >= 1:
                w.statusBar().showMessage(f"Formatting {len(papers)} references in {style.title}…")
                w.statusBar().repaint()  # painted now: the window waits for the formatting
            formatted = render(papers, style)
        finally:
            QApplication.restoreOverrideCursor()
        mime = QMimeData()
        mime.setText(formatted.text)
        mime.setHtml(formatted.html if what == "bibliography" else "".join(formatted.html_entries))
        QGuiApplication.clipboard().setMimeData(mime)
        w.statusBar().showMessage(f"Copied the {what} of {len(papers)} paper(s) in {style.title}", 3000)
        return formatted

    # -- reading lists -------------------------------------------------------------------------------

    def new_list(self) -> None:
        if name := ListNameDialog.ask(self.window, "New reading list", "Name:"):
            self.window.controller.create_list(name)

    def rename_list(self, old: str) -> None:
        w = self.window
        new = ListNameDialog.ask(w, "Rename reading list", "New name:", old)
        if new and new != old and w.controller.rename_list(old, new):
            chosen = w.sidebar.selected.get("lists", set())
            if old in chosen:
                chosen.discard(old)
                chosen.add(new)
                w.apply_filters()

    def delete_list(self, name: str) -> None:
        w = self.window
        if Confirm.ask(w, "Delete reading list",
                       f"Delete the reading list “{name}”? The papers stay in your library."):
            w.controller.delete_list(name)
            w.sidebar.selected.get("lists", set()).discard(name)
            w.apply_filters()

    def about(self) -> None:
        import platform

        import PySide6
        from PySide6.QtCore import qVersion

        QMessageBox.about(
            self.window, "About Papershelf",
            f"Papershelf {__version__}\n\nQt {qVersion()} · PySide6 {PySide6.__version__} · "
            f"Python {platform.python_version()}\n\nLibrary: {self.window.library.folder}",
        )

    # -- the table's context menu --------------------------------------------------------------------

    def table_menu(self, ids: list[str]) -> QMenu:
        """The context menu for the selected papers ``ids`` (not shown: see ``show_table_menu``)."""
        w = self.window
        controller = w.controller
        menu = QMenu(w)
        status_menu = menu.addMenu("Status")
        for number, status in enumerate(STATUSES, start=1):
            action = status_menu.addAction(STATUS_LABELS[status], partial(self.set_status, status))
            action.setShortcut(QKeySequence(str(number)))
        lists_menu = menu.addMenu("Add to reading list")
        for name in w.library.list_names():
            lists_menu.addAction(name, partial(controller.add_to_list, ids, name))
        lists_menu.addSeparator()
        lists_menu.addAction("New list…", self.add_selection_to_list)
        in_lists = controller.lists_of(ids)
        if in_lists:
            remove_menu = menu.addMenu("Remove from reading list")
            for name in in_lists:
                remove_menu.addAction(name, partial(controller.remove_from_list, ids, name))
        menu.addAction("Add tag…", self.tag_selection)
        menu.addAction("Remove tag…", lambda: self.tag_selection(remove=True))
        if len(ids) == 1:
            open_action = menu.addAction("Open", self.open_current)
            open_action.setShortcut(QKeySequence("O"))
            menu.addAction("Attach file…", self.attach_to_current).setEnabled(not w.library.read_only)
        menu.addSeparator()
        menu.addAction("Copy citation keys", self.copy_keys)
        menu.addAction("Copy citation", self.copy_citation)
        menu.addAction("Copy bibliography", self.copy_bibliography)
        self.trash.add_to_table_menu(menu, ids)
        return menu

    def show_table_menu(self, pos: QPoint) -> QMenu | None:
        """Pop up the context menu at ``pos`` (table viewport coordinates) for the selection, if any."""
        ids = self.window.selected_ids()
        if not ids:
            return None
        menu = self.table_menu(ids)
        self.window.table_menu = menu
        menu.popup(self.window.table.viewport().mapToGlobal(pos))
        return menu
