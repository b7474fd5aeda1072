"""The Trash in the window: Delete moves the selection there (undoable), Restore takes it back, Empty Trash…
removes it for good after saying what goes. The rules are the library's (``Library.trash``, ``empty_trash``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox, QToolButton, QWidget

from papershelf.core.fields import IN_TRASH
from papershelf.core.library import Library
from papershelf.services.trash import emptying_words, in_conflict

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow

MESSAGE_MS: Final = 10_000  # how long "Moved 3 papers to the Trash — Undo" stays


def papers(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"


def trashed_since(stamp: str) -> str:
    """When a paper went to the Trash, as the detail pane says it: "In the Trash since 2026-03-05" (local
    date), or "In the Trash" when the stamp is not a date."""
    try:
        return f"In the Trash since {datetime.fromisoformat(stamp).astimezone().strftime('%Y-%m-%d')}"
    except (ValueError, OverflowError, OSError):
        return "In the Trash"


class TrashLine(QFrame):
    """The detail pane's line for a paper in the Trash: since when, and a Restore button.

    Restore asks the window (``restore_requested``), which restores through the same undoable step as
    Edit → Restore from Trash (``TrashActions.restore``). Hidden for a paper not in the Trash.
    """

    restore_requested = Signal(str)  # the paper id

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.paper_id: str | None = None
        self.setObjectName("trashLine")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.restore_button = QToolButton()
        self.restore_button.setText("Restore")
        self.restore_button.setToolTip("Take this paper out of the Trash (Ctrl+Z undoes it)")
        self.restore_button.clicked.connect(self._restore)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore_button)
        self.hide()

    def show_paper(self, paper_id: str | None) -> None:
        """Show the line if ``paper_id`` is in the Trash, else hide it; called again when it may have moved."""
        self.paper_id = paper_id
        stamp = self.library.annotation(paper_id).trashed if paper_id is not None else ""
        if not stamp:
            self.hide()
            return
        self.label.setText(trashed_since(stamp))
        self.label.setToolTip(stamp)
        self.show()

    def _restore(self) -> None:
        if self.paper_id is not None:
            self.restore_requested.emit(self.paper_id)


class EmptyTrashDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, count: int, details: Sequence[str]) -> bool:
        """Whether to remove ``count`` papers for good; ``details`` say what is lost and what is kept."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Empty Trash",
                          f"Remove the {papers(count)} in the Trash from the library for good?", parent=parent)
        box.setInformativeText("\n\n".join([*details, "This cannot be undone."]))
        remove = box.addButton("Remove for Good", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is remove


class TrashActions(QObject):
    """Moving the selection to the Trash and back, and emptying it, for one window (``window_actions.trash``).

    When papers go into the Trash or come out of it (an action, undo or redo) the table is filtered again:
    the papers leave the view they were in, and the selection moves to the paper after them, as in a mail
    client; papers that come back into view are selected.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        # "Moved 3 papers to the Trash — Undo": a notice of its own in the status bar, the Undo a button
        # (a status message cannot be clicked); the next status message or a few seconds put it away.
        self.notice = QWidget()
        layout = QHBoxLayout(self.notice)
        layout.setContentsMargins(0, 0, 0, 0)
        self.notice_label = QLabel()
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setAutoRaise(True)
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        self.undo_button.clicked.connect(self._undo)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.undo_button)
        self.notice.hide()
        window.statusBar().addWidget(self.notice)
        self.notice_timer = QTimer(self)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.setInterval(MESSAGE_MS)
        self.notice_timer.timeout.connect(self.hide_notice)
        window.controller.trash_changed.connect(self._trash_changed)
        window.sidebar.empty_trash_requested.connect(self.empty_trash)
        window.detail.trash_line.restore_requested.connect(lambda paper_id: self.restore([paper_id]))
        # After the window filtered for the new facets (its own slot, connected later, runs first).
        window.sidebar.selection_changed.connect(self._facets_changed, Qt.ConnectionType.QueuedConnection)
        self._was_trash_view = False
        self._undo_index = -1

    # -- where the commands are ----------------------------------------------------------------------

    def add_to_edit_menu(self, menu: QMenu) -> None:
        """Edit → Move to Trash (Delete on the table), Restore from Trash, Empty Trash…."""
        menu.addSeparator()
        self.move_action = menu.addAction("Move to &Trash", self.move_selection)
        self.move_action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        # Delete is the table's: in the search box or a note it deletes a character, as it should.
        self.move_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.window.table.addAction(self.move_action)
        self.restore_action = menu.addAction("Restore from Trash", self.restore_selection)
        self.empty_action = menu.addAction("Empty Trash…", self.empty_trash)

    def add_to_table_menu(self, menu: QMenu, ids: Sequence[str]) -> None:
        """The table's context menu: Move to Trash, or for papers in the Trash Restore and Empty Trash…."""
        trashed = [pid for pid in ids if self.window.library.is_trashed(pid)]
        menu.addSeparator()
        if len(trashed) < len(ids):
            move = menu.addAction("Move to Trash", self.move_selection)
            move.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        if trashed:
            menu.addAction("Restore from Trash", self.restore_selection)
            menu.addAction("Empty Trash…", self.empty_trash)

    # -- commands ------------------------------------------------------------------------------------

    def in_trash_view(self) -> bool:
        return IN_TRASH in self.window.sidebar.selected.get("trash", set())

    def move_selection(self) -> None:
        """Delete: the selected papers go to the Trash; the status bar offers Undo."""
        w = self.window
        ids = w.selected_ids()
        if not ids:
            return
        if all(w.library.is_trashed(pid) for pid in ids):
            w.statusBar().showMessage("Already in the Trash: Restore takes them back, Empty Trash… removes "
                                      "them for good", MESSAGE_MS)
            return
        moved = w.controller.move_to_trash(ids)
        if moved:
            self._say(f"Moved {papers(len(moved))} to the Trash", undo=True)

    def restore_selection(self) -> None:
        self.restore(self.window.selected_ids())

    def restore(self, ids: Sequence[str]) -> None:
        """Take ``ids`` out of the Trash as one undo step; the status bar offers Undo."""
        back = self.window.controller.restore_from_trash(ids)
        if back:
            self._say(f"Restored {papers(len(back))} from the Trash", undo=True)

    def empty_trash(self) -> None:
        """Empty Trash…: say what will be lost (and what is kept), then remove the papers for good."""
        w = self.window
        ids = w.library.trashed_ids()
        if not ids:
            w.statusBar().showMessage("The Trash is empty", MESSAGE_MS)
            return
        blocked = in_conflict(w.library, ids)
        if blocked:
            w.statusBar().showMessage(f"Not emptied: {', '.join(blocked)} has a notes-file conflict; resolve it "
                                      "first (in the notes file, or from the detail pane)", MESSAGE_MS)
            return
        if not EmptyTrashDialog.ask(w, len(ids), emptying_words(w.library, ids)):
            return
        removed = w.controller.empty_trash()
        if removed:
            self._say(f"Removed {papers(len(removed))} for good", undo=False)

    # -- following the library -----------------------------------------------------------------------

    def _facets_changed(self) -> None:
        """Into the Trash view or out of it, the paper shown has left the table: select the first paper, as
        the window does at start, rather than leave the detail pane empty."""
        w = self.window
        now = self.in_trash_view()
        switched, self._was_trash_view = now != self._was_trash_view, now
        if switched and w.current_paper_id() is None and w.model.rowCount():
            w.select_paper(w.model.paper_id(0))

    def _trash_changed(self, ids: list[str]) -> None:
        w = self.window
        changed = set(ids)
        current = w.current_paper_id()
        after = self._next_paper(changed) if current in changed or current is None else current
        w.apply_filters()
        back = [row for row in (w.model.row_of(pid) for pid in ids) if row >= 0]
        if back:  # papers came into this view (undo, or restore while the Trash is shown): show them
            w.select_paper(w.model.paper_id(min(back)))
        elif after is not None and w.model.row_of(after) >= 0:
            w.select_paper(after)

    def _next_paper(self, leaving: set[str]) -> str | None:
        """The paper to select once ``leaving`` left the table: the first after them, else the last before."""
        model = self.window.model
        rows = [r for r in (model.row_of(pid) for pid in leaving) if r >= 0]
        if not rows:
            return None
        for row in range(max(rows) + 1, model.rowCount()):
            if model.paper_id(row) not in leaving:
                return model.paper_id(row)
        for row in range(min(rows) - 1, -1, -1):
            if model.paper_id(row) not in leaving:
                return model.paper_id(row)
        return None

    # -- the status bar ------------------------------------------------------------------------------

    def _say(self, message: str, *, undo: bool) -> None:
        self.notice_label.setText(f"{message} —" if undo else message)
        self.undo_button.setVisible(undo)
        self.window.statusBar().clearMessage()
        self.notice.show()
        self.notice_timer.start()
        self._undo_index = self.window.controller.undo_stack.index()  # Undo undoes this step, none other

    def notice_text(self) -> str:
        """What the notice says, the Undo button's text included ("" when it is not up)."""
        if self.notice.isHidden():
            return ""
        return self.notice_label.text() + (f" {self.undo_button.text()}" if not self.undo_button.isHidden() else "")

    def hide_notice(self) -> None:
        was_up = not self.notice.isHidden()
        self.notice.hide()  # explicitly: one the status bar hid for a message would come back after it
        self.notice_timer.stop()
        if was_up:
            self.window.update_status()

    def _undo(self) -> None:
        self.hide_notice()
        stack = self.window.controller.undo_stack
        if stack.index() == self._undo_index:
            stack.undo()
