"""The one bridge between the Library and the widgets: performs changes, keeps undo, emits signals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Annotation
from papershelf.core.search.facets import FacetCounter
from papershelf.core.search.index import SearchIndex
from papershelf.core.storage.store import StoreError

NOTE_COMMAND_ID = 1001


class AnnotationCommand(QUndoCommand):
    """One annotation change (of one paper or of a whole selection) as one undo step."""

    def __init__(
        self,
        controller: LibraryController,
        before: Mapping[str, Annotation],
        after: Mapping[str, Annotation],
        text: str,
        merge_key: str = "",
    ) -> None:
        super().__init__(text)
        self._controller = controller
        self.before = dict(before)
        self.after = dict(after)
        self._merge_key = merge_key
        self._applied = True  # the change is already in the library when the command is pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._controller.restore(self.after)

    def undo(self) -> None:
        self._controller.restore(self.before)

    def id(self) -> int:
        return NOTE_COMMAND_ID if self._merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Autosaves of one note while typing become one undo step.
        if not isinstance(other, AnnotationCommand) or other._merge_key != self._merge_key:
            return False
        self.after = other.after
        return True


class LibraryController(QObject):
    """Owns the Library for the window. Widgets call its methods and listen to its signals."""

    annotations_changed = Signal(list)  # paper ids whose annotation changed
    papers_added = Signal(list)  # paper ids new in the catalogue
    lists_changed = Signal()
    error = Signal(str)  # a change could not be saved; the message is for the user

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.index = SearchIndex(library, word_index=True)
        self.facet_counter = FacetCounter(library)
        self.undo_stack = QUndoStack(self)
        self._known = len(library)
        library.listeners.append(self._library_changed)

    def _library_changed(self, ids: Sequence[str]) -> None:
        self.index.invalidate(ids)
        self.facet_counter.invalidate(ids)  # both before anyone hears of the change
        if len(self.library) != self._known:
            self._known = len(self.library)
            self.papers_added.emit(list(ids))
        else:
            self.annotations_changed.emit(list(ids))

    def annotate(
        self, ids: Sequence[str], change: AnnotationChange, text: str, merge_key: str = "",
        keep_note_history: bool = True,
    ) -> bool:
        """Apply ``change`` to ``ids`` in one durable write and one undo step; False if it failed."""
        before = {pid: self.library.annotation(pid).copy() for pid in ids}
        try:
            changed = self.library.annotate(ids, change, keep_note_history=keep_note_history)
        except (StoreError, ValueError) as exc:
            self.error.emit(str(exc))
            return False
        if changed:
            after = {pid: self.library.annotation(pid).copy() for pid in changed}
            self.undo_stack.push(
                AnnotationCommand(self, {pid: before[pid] for pid in changed}, after, text, merge_key)
            )
            if change.add_lists or change.remove_lists:
                self.lists_changed.emit()
        return True

    def restore(self, annotations: Mapping[str, Annotation]) -> None:
        try:
            self.library.restore(annotations)
        except StoreError as exc:
            self.error.emit(str(exc))
            return
        self.lists_changed.emit()

    def resolve_conflict(self, paper_id: str, take: str | None = None, note: str | None = None) -> bool:
        """Settle a notes-file conflict: keep the app's side, take the file's, or use a merged note."""
        from papershelf.sync import syncer

        ok = self._list_op(lambda: syncer.resolve(self.library, paper_id, take=take, note=note))
        if ok:
            self.annotations_changed.emit([paper_id])
        return ok

    def restore_note_version(self, paper_id: str, number: int) -> bool:
        """Bring back an earlier version of a note (the current one joins the history)."""
        return self._list_op(lambda: self.library.restore_note_version(paper_id, number))

    def create_list(self, name: str) -> bool:
        return self._list_op(lambda: self.library.create_list(name))

    def rename_list(self, old: str, new: str) -> bool:
        ok = self._list_op(lambda: self.library.rename_list(old, new))
        if ok:
            self.undo_stack.clear()  # earlier steps name the old list
        return ok

    def delete_list(self, name: str) -> bool:
        ok = self._list_op(lambda: self.library.delete_list(name))
        if ok:
            self.undo_stack.clear()
        return ok

    def _list_op(self, op: object) -> bool:
        try:
            op()  # type: ignore[operator]
        except (StoreError, ValueError) as exc:
            self.error.emit(str(exc))
            return False
        self.lists_changed.emit()
        return True
