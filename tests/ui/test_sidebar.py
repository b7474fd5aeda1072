"""The facet panel on its own: counts shown, choices toggled by click and by code, drops on a reading list."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.search.facets import NONE_VALUE
from papershelf.ui.paper_model import MIME_KEYS
from papershelf.ui.preferences import apply_theme
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


# -- zero counts stay readable in every theme: WCAG 2 contrast, computed here from the colours drawn --------


def wcag_luminance(colour: QColor) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v / 255) for v in (colour.red(), colour.green(), colour.blue()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def wcag_contrast(one: QColor, other: QColor) -> float:
    a, b = sorted((wcag_luminance(one), wcag_luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def zero_count_contrasts(sidebar: FacetPanel) -> list[float]:
    """The contrast of each zero-count label and count with the row backgrounds the view paints them on."""
    palette = sidebar.viewport().palette()
    backgrounds = [palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase)]
    label = sidebar.value_index("track", "Spotlight")
    colours = [label.data(Qt.ItemDataRole.ForegroundRole).color(),
               label.siblingAtColumn(1).data(Qt.ItemDataRole.ForegroundRole).color()]
    for colour in colours:
        assert colour.alpha() == 255  # what is drawn is this colour itself, not a blend
    return [wcag_contrast(colour, background) for colour in colours for background in backgrounds]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_zero_counts_have_a_contrast_of_at_least_4_5(qtbot: QtBot, qapp: QApplication, theme: str) -> None:
    try:
        assert apply_theme(qapp, theme) == theme
        sidebar = panel(qtbot)
        assert sidebar.count_text("track", "Spotlight") == "0"
        assert min(zero_count_contrasts(sidebar)) >= 4.5
    finally:
        apply_theme(qapp, "system")


def test_zero_counts_stay_readable_when_the_palette_changes(qtbot: QtBot) -> None:
    sidebar = panel(qtbot)
    faint = QPalette(sidebar.palette())  # a dark palette whose placeholder grey would be hard to read
    for role, colour in ((QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.AlternateBase, "#272727"),
                         (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.PlaceholderText, "#505050")):
        faint.setColor(role, QColor(colour))
    assert wcag_contrast(QColor("#505050"), QColor("#1f1f1f")) < 3
    sidebar.setPalette(faint)
    assert min(zero_count_contrasts(sidebar)) >= 4.5
    assert wcag_contrast(sidebar.value_index("track", "Spotlight").data(Qt.ItemDataRole.ForegroundRole).color(),
                         QColor("#1f1f1f")) < wcag_contrast(QColor("#e6e6e6"), QColor("#1f1f1f"))  # still muted
