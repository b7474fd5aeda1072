"""What the window remembers between runs: geometry, dividers, columns, sort, search, facets, current paper."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QByteArray, QSettings

from papershelf.ui.paper_model import COLUMN_NAMES

if TYPE_CHECKING:
    from papershelf.ui.main_window import MainWindow

SETTINGS_VERSION: Final = 1


@dataclass(slots=True)
class Pending:
    """What can only be restored later: the splitter once the window has its real size, the current
    paper once the table is filled."""

    splitter: QByteArray | None = None
    key: str = ""


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


def restore_state(window: MainWindow, s: QSettings) -> Pending:
    """Restore what can be restored now; return what must wait (see ``Pending``)."""
    pending = Pending()
    if s.value("window/version") is None:
        return pending
    header = window.table.horizontalHeader()
    for key, restore in (("window/geometry", window.restoreGeometry), ("window/header", header.restoreState)):
        value = s.value(key)
        if isinstance(value, QByteArray):
            restore(value)
    splitter = s.value("window/splitter")
    # Splitter sizes only stick once the window has its real size: applied on first show.
    pending.splitter = splitter if isinstance(splitter, QByteArray) else None
    right = s.value("window/right")
    if isinstance(right, QByteArray):
        window.right.restoreState(right)
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
