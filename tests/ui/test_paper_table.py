"""The table view on its own: selecting and moving by paper id, fixed row heights, default columns."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui.paper_model import COLUMN_NAMES, PaperTableModel
from papershelf.ui.paper_table import DEFAULT_HIDDEN, EmptyPage, PaperTable
from tests.ui.conftest import pid


def table(qtbot: QtBot, library: Library) -> PaperTable:
    view = PaperTable(PaperTableModel(library))
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    return view


def test_rows_have_a_fixed_height_and_some_columns_start_hidden(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    assert view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    hidden = {name for column, name in enumerate(COLUMN_NAMES) if view.isColumnHidden(column)}
    assert hidden == set(DEFAULT_HIDDEN) == {"rating", "added"}  # priority shows: `p` sets it
    assert view.horizontalHeader().sortIndicatorSection() == COLUMN_NAMES.index("title")


def test_selecting_by_id_and_moving_with_the_bounds(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    assert view.current_id() is None
    assert view.selected_ids() == []
    view.move_current(1)  # no current paper: the first row
    order = [view.paper_model.paper_id(r) for r in range(view.paper_model.rowCount())]
    assert view.current_id() == order[0]
    view.move_current(-1)
    assert view.current_id() == order[0]  # not above the first
    view.move_current(100)
    assert view.current_id() == order[-1]  # nor below the last
    bob = pid(small_library, "bob2021kernel")
    assert view.select(bob)
    assert view.selected_ids() == [bob]


def test_a_filtered_out_paper_cannot_be_selected(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    bob = pid(small_library, "bob2021kernel")
    view.paper_model.set_filter(lambda order: [i for i in order if i != bob])
    assert not view.select(bob)
    assert view.current_id() is None


def test_selected_ids_are_in_table_order(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    model = view.paper_model
    selection = view.selectionModel()
    for row in (4, 1, 3):
        selection.select(model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert view.selected_ids() == [model.paper_id(r) for r in (1, 3, 4)]


def test_the_empty_page_offers_what_fits(qtbot: QtBot) -> None:
    page = EmptyPage()
    qtbot.addWidget(page)
    page.show()
    page.show_empty_library(".bib, .md")
    assert "Your library is empty" in page.label.text()
    assert page.import_button.isVisible()
    assert not page.clear_button.isVisible()
    page.show_no_match("zzz")
    assert "No papers match “zzz”" in page.label.text()
    assert page.clear_button.isVisible()
    assert not page.import_button.isVisible()
    page.show_no_match("")
    assert "No papers match these filters" in page.label.text()
    with qtbot.waitSignal(page.clear_requested):
        page.clear_button.click()
