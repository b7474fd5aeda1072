"""The one bridge between the Library and the widgets: performs changes, keeps undo, emits signals."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from papershelf.core.events import AnnotationsChanged, ListsChanged, PapersAdded, PapersChanged, PapersRemoved
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
    papers_changed = Signal(list)  # paper ids whose record an import filled in
    papers_removed = Signal(list)  # paper ids gone from the catalogue (merged into another)
    lists_changed = Signal()  # reading lists created, renamed or deleted, or papers joined or left one
    trash_changed = Signal(list)  # paper ids moved to the Trash or out of it (after annotations_changed)
    error = Signal(str)  # a change could not be saved; the message is for the user

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.index = SearchIndex(library, word_index=True)
        self.facet_counter = FacetCounter(library)
        self.undo_stack = QUndoStack(self)
        self._stop_listening = _LibraryAdapter(self).connect()
        self.destroyed.connect(self._stop_listening)  # the library may outlive the window

    def close(self) -> None:
        """Stop listening to the library (the window closes; the library lives on)."""
        self._stop_listening()

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
        return True

    def restore(self, annotations: Mapping[str, Annotation]) -> None:
        try:
            self.library.restore(annotations)
        except StoreError as exc:
            self.error.emit(str(exc))

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

    def _list_op(self, op: Callable[[], object]) -> bool:
        try:
            op()
        except (StoreError, ValueError) as exc:
            self.error.emit(str(exc))
            return False
        return True


# -- the Library adapter: typed core events in, Qt signals out ---------------------------------------------


class _LibraryAdapter:
    """Turns the library's events into the controller's signals, after bringing the search index and
    the facet codes up to date, so that whoever hears a signal reads current indexes."""

    def __init__(self, controller: LibraryController) -> None:
        self.controller = controller
        self.events = controller.library.events

    def connect(self) -> Callable[[], None]:
        """Listen to the library; returns the function that stops it."""
        return self.events.subscribe({
            PapersAdded: self.papers_added,
            PapersChanged: self.papers_changed,
            PapersRemoved: self.papers_removed,
            AnnotationsChanged: self.annotations_changed,
            ListsChanged: self.lists_changed,
        })

    def _invalidate(self, ids: Sequence[str]) -> None:
        self.controller.index.invalidate(ids)
        self.controller.facet_counter.invalidate(ids)

    def papers_added(self, event: PapersAdded) -> None:
        self._invalidate(event.ids)
        self.controller.papers_added.emit(list(event.ids))

    def papers_changed(self, event: PapersChanged) -> None:
        self._invalidate(event.ids)
        self.controller.papers_changed.emit(list(event.ids))

    def papers_removed(self, event: PapersRemoved) -> None:
        self._invalidate(event.ids)
        self.controller.papers_removed.emit(list(event.ids))

    def annotations_changed(self, event: AnnotationsChanged) -> None:
        self._invalidate(event.ids)
        self.controller.annotations_changed.emit(list(event.ids))
        if "lists" in event.fields:
            self.controller.lists_changed.emit()
        if "trashed" in event.fields:
            self.controller.trash_changed.emit(list(event.ids))

    def lists_changed(self, _event: ListsChanged) -> None:
        self.controller.lists_changed.emit()
