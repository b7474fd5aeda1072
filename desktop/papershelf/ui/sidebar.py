"""The sidebar: facets with live counts, and the reading lists (a drop target for papers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget

from papershelf.core.fields import IN_TRASH
from papershelf.core.model import STATUSES, TRACKS
from papershelf.core.search.facets import FACETS, NONE_VALUE
from papershelf.ui.colours import muted_text
from papershelf.ui.paper_model import MIME_KEYS, STATUS_LABELS, status_icon
from papershelf.ui.text import plain_tooltip

FACET_ROLE = Qt.ItemDataRole.UserRole + 10
VALUE_ROLE = Qt.ItemDataRole.UserRole + 11
COUNT_ROLE = Qt.ItemDataRole.UserRole + 12
MAX_VALUES = 200  # a facet with more values shows the most frequent ones
COUNT_COLUMN = 1  # a value's label is in column 0, its count in this one

_NONE_LABELS = {"track": "No track", "tags": "Untagged", "lists": "In no list", "year": "No year",
                "venue": "No venue"}
_TRASH_LABEL = "In the Trash"  # the Trash facet's one row: checked, the table shows only them


class FacetModel(QStandardItemModel):
    """Facet groups with value rows; papers dropped on a reading list row are reported, not stored."""

    papers_dropped = Signal(str, list)  # list name, citation keys

    def mimeTypes(self) -> list[str]:
        return [MIME_KEYS]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return data.hasFormat(MIME_KEYS) and self._list_at(parent) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        name = self._list_at(parent)
        if name is None or not data.hasFormat(MIME_KEYS):
            return False
        keys = [k for k in bytes(data.data(MIME_KEYS).data()).decode("utf-8").split("\n") if k]
        self.papers_dropped.emit(name, keys)
        return True

    @staticmethod
    def _list_at(index: QModelIndex | QPersistentModelIndex) -> str | None:
        if not index.isValid() or index.data(FACET_ROLE) != "lists":
            return None
        value = index.sibling(index.row(), 0).data(VALUE_ROLE)
        return value if isinstance(value, str) and value != NONE_VALUE else None


class FacetPanel(QTreeView):
    """Shows every facet value with its count; clicking a value toggles it as a filter."""

    selection_changed = Signal()
    new_list_requested = Signal()
    rename_list_requested = Signal(str)
    delete_list_requested = Signal(str)
    empty_trash_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facet_model = FacetModel(self)
        self.setModel(self.facet_model)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.clicked.connect(self._clicked)
        self.selected: dict[str, set[str]] = {name: set() for name, _ in FACETS}
        self._groups: dict[str, QStandardItem] = {}
        self._collapsed: set[str] = {"venue"}
        for name, label in FACETS:
            group = QStandardItem(label)
            group.setData(name, FACET_ROLE)
            group.setSelectable(False)
            font = group.font()
            font.setBold(True)
            group.setFont(font)
            count = QStandardItem("")
            count.setSelectable(False)
            self.facet_model.appendRow([group, count])
            self._groups[name] = group
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for name, group in self._groups.items():
            self.setExpanded(group.index(), name not in self._collapsed)
        self.expanded.connect(lambda index: self._collapsed.discard(index.data(FACET_ROLE)))
        self.collapsed.connect(lambda index: self._collapsed.add(index.data(FACET_ROLE)))

    # -- state ---------------------------------------------------------------------------------------

    def selection(self) -> dict[str, frozenset[str]]:
        return {facet: frozenset(values) for facet, values in self.selected.items() if values}

    def set_selection(self, selection: Mapping[str, Sequence[str]]) -> None:
        self.selected = {name: set(selection.get(name, ())) for name, _ in FACETS}
        self.selection_changed.emit()

    def clear(self) -> None:
        if any(self.selected.values()):
            self.set_selection({})

    def has_selection(self) -> bool:
        return any(self.selected.values())

    # -- showing counts ------------------------------------------------------------------------------

    def show_counts(self, counts: Mapping[str, Counter[str]], list_names: Sequence[str]) -> None:
        for name, group in self._groups.items():
            counter = counts.get(name, Counter())
            values = self._ordered_values(name, counter, list_names)
            group.removeRows(0, group.rowCount())
            for value in values:
                group.appendRow(self._row(name, value, counter.get(value, 0)))
            self.setExpanded(group.index(), name not in self._collapsed)

    def _ordered_values(self, facet: str, counter: Counter[str], list_names: Sequence[str]) -> list[str]:
        chosen = self.selected.get(facet, set())
        if facet == "status":
            return list(STATUSES)
        if facet == "track":
            return [*TRACKS, NONE_VALUE] if counter.get(NONE_VALUE) or NONE_VALUE in chosen else list(TRACKS)
        if facet == "lists":
            names = list(list_names)
            return [*names, NONE_VALUE]
        if facet == "trash":
            return [IN_TRASH]  # always there, even empty: where deleted papers went
        present = {v for v in counter if counter[v]} | chosen
        if facet == "year":
            return sorted(present, key=lambda v: (v == NONE_VALUE, -int(v) if v.isdigit() else 0))
        ordered = sorted(present, key=lambda v: (v == NONE_VALUE, -counter.get(v, 0), v.casefold()))
        if len(ordered) > MAX_VALUES:
            ordered = [v for v in ordered[:MAX_VALUES]] + [v for v in ordered[MAX_VALUES:] if v in chosen]
        return ordered

    def _row(self, facet: str, value: str, count: int) -> list[QStandardItem]:
        if facet == "trash":
            label = _TRASH_LABEL
        elif value == NONE_VALUE:
            label = _NONE_LABELS.get(facet, "None")
        elif facet == "status":
            label = STATUS_LABELS.get(value, value)
        else:
            label = value
        item = QStandardItem(label)
        item.setData(facet, FACET_ROLE)
        item.setData(value, VALUE_ROLE)
        item.setCheckable(True)
        item.setCheckState(
            Qt.CheckState.Checked if value in self.selected.get(facet, set()) else Qt.CheckState.Unchecked
        )
        item.setToolTip(plain_tooltip(f"{label}: {count:,} papers in the current result"))
        if facet == "status":
            item.setIcon(status_icon(value))
        if facet == "lists" and value != NONE_VALUE:
            item.setDropEnabled(True)
        number = QStandardItem(f"{count:,}")
        number.setData(facet, FACET_ROLE)
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(count, COUNT_ROLE)
        if count == 0:  # muted, yet readable (>= 4.5:1) in any theme
            muted = QBrush(muted_text(self.palette()))
            item.setForeground(muted)
            number.setForeground(muted)
        return [item, number]

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._recolour()

    def _recolour(self) -> None:
        """The theme changed: the muted values take the new palette's muted colour."""
        muted = QBrush(muted_text(self.palette()))
        for group in self._groups.values():
            for row in range(group.rowCount()):
                item, number = group.child(row, 0), group.child(row, COUNT_COLUMN)
                if item is not None and number is not None and item.data(COUNT_ROLE) == 0:
                    item.setForeground(muted)
                    number.setForeground(muted)

    # -- interaction ---------------------------------------------------------------------------------

    def _clicked(self, index: QModelIndex) -> None:
        first = index.siblingAtColumn(0)
        facet, value = first.data(FACET_ROLE), first.data(VALUE_ROLE)
        if value is None or facet is None:
            return
        self.toggle(facet, value)

    def toggle(self, facet: str, value: str) -> None:
        chosen = self.selected.setdefault(facet, set())
        if value in chosen:
            chosen.discard(value)
        else:
            chosen.add(value)
        self.selection_changed.emit()

    def value_index(self, facet: str, value: str) -> QModelIndex:
        group = self._groups[facet]
        for row in range(group.rowCount()):
            child = group.child(row, 0)
            if child is not None and child.data(VALUE_ROLE) == value:
                return child.index()
        return QModelIndex()

    def count_text(self, facet: str, value: str) -> str | None:
        """The count shown beside ``value`` of ``facet`` (None if the value is not shown)."""
        index = self.value_index(facet, value)
        return str(index.siblingAtColumn(COUNT_COLUMN).data()) if index.isValid() else None

    def _context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        facet = index.data(FACET_ROLE) if index.isValid() else None
        if facet == "trash":
            menu = QMenu(self)
            menu.addAction("Empty Trash…", self.empty_trash_requested.emit)
            menu.popup(self.viewport().mapToGlobal(pos))
            return
        if facet != "lists":
            return
        menu = QMenu(self)
        menu.addAction("New reading list…", self.new_list_requested.emit)
        value = index.siblingAtColumn(0).data(VALUE_ROLE)
        if isinstance(value, str) and value != NONE_VALUE:
            menu.addAction(f"Rename “{value}”…", lambda: self.rename_list_requested.emit(value))
            menu.addAction(f"Delete “{value}”", lambda: self.delete_list_requested.emit(value))
        menu.popup(self.viewport().mapToGlobal(pos))
