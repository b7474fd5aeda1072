"""The facet panel on its own: counts shown, choices toggled by click and by code, drops on a reading list."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QMimeData, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.search.facets import NONE_VALUE
from papershelf.ui.paper_model import MIME_KEYS
from papershelf.ui.sidebar import FacetPanel

COUNTS = {
    "status": Counter({"new": 4, "read": 2}),
    "track": Counter({"Oral": 1, "Poster": 4, NONE_VALUE: 1}),
    "lists": Counter({"Reading group": 2, NONE_VALUE: 4}),
    "tags": Counter({"gnn": 2, "rl": 1, NONE_VALUE: 3}),
    "year": Counter({"2021": 2, "2019": 1}),
}


def panel(qtbot: QtBot) -> FacetPanel:
    sidebar = FacetPanel()
    qtbot.addWidget(sidebar)
    sidebar.resize(240, 600)
    sidebar.show()
    sidebar.show_counts(COUNTS, ["Reading group", "Later"])
    return sidebar


def test_counts_are_shown_beside_their_values(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    sidebar = panel(qtbot)
    assert sidebar.count_text("track", "Poster") == "4"
    assert sidebar.count_text("track", "Spotlight") == "0"  # every track is offered, even at zero
    assert sidebar.count_text("track", NONE_VALUE) == "1"
    assert sidebar.value_index("track", NONE_VALUE).data() == "No track"
    assert sidebar.count_text("lists", "Later") == "0"  # every list is offered, to drop papers on
    assert sidebar.count_text("tags", "gnn") == "2"
    assert sidebar.count_text("tags", "vision") is None  # values nobody has are left out
    assert sidebar.value_index("status", "read").data() == "Read"
    qtmodeltester.check(sidebar.facet_model)


def test_a_click_toggles_a_value(qtbot: QtBot) -> None:
    sidebar = panel(qtbot)
    rect = sidebar.visualRect(sidebar.value_index("track", "Oral"))
    with qtbot.waitSignal(sidebar.selection_changed):
        qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sidebar.selection() == {"track": frozenset({"Oral"})}
    with qtbot.waitSignal(sidebar.selection_changed):
        qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sidebar.selection() == {}


def test_selection_set_and_cleared_by_code(qtbot: QtBot) -> None:
    sidebar = panel(qtbot)
    with qtbot.waitSignal(sidebar.selection_changed):
        sidebar.set_selection({"year": ["2021"], "tags": ["gnn", "rl"]})
    assert sidebar.selection() == {"year": frozenset({"2021"}), "tags": frozenset({"gnn", "rl"})}
    assert sidebar.has_selection()
    sidebar.show_counts(COUNTS, ["Reading group"])
    assert sidebar.value_index("tags", "rl").data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked.value
    with qtbot.waitSignal(sidebar.selection_changed):
        sidebar.clear()
    assert not sidebar.has_selection()
    with qtbot.assertNotEmitted(sidebar.selection_changed):
        sidebar.clear()  # nothing chosen: nothing to announce


def test_papers_dropped_on_a_list_are_reported_with_their_keys(qtbot: QtBot) -> None:
    sidebar = panel(qtbot)
    model = sidebar.facet_model
    mime = QMimeData()
    mime.setData(MIME_KEYS, b"ada2020graph\nbob2021kernel")
    target = sidebar.value_index("lists", "Later")
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, sidebar.value_index("tags", "gnn"))
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1,
                                     sidebar.value_index("lists", NONE_VALUE))  # "In no list" is no list
    with qtbot.waitSignal(model.papers_dropped) as dropped:
        assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert dropped.args == ["Later", ["ada2020graph", "bob2021kernel"]]
