"""The window's actions: its menus, its keyboard shortcuts on the table, and the table's context menu.

Each action calls a window or controller method; nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu

from papershelf.core.model import STATUSES
from papershelf.ui.dialogs import QueryHelpDialog, ShortcutsDialog
from papershelf.ui.paper_model import COLUMN_NAMES, STATUS_LABELS

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow


class WindowActions(QObject):
    """The menu bar's actions and the table's shortcuts of one window (``window.actions``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._build_menus()
        self._build_shortcuts()

    def _build_menus(self) -> None:
        w = self.window
        file_menu = w.menuBar().addMenu("&File")
        self.import_action = file_menu.addAction("&Import…", w.import_dialog)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.export_action = file_menu.addAction("&Export…", w.export_dialog)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
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
        copy_keys = edit_menu.addAction("Copy citation &keys", w.copy_keys)
        copy_keys.setShortcut(QKeySequence("Ctrl+Shift+C"))
        find = edit_menu.addAction("&Find", w.search_panel.focus)
        find.setShortcut(QKeySequence.StandardKey.Find)
        edit_menu.addSeparator()
        edit_menu.addAction("New reading list…", w.new_list)

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
        help_menu.addAction("&About Papershelf", w.about)

    def _build_shortcuts(self) -> None:
        w = self.window

        def on_table(key: str, slot: Callable[[], object]) -> None:
            shortcut = QShortcut(QKeySequence(key), w.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        on_table("J", lambda: w.move_current(1))
        on_table("K", lambda: w.move_current(-1))
        for number, status in enumerate(STATUSES, start=1):
            on_table(str(number), partial(w.set_status, status))
        on_table("P", w.cycle_priority)
        on_table("T", w.detail.tags.setFocus)
        on_table("N", w.focus_note)
        on_table("L", w.add_selection_to_list)
        on_table("Shift+L", w.remove_selection_from_list)
        on_table("/", w.search_panel.focus)

    def table_menu(self, ids: list[str]) -> QMenu:
        """The context menu for the selected papers ``ids`` (not shown: see ``show_table_menu``)."""
        w = self.window
        controller = w.controller
        menu = QMenu(w)
        status_menu = menu.addMenu("Status")
        for number, status in enumerate(STATUSES, start=1):
            action = status_menu.addAction(STATUS_LABELS[status], partial(w.set_status, status))
            action.setShortcut(QKeySequence(str(number)))
        lists_menu = menu.addMenu("Add to reading list")
        for name in w.library.list_names():
            lists_menu.addAction(name, partial(controller.add_to_list, ids, name))
        lists_menu.addSeparator()
        lists_menu.addAction("New list…", w.add_selection_to_list)
        in_lists = controller.lists_of(ids)
        if in_lists:
            remove_menu = menu.addMenu("Remove from reading list")
            for name in in_lists:
                remove_menu.addAction(name, partial(controller.remove_from_list, ids, name))
        menu.addAction("Add tag…", w.tag_selection)
        menu.addAction("Remove tag…", lambda: w.tag_selection(remove=True))
        menu.addSeparator()
        menu.addAction("Copy citation keys", w.copy_keys)
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
