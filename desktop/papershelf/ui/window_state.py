"""What the window remembers between runs: geometry, dividers, columns, sort, search, facets, current paper."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QByteArray, QDataStream, QSettings, Qt

from papershelf.ui.paper_model import COLUMN_NAMES, MATCH
from papershelf.ui.paper_table import DEFAULT_HIDDEN, PaperTable

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow

SETTINGS_VERSION: Final = 1


@dataclass(slots=True)
class Pending:
    """What can only be restored later: the splitter once the window has its real size, the current
    paper once the table is filled."""

    splitter: QByteArray | None = None
    key: str = ""
    right_restored: bool = False  # the detail pane / More like this divider came from the settings


def save_state(window: MainWindow, s: QSettings) -> None:
    s.setValue("window/version", SETTINGS_VERSION)
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/splitter", window.splitter.saveState())
    s.setValue("window/right", window.right.saveState())
    s.setValue("window/header", window.table.horizontalHeader().saveState())
    s.setValue("window/query", window.search_panel.text())
    s.setValue("window/facets", json.dumps({k: sorted(v) for k, v in window.sidebar.selection().items()}))
    current = window.current_paper_id()
    s.setValue("window/current", window.library.papers[current].key if current else "")
    s.sync()


def saved_section_count(state: QByteArray) -> int | None:
    """How many columns a saved header state holds (an older version saved fewer); None if unreadable.

    Reads the start of ``QHeaderView.saveState``'s format (Qt 5 and 6): a marker and version, the sort
    indicator, the visual and logical index lists, the hidden sections' bits and sizes, the length, and
    then the section count.
    """
    stream = QDataStream(state)
    stream.setVersion(QDataStream.Version.Qt_5_0)
    if stream.readInt32() != 0xFF or stream.readInt32() != 0:
        return None
    for _ in range(3):  # orientation, sort order, sort section
        stream.readInt32()
    stream.readBool()
    for _ in range(2):  # visual and logical indices
        for _ in range(stream.readUInt32()):
            stream.readInt32()
    bits = stream.readUInt32()
    stream.skipRawData((bits + 7) // 8)
    for _ in range(2 * stream.readUInt32()):  # hidden sections' sizes: pairs of ints
        stream.readInt32()
    stream.readInt32()  # length
    count = stream.readInt32()
    return count if stream.status() == QDataStream.Status.Ok and count >= 0 else None


def restore_columns(table: PaperTable, saved: int | None) -> None:
    """After a saved header is restored: columns the saving version did not have get their defaults, the
    title stretches again, and the match column (its scores are gone with the session) is hidden."""
    header = table.horizontalHeader()
    for column in range(len(COLUMN_NAMES) if saved is None else saved, len(COLUMN_NAMES)):
        header.setSectionHidden(column, COLUMN_NAMES[column] in DEFAULT_HIDDEN)
        table.fit_column(column)
    match = COLUMN_NAMES.index(MATCH)
    if header.sortIndicatorSection() == match:
        header.setSortIndicator(COLUMN_NAMES.index("title"), Qt.SortOrder.AscendingOrder)
    header.setSectionHidden(match, True)
    table.apply_column_modes()


def restore_state(window: MainWindow, s: QSettings) -> Pending:
    """Restore what can be restored now; return what must wait (see ``Pending``)."""
    pending = Pending()
    if s.value("window/version") is None:
        return pending
    header = window.table.horizontalHeader()
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = s.value("window/header")
    if isinstance(state, QByteArray) and header.restoreState(state):
        restore_columns(window.table, saved_section_count(state))
    splitter = s.value("window/splitter")
    # Splitter sizes only stick once the window has its real size: applied on first show.
    pending.splitter = splitter if isinstance(splitter, QByteArray) else None
    right = s.value("window/right")
    if isinstance(right, QByteArray):
        pending.right_restored = window.right.restoreState(right)
    for column, name in enumerate(COLUMN_NAMES):
        window.column_actions[name].setChecked(not header.isSectionHidden(column))
    sort_column = header.sortIndicatorSection()
    if 0 <= sort_column < len(COLUMN_NAMES):
        window.model.sort(sort_column, header.sortIndicatorOrder())
    window.search_panel.set_text_quietly(str(s.value("window/query", "") or ""))
    try:
        selection = json.loads(str(s.value("window/facets", "{}") or "{}"))
    except ValueError:
        selection = {}
    if isinstance(selection, dict):
        window.sidebar.blockSignals(True)
        window.sidebar.set_selection({k: v for k, v in selection.items() if isinstance(v, list)})
        window.sidebar.blockSignals(False)
    key = str(s.value("window/current", "") or "")
    if key and window.library.has_key(key):
        pending.key = key
    return pending
