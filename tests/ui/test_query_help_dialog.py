"""The `?` search syntax dialog shows every column whole."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from papershelf.core.search.query import QUERY_HELP
from papershelf.ui.dialogs import QueryHelpDialog, ShortcutsDialog


def test_no_column_of_the_syntax_dialog_is_cut(qtbot: QtBot) -> None:
    dialog = QueryHelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == ["Syntax", "Example", "Finds"]
    assert table.rowCount() == len(QUERY_HELP)
    finds = table.columnCount() - 1
    assert table.columnWidth(finds) >= table.sizeHintForColumn(finds)  # "Finds" is never cut
    for column in range(finds):  # the others whole too, or (on a narrow screen) wrapped onto rows that hold them
        if table.columnWidth(column) < table.sizeHintForColumn(column):
            assert all(table.rowHeight(row) >= table.sizeHintForRow(row) for row in range(table.rowCount()))
    # ... and all of them in view: no column runs off the right edge
    assert table.horizontalScrollBar().maximum() == 0
    columns = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert columns <= table.viewport().width()


def test_the_shortcuts_dialog_too(qtbot: QtBot) -> None:
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    for column in range(table.columnCount()):
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)
    assert table.horizontalScrollBar().maximum() == 0
