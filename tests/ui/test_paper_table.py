"""The table view on its own: selecting and moving by paper id, fixed row heights, default columns."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.ui.paper_model import COLUMN_NAMES, MATCH, NOTE_MARK, PaperTableModel
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
    # priority and the note mark show; the track is a facet in the sidebar (the title needs the width)
    assert hidden == set(DEFAULT_HIDDEN) == {"track", "rating", "added", "match"}
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


def column_texts(view: PaperTable, name: str) -> dict[str, str]:
    model = view.paper_model
    column = COLUMN_NAMES.index(name)
    return {model.library.papers[model.paper_id(r)].key: model.index(r, column).data() for r in range(model.rowCount())}


def test_papers_with_a_note_carry_a_mark_that_sorts_them_first(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    note = COLUMN_NAMES.index("note")
    assert not view.isColumnHidden(note)
    small_library.annotate([pid(small_library, "dan2019reward")], AnnotationChange(note="Shaping is <b>hard</b>"))
    small_library.annotate([pid(small_library, "bob2021kernel")], AnnotationChange(note="Kernels"))
    marks = column_texts(view, "note")
    assert {key for key, mark in marks.items() if mark == NOTE_MARK} == {"dan2019reward", "bob2021kernel"}
    assert {mark for key, mark in marks.items() if key not in ("dan2019reward", "bob2021kernel")} == {""}
    view.sortByColumn(note, Qt.SortOrder.AscendingOrder)
    first_two = {view.paper_model.library.papers[view.paper_model.paper_id(r)].key for r in range(2)}
    assert first_two == {"dan2019reward", "bob2021kernel"}
    model = view.paper_model
    row = model.row_of(pid(small_library, "dan2019reward"))
    assert model.index(row, note).data(Qt.ItemDataRole.ToolTipRole) == "<p>Shaping is &lt;b&gt;hard&lt;/b&gt;</p>"
    small_library.annotate([pid(small_library, "dan2019reward")], AnnotationChange(note=""))
    assert column_texts(view, "note")["dan2019reward"] == ""  # the mark goes with the note


def test_sorting_by_scores_shows_them_in_the_match_column_with_the_header_arrow(
    qtbot: QtBot, small_library: Library
) -> None:
    view = table(qtbot, small_library)
    match = COLUMN_NAMES.index(MATCH)
    assert view.isColumnHidden(match)
    scores = {pid(small_library, "eve2022causal"): 0.9, pid(small_library, "ada2020graph"): 0.25}
    view.sort_by_scores(scores)
    assert not view.isColumnHidden(match)
    header = view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (match, Qt.SortOrder.DescendingOrder)
    assert view.paper_model.headerData(match, Qt.Orientation.Horizontal) == "Match"
    model = view.paper_model
    order = [model.library.papers[model.paper_id(r)].key for r in range(model.rowCount())]
    assert order[:2] == ["eve2022causal", "ada2020graph"]  # best first, then every unranked paper
    texts = column_texts(view, MATCH)
    assert (texts["eve2022causal"], texts["ada2020graph"], texts["fay2018bandit"]) == ("0.90", "0.25", "")
    view.sort_by_scores({pid(small_library, "fay2018bandit"): 0.5})  # again: sorted by the new scores
    assert model.library.papers[model.paper_id(0)].key == "fay2018bandit"


def test_dragging_papers_shows_a_small_badge_with_their_number(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    model = view.paper_model
    assert view.drag_for_selection() is None  # nothing selected: nothing to drag
    selection = view.selectionModel()
    for row in (0, 2, 3):
        selection.select(model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    drag = view.drag_for_selection()
    assert drag is not None
    keys = bytes(drag.mimeData().data("application/x-papershelf-keys").data()).decode().split("\n")
    assert keys == [small_library.papers[model.paper_id(r)].key for r in (0, 2, 3)]
    badge = drag.pixmap().deviceIndependentSize()
    row = view.visualRect(model.index(0, 0)).united(view.visualRect(model.index(0, model.columnCount() - 1)))
    assert badge.height() <= 2 * view.verticalHeader().defaultSectionSize()  # one small line, not three rows
    assert badge.width() <= 150  # "3 papers", not the rows (whose width is the table's)
    assert badge.width() < row.width() / 3
    assert drag.hotSpot().x() < 0  # beside the pointer, not under it: the drop target stays visible
    assert drag.hotSpot().y() < 0


def test_the_table_opens_in_title_order_with_the_arrow_on_the_title(qtbot: QtBot, small_library: Library) -> None:
    view = table(qtbot, small_library)
    header = view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COLUMN_NAMES.index("title"), Qt.SortOrder.AscendingOrder)
    assert [view.paper_model.library.papers[i].title for i in view.paper_model.ids()] == [
        "Bandits with knapsacks", "Causal discovery from graph data", "Graph kernels at scale",
        "Graph neural networks for molecules", "Kernel methods revisited", "Reward shaping without tears",
    ]
