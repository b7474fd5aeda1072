"""The paper table: a QAbstractTableModel over the library's papers, filtered and sorted in Python."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import orjson
from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from papershelf.core.events import AnnotationsChanged, PapersAdded, PapersChanged, PapersRemoved
from papershelf.core.fields import FIELDS, NO_ANNOTATION, Field, authors_text
from papershelf.core.fields import STATUS_LABELS as STATUS_LABELS  # shown by the sidebar, detail pane, stats
from papershelf.core.library import Library
from papershelf.core.model import STATUSES
from papershelf.core.storage.migrations import ANNOTATIONS_FILE, CATALOGUE_FILE
from papershelf.core.storage.store import atomic_write_bytes
from papershelf.core.text.latex import Shown, render
from papershelf.sync import state as sync_state
from papershelf.ui.rendered import SHOWN_ROLE
from papershelf.ui.text import plain_tooltip

ModelIndex = QModelIndex | QPersistentModelIndex
IdFilter = Callable[[Sequence[str]], list[str]]

PAPER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAPER_KEY_ROLE = Qt.ItemDataRole.UserRole + 2
MIME_KEYS = "application/x-papershelf-keys"

NOTE_MARK = "✎"
HAS_NOTE: Final = Field(
    "note", "Note",
    text=lambda paper, ann: NOTE_MARK if ann.note.strip() else "",
    sort_key=lambda paper, ann: 0 if ann.note.strip() else 1,  # ascending: papers with a note first
    annotated=True,
)
"""The note column: a mark for papers that have a note (their text is in the tooltip and the detail pane)."""
MATCH = "match"
"""The column of recommendation scores (View → Sort by recommendation); empty for unranked papers."""
MATCH_LABEL = "Match"

# The columns by name (what settings and sorting refer to); each cell is its field's text (core/fields),
# but the note column's mark and the match column's score. New columns go at the end: saved header
# states refer to columns by position.
COLUMN_NAMES = ("title", "authors", "venue", "track", "status", "priority", "rating", "tags", "added", "note", MATCH)
_COLUMN_FIELDS: Final[dict[str, Field]] = {
    **{name: FIELDS[name] for name in COLUMN_NAMES if name not in ("note", MATCH)}, "note": HAS_NOTE,
}
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, _COLUMN_FIELDS[name].label if name in _COLUMN_FIELDS else MATCH_LABEL) for name in COLUMN_NAMES
)

STATUS_COLOURS = {
    "new": "#9aa0a6",
    "to-read": "#1a73e8",
    "reading": "#f29900",
    "read": "#188038",
    "skipped": "#b3261e",
}
ORDER_FILE: Final = "table-order.cache"
"""The table's sorted order, kept for the next start (``PaperTableModel.save_order``): a cache."""
_ANNOTATION_COLUMNS = tuple(name for name, field in _COLUMN_FIELDS.items() if field.annotated)
_NOTE_TOOLTIP = 300  # characters of the note in the note column's tooltip
_MAX_INSERT_RUNS = 64  # new papers scattered over more places than this: one reset is cheaper


