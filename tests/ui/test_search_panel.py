"""The search row on its own: when it asks for a search, the hint for a broken query, its buttons and keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from papershelf.ui.search_panel import SearchPanel


def panel(qtbot: QtBot, waits: bool = False) -> SearchPanel:
    widget = SearchPanel(lambda: waits)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_each_keystroke_asks_for_a_search_at_once(qtbot: QtBot) -> None:
    search = panel(qtbot)
    with qtbot.waitSignals([search.search_requested] * 3):
        qtbot.keyClicks(search.search, "gnn")
    assert not search.filter_timer.isActive()


def test_a_large_library_without_a_word_index_waits_for_a_pause(qtbot: QtBot) -> None:
    search = panel(qtbot, waits=True)
    with qtbot.assertNotEmitted(search.search_requested):
        qtbot.keyClicks(search.search, "graph")  # no search while typing ...
    assert search.filter_timer.isActive()
    with qtbot.waitSignal(search.search_requested, timeout=2000):
        pass  # ... one after the pause


def test_a_broken_query_says_why_and_the_last_good_one_is_kept(qtbot: QtBot) -> None:
    search = panel(qtbot)
    search.search.setText("graph")
    assert search.query().words == ("graph",)
    search.set_text_quietly('graph "unclosed')
    query = search.query()
    assert query.words == ("graph",)
    assert search.hint.isVisible()
    assert "quote" in search.hint.text().lower()
    assert "the table shows “graph”" in search.hint.text()  # names what the table shows
    search.set_text_quietly("kernel")
    assert search.query().words == ("kernel",)
    assert not search.hint.isVisible()


def test_a_broken_first_query_says_the_table_shows_everything_and_the_hint_moves_nothing(qtbot: QtBot) -> None:
    search = panel(qtbot)
    search.show()
    qtbot.waitExposed(search)
    height = search.height()
    search.set_text_quietly('title:"unclosed')
    assert search.query().words == ()
    assert search.hint.text().endswith("the table shows all papers (no search)")
    assert search.sizeHint().height() == height  # the hint's line was there already


def test_setting_text_quietly_asks_for_nothing(qtbot: QtBot) -> None:
    search = panel(qtbot)
    with qtbot.assertNotEmitted(search.search_requested):
        search.set_text_quietly("restored query")
    assert search.text() == "restored query"


def test_escape_clears_enter_submits_and_the_button_asks_to_clear(qtbot: QtBot) -> None:
    search = panel(qtbot)
    search.search.setText("graph")
    with qtbot.waitActive(search):
        search.activateWindow()  # the Escape shortcut, like any, works in the active window
    search.search.setFocus()
    with qtbot.waitSignal(search.submitted):
        qtbot.keyClick(search.search, Qt.Key.Key_Return)
    with qtbot.waitSignal(search.search_requested):
        qtbot.keyClick(search.search, Qt.Key.Key_Escape)
    assert search.text() == ""
    with qtbot.waitSignal(search.clear_requested):
        qtbot.mouseClick(search.clear_filters_button, Qt.MouseButton.LeftButton)


def test_facet_counts_are_due_once_after_a_burst(qtbot: QtBot) -> None:
    search = panel(qtbot)
    search.schedule_facet_counts()
    search.schedule_facet_counts()
    with qtbot.waitSignal(search.facet_counts_due, timeout=2000):
        pass
    with qtbot.assertNotEmitted(search.facet_counts_due, wait=300):
        pass  # the second request restarted the same timer: one signal, not two


def test_focus_selects_the_text_to_type_over(qtbot: QtBot) -> None:
    search = panel(qtbot)
    search.search.setText("old")
    search.focus()
    assert search.search.selectedText() == "old"