def status_icon(status: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(STATUS_COLOURS.get(status, "#9aa0a6")))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def warning_icon(size: int = 12) -> QIcon:
    """A small amber triangle: a paper whose note is in conflict with the notes file."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#e37400"))
    painter.drawPolygon([QPointF(size / 2, 0.5), QPointF(size - 0.5, size - 0.5), QPointF(0.5, size - 0.5)])
    painter.end()
    return QIcon(pixmap)


def _files_stamp(folder: Path) -> list[int] | None:
    """Inode, size and modification time of the catalogue and annotations files (None if one is missing):
    both are only ever replaced whole (``atomic_write_bytes``), so any write changes the stamp."""
    stamp: list[int] = []
    for name in (CATALOGUE_FILE, ANNOTATIONS_FILE):
        try:
            info = (folder / name).stat()
        except OSError:
            return None
        stamp += [info.st_ino, info.st_size, info.st_mtime_ns]
    return stamp


def authors_short(authors: Sequence[str]) -> str:
    """First three authors, then 'et al.'."""
    return authors_text(authors)


class PaperTableModel(QAbstractTableModel):
    """Rows are paper ids. ``set_filter`` and ``sort`` work on Python lists, then reset or relayout."""

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self._library = library
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        # The (column, order) that ``_all`` is sorted by with today's keys; None once an order or a key
        # changed. Sorting by it again is a no-op (the table and a restored header both ask at start-up).
        self._sorted_as: tuple[int, Qt.SortOrder] | None = None
        # Every paper id, in the current sort order: a tuple, replaced (never changed) when the order
        # changes, so that whoever remembers an answer for it (the search index) can tell it by identity.
        self._all: tuple[str, ...] = tuple(library.papers)
        self._filter: IdFilter | None = None
        self._ids: list[str] = list(self._all)  # the visible rows
        self._rows: dict[str, int] | None = None
        self._icons = {status: status_icon(status) for status in STATUSES}
        self._key_cache: dict[str, dict[str, Any]] = {}
        self._titles: dict[str, Shown] = {}  # each title rendered once (LaTeX: core/text/latex.py)
        self._scores: dict[str, float] = {}  # recommendation scores, shown in the match column
        self.conflicts: set[str] = set(sync_state.conflicts(library))  # papers whose notes sync is in conflict
        self._conflict_icon = warning_icon()
        self.connect_library()

    def connect_library(self) -> None:
        """Follow the library's events: rows inserted for new papers, dataChanged for changed ones.

        Until ``disconnect_library`` or until the model is destroyed (the library may outlive it).
        """
        self.disconnect_library = self._library.events.subscribe({
            PapersAdded: self._papers_added,
            PapersChanged: self._papers_changed,
            PapersRemoved: self._papers_removed,
            AnnotationsChanged: self._annotations_changed,
        })
        self.destroyed.connect(self.disconnect_library)

    # -- our API -------------------------------------------------------------------------------------

    @property
    def library(self) -> Library:
        return self._library

    def ids(self) -> list[str]:
        return self._ids

    @property
    def order(self) -> tuple[str, ...]:
        """Every paper id in the current sort order; a new tuple whenever that order changes."""
        return self._all

    def all_ids(self) -> list[str]:
        return list(self._all)

    def paper_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, paper_id: str) -> int:
        """The row showing ``paper_id``, or -1 if it is filtered out."""
        if self._rows is None:
            self._rows = {pid: row for row, pid in enumerate(self._ids)}
        return self._rows.get(paper_id, -1)

    def set_filter(self, id_filter: IdFilter | None) -> None:
        """Show the papers ``id_filter`` keeps (it receives all ids in sort order, and must keep it)."""
        self._filter = id_filter
        self._apply_filter()

    def refilter(self) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        ids = list(self._all) if self._filter is None else self._filter(self._all)
        self.beginResetModel()
        self._ids = ids
        self._rows = None
        self.endResetModel()

    def reload(self) -> None:
        """Rebuild the full order from the library, re-sort, re-filter (one reset)."""
        self._key_cache.clear()
        self._titles.clear()
        ids = list(self._library.papers)
        if self._sort_column >= 0:
            ids.sort(key=self._sort_key(self._sort_column), reverse=self._descending)
        self._all = tuple(ids)
        self._sorted_as = (self._sort_column, self._sort_order) if self._sort_column >= 0 else None
        self._apply_filter()

    # -- following the library -------------------------------------------------------------------------

    def _papers_added(self, event: PapersAdded) -> None:
        """Insert the new papers at their place in the sort order; the rows the filter keeps are
        announced with rowsInserted (a reset only if the filter now hides rows it showed before)."""
        known = set(self._all)
        new = [pid for pid in event.ids if pid not in known and pid in self._library.papers]
        if not new:
            return
        for name, cache in self._key_cache.items():
            compute = self._key_function(COLUMN_NAMES.index(name))
            cache.update((pid, compute(pid)) for pid in new)
        order = [*self._all, *new]
        if self._sort_column >= 0:
            order.sort(key=self._sort_key(self._sort_column), reverse=self._descending)
        self._all = tuple(order)  # a new order object: see ``order``
        shown = list(self._all) if self._filter is None else self._filter(self._all)
        if not self._insert_rows(shown, set(new)):
            self.beginResetModel()
            self._ids = shown
            self._rows = None
            self.endResetModel()

    def _insert_rows(self, shown: list[str], new: set[str]) -> bool:
        """Go from the visible rows to ``shown`` by inserting rows only; False if that cannot be done."""
        old = self._ids
        runs: list[tuple[int, list[str]]] = []  # (first row, ids), rows as in ``shown``
        at = 0
        for row, pid in enumerate(shown):
            if at < len(old) and old[at] == pid:
                at += 1
            elif pid in new:
                if runs and runs[-1][0] + len(runs[-1][1]) == row:
                    runs[-1][1].append(pid)
                else:
                    runs.append((row, [pid]))
            else:
                return False
        if at != len(old) or len(runs) > _MAX_INSERT_RUNS:
            return False
        for first, ids in runs:  # in order: each run's rows are final once the runs before it are in
            self.beginInsertRows(QModelIndex(), first, first + len(ids) - 1)
            self._ids = self._ids[:first] + ids + self._ids[first:]
            self._rows = None
            self.endInsertRows()
        return True

    def _papers_removed(self, event: PapersRemoved) -> None:
        """Take the papers' rows out (rowsRemoved, from the bottom up so each row number still holds)."""
        gone = set(event.ids)
        for pid in gone:
            self._titles.pop(pid, None)
        for cache in self._key_cache.values():
            for pid in gone:
                cache.pop(pid, None)
        self._all = tuple(pid for pid in self._all if pid not in gone)  # a new order object: see ``order``
        for row in sorted((r for r in (self.row_of(pid) for pid in gone) if r >= 0), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self._rows = None
            self.endRemoveRows()

    def _papers_changed(self, event: PapersChanged) -> None:
        for pid in event.ids:
            self._titles.pop(pid, None)
        self.papers_changed(event.ids, columns=COLUMN_NAMES)

    def _annotations_changed(self, event: AnnotationsChanged) -> None:
        self.papers_changed(event.ids)

    def set_conflicts(self, conflicts: Sequence[str]) -> None:
        """The papers in conflict with the notes file changed: repaint the ones that came or went."""
        new = set(conflicts)
        changed = new ^ self.conflicts
        self.conflicts = new
        if changed:
            self.papers_changed(list(changed))

    def papers_changed(self, ids: Sequence[str], columns: Sequence[str] = _ANNOTATION_COLUMNS) -> None:
        """These papers changed (by default their annotations): repaint their rows, renew their sort keys."""
        if self._sorted_as is not None and COLUMN_NAMES[self._sorted_as[0]] in columns:
            self._sorted_as = None  # the rows keep their places until sorted again
        for name in columns:
            cache = self._key_cache.get(name)
            if cache is not None:
                compute = self._key_function(COLUMN_NAMES.index(name))
                for pid in ids:
                    if pid in cache:
                        cache[pid] = compute(pid)
        rows = [r for r in (self.row_of(pid) for pid in ids) if r >= 0]
        if not rows:
            return
        if len(rows) > 1000:
            top, bottom = 0, len(self._ids) - 1
        else:
            top, bottom = min(rows), max(rows)
        self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(COLUMNS) - 1))

    # -- Qt's model API ------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole and COLUMN_NAMES[section] == MATCH:
            return "How closely the paper matches the ones you read or rated 4-5 (View → Sort by recommendation)"
        if role == Qt.ItemDataRole.ToolTipRole and COLUMN_NAMES[section] == "note":
            return f"{NOTE_MARK}: the paper has a note"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        pid = self._ids[index.row()]
        column = COLUMN_NAMES[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.shown_title(pid).text if column == "title" else self._display(pid, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("note", MATCH):
            horizontal = Qt.AlignmentFlag.AlignHCenter if column == "note" else Qt.AlignmentFlag.AlignRight
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and column == "note":
            note = self._library.annotation(pid).note.strip()
            return plain_tooltip(note[:_NOTE_TOOLTIP] + ("…" if len(note) > _NOTE_TOOLTIP else "")) if note else None
        if role == SHOWN_ROLE and column == "title":
            return self.shown_title(pid)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("title", "authors", "tags"):
            paper = self._library.papers[pid]
            if column == "title":
                return plain_tooltip(self.shown_title(pid).text)
            if column == "authors":
                return plain_tooltip(", ".join(paper.authors))
            return plain_tooltip(", ".join(self._library.annotation(pid).tags))
        if role == Qt.ItemDataRole.DecorationRole and column == "status":
            if pid in self.conflicts:
                return self._conflict_icon
            return self._icons.get(self._library.annotation(pid).status)
        if role == Qt.ItemDataRole.ToolTipRole and column == "status" and pid in self.conflicts:
            return "In conflict with the notes file: open the paper to choose a version"
        if role == PAPER_ID_ROLE:
            return pid
        if role == PAPER_KEY_ROLE:
            return self._library.papers[pid].key
        return None

    def shown_title(self, pid: str) -> Shown:
        """The paper's title as shown (LaTeX rendered, with its italic and script spans), rendered once."""
        shown = self._titles.get(pid)
        if shown is None:
            shown = self._titles[pid] = render(self._library.papers[pid].title)
        return shown

    def _display(self, pid: str, column: str) -> str:
        if column == MATCH:
            score = self._scores.get(pid)
            return "" if score is None else f"{score:.2f}"
        return _COLUMN_FIELDS[column].text(
            self._library.papers[pid], self._library.stored_annotation(pid) or NO_ANNOTATION
        )

    def set_scores(self, scores: dict[str, float]) -> None:
        """Recommendation scores to show in the match column (and sort it by); the rest show none."""
        self._scores = dict(scores)
        self._key_cache.pop(MATCH, None)
        if self._sorted_as is not None and COLUMN_NAMES[self._sorted_as[0]] == MATCH:
            self._sorted_as = None
        if self._ids:
            column = COLUMN_NAMES.index(MATCH)
            self.dataChanged.emit(self.index(0, column), self.index(len(self._ids) - 1, column))

    def mimeTypes(self) -> list[str]:
        return [MIME_KEYS]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        keys: list[str] = []
        for index in indexes:
            key = self._library.papers[self._ids[index.row()]].key
            if key not in keys:
                keys.append(key)
        mime = QMimeData()
        mime.setData(MIME_KEYS, "\n".join(keys).encode("utf-8"))
        mime.setText("\n".join(keys))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # -- sorting -------------------------------------------------------------------------------------

    def order_by(self, first: Sequence[str]) -> None:
        """Put ``first`` (e.g. recommendations) at the top in that order; the rest keep their order."""
        known = set(first)
        self._sort_column = -1
        self._sorted_as = None
        self._relayout([pid for pid in first if pid in self._library.papers] + [
            pid for pid in self._all if pid not in known
        ])

    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order the rows are sorted by, with the papers as they are now; None if unsorted."""
        return self._sorted_as

    def save_order(self, path: Path) -> bool:
        """Keep the rows' order in ``path`` for the next start, stamped with the library's files (their
        inode, size and modification time); False when the order is not a sort of today's papers, or the
        library cannot be written. A start finding it valid shows the table without computing a sort key
        (0.2 s at 100k papers): see ``restore_order``."""
        stamp = _files_stamp(self._library.folder)
        if self._sorted_as is None or COLUMN_NAMES[self._sorted_as[0]] == MATCH or stamp is None \
                or self._library.read_only:
            return False
        column, order = self._sorted_as
        payload = {"stamp": stamp, "column": COLUMN_NAMES[column],
                   "descending": order == Qt.SortOrder.DescendingOrder, "ids": self._all}
        try:
            atomic_write_bytes(path, orjson.dumps(payload))
        except OSError:
            return False  # a cache: the next start sorts
        return True

    def restore_order(self, path: Path) -> bool:
        """Show the rows in the order ``save_order`` kept, if the library's files are still the ones it was
        sorted from and it holds exactly today's papers; False (nothing changed) otherwise."""
        try:
            saved = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return False
        if not isinstance(saved, dict) or saved.get("stamp") != _files_stamp(self._library.folder):
            return False
        name, ids = saved.get("column"), saved.get("ids")
        if name not in COLUMN_NAMES or name == MATCH or not isinstance(ids, list):
            return False
        try:
            kept = set(ids)
        except TypeError:  # an unhashable entry: not a list of paper ids
            return False
        papers = self._library.papers
        if len(kept) != len(ids) or papers.keys() != kept:  # each of today's papers once, nothing else
            return False
        column = COLUMN_NAMES.index(name)
        order = Qt.SortOrder.DescendingOrder if saved.get("descending") is True else Qt.SortOrder.AscendingOrder
        self._sort_column, self._sort_order = column, order
        self._relayout(ids)
        self._sorted_as = (column, order)
        return True

    def _relayout(self, order: Sequence[str]) -> None:
        """Show the papers in ``order`` (all ids), keeping the visible set, the selection and the current row."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        persistent_ids = [(self._ids[i.row()], i.column()) for i in persistent]
        self._all = tuple(order)  # a new order object: see ``order``
        if len(self._ids) == len(order):
            self._ids = list(order)
        else:
            visible = set(self._ids)
            self._ids = [pid for pid in order if pid in visible]
        self._rows = None
        self.changePersistentIndexList(
            persistent, [self.index(self.row_of(pid), col) for pid, col in persistent_ids]
        )
        self.layoutChanged.emit()

    @property
    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _sort_key(self, column: int) -> Callable[[str], Any]:
        """The key function for ``column``, its values computed once and kept (37 ms to sort 100k
        papers by cached keys; computing ``fold(title)`` alone again would take 70 ms more)."""
        name = COLUMN_NAMES[column]
        cache = self._key_cache.get(name)
        if cache is None and name == MATCH:
            scores = self._scores  # unranked papers after every ranked one, in either order
            cache = {pid: scores.get(pid, -1.0) for pid in self._library.papers}
            self._key_cache[name] = cache
        if cache is None:
            field = _COLUMN_FIELDS[name]
            key, papers, stored = field.sort_key, self._library.papers.items(), self._library.stored_annotation
            if field.annotated:
                cache = {pid: key(paper, stored(pid) or NO_ANNOTATION) for pid, paper in papers}
            else:
                cache = {pid: key(paper, NO_ANNOTATION) for pid, paper in papers}
            self._key_cache[name] = cache
        return cache.__getitem__

    def _key_function(self, column: int) -> Callable[[str], Any]:
        papers = self._library.papers
        stored = self._library.stored_annotation  # None for papers never annotated: no object built
        if COLUMN_NAMES[column] == MATCH:
            scores = self._scores
            return lambda pid: scores.get(pid, -1.0)
        field = _COLUMN_FIELDS[COLUMN_NAMES[column]]
        key = field.sort_key
        if not field.annotated:
            return lambda pid: key(papers[pid], NO_ANNOTATION)
        return lambda pid: key(papers[pid], stored(pid) or NO_ANNOTATION)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        if self._sorted_as == (column, order):
            return  # already in this order, by the same keys: nothing would move
        self._relayout(sorted(self._all, key=self._sort_key(column), reverse=self._descending))
        self._sorted_as = (column, order)
