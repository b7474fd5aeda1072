"""The Trash in the window, driven like a person would: Delete, the notice's Undo, Ctrl+Z, the Trash facet,
Restore, and Empty Trash… with its confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.ui.main_window import MainWindow
from papershelf.ui.stats import compute_stats
from papershelf.ui.trash import EmptyTrashDialog
from tests.ui.conftest import pid


@pytest.fixture
def window(qtbot: QtBot, small_library: Library, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(small_library, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def shown_keys(win: MainWindow) -> list[str]:
    return [win.library.papers[p].key for p in win.model.ids()]


def current_key(win: MainWindow) -> str | None:
    current = win.current_paper_id()
    return None if current is None else win.library.papers[current].key


def select_two_from_second(qtbot: QtBot, win: MainWindow) -> list[str]:
    """The second and third rows selected with the keyboard; their keys."""
    win.table.setFocus()
    win.select_paper(win.model.paper_id(1))
    qtbot.keyClick(win.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    return [win.library.papers[p].key for p in win.selected_ids()]


def trash_count(win: MainWindow) -> str | None:
    win.update_facet_counts()
    return win.sidebar.count_text("trash", "trash")


def test_delete_moves_the_selection_to_the_trash_and_selects_the_next_paper(qtbot: QtBot, window: MainWindow) -> None:
    before = shown_keys(window)
    chosen = select_two_from_second(qtbot, window)
    assert chosen == before[1:3]

    qtbot.keyClick(window.table, Qt.Key.Key_Delete)

    assert shown_keys(window) == [before[0], *before[3:]]
    assert current_key(window) == before[3]  # the paper after the ones that went
    assert window.detail.paper_id == window.current_paper_id()
    assert window.window_actions.trash.notice_text() == "Moved 2 papers to the Trash — Undo"
    assert trash_count(window) == "2"
    window.window_actions.trash.hide_notice()
    assert window.statusBar().currentMessage() == "4 of 4 papers"  # the Trash is not in the library's count
    assert sorted(window.library.papers[p].key for p in window.library.trashed_ids()) == sorted(chosen)
    assert Library(window.library.folder).trashed_ids() == window.library.trashed_ids()  # saved
    window.search.setText(window.library.paper(chosen[0]).title)
    window.apply_filters()
    assert shown_keys(window) == []  # a search does not find papers in the Trash


def test_deleting_the_last_rows_selects_the_paper_before(qtbot: QtBot, window: MainWindow) -> None:
    keys = shown_keys(window)
    window.table.setFocus()
    window.select_paper(window.model.paper_id(len(keys) - 1))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert current_key(window) == keys[-2]


def test_ctrl_z_and_the_notices_undo_bring_the_papers_back_selected(qtbot: QtBot, window: MainWindow) -> None:
    before = shown_keys(window)
    chosen = select_two_from_second(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.undo_action.text() == "&Undo Move 2 papers to the Trash"

    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown_keys(window) == before
    assert current_key(window) == chosen[0]
    assert window.library.trashed_ids() == []
    assert trash_count(window) == "0"
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.table, Qt.Key.Key_Z, redo)  # and redo moves them again
    assert shown_keys(window) == [before[0], *before[3:]]
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown_keys(window) == before

    window.select_paper(window.model.paper_id(0))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.window_actions.trash.notice_text() == "Moved 1 paper to the Trash — Undo"
    qtbot.mouseClick(window.window_actions.trash.undo_button, Qt.MouseButton.LeftButton)
    assert shown_keys(window) == before
    assert current_key(window) == before[0]
    assert window.window_actions.trash.notice_text() == ""


def test_the_notices_undo_undoes_nothing_else(qtbot: QtBot, window: MainWindow) -> None:
    window.table.setFocus()
    window.select_paper(window.model.paper_id(0))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    qtbot.keyClick(window.table, Qt.Key.Key_4)  # read: another undo step after the move
    qtbot.mouseClick(window.window_actions.trash.undo_button, Qt.MouseButton.LeftButton)
    assert len(window.library.trashed_ids()) == 1
    assert window.library.annotation(window.current_paper_id() or "").status == "read"


def test_the_trash_facet_shows_only_papers_in_the_trash_and_restores_them(qtbot: QtBot, window: MainWindow) -> None:
    lib = window.library
    lib.annotate([pid(lib, "ada2020graph")], AnnotationChange(status="read"))
    window.table.setFocus()
    window.select_paper(pid(lib, "ada2020graph"))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    window.select_paper(pid(lib, "dan2019reward"))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    window.update_facet_counts()
    assert window.sidebar.count_text("status", "read") == "0"  # a paper in the Trash is in no other count

    window.sidebar.toggle("trash", "trash")
    assert sorted(shown_keys(window)) == ["ada2020graph", "dan2019reward"]
    assert window.statusBar().currentMessage() == "2 of 2 papers in the Trash"
    window.update_facet_counts()
    assert window.sidebar.count_text("status", "read") == "1"  # the other facets count within the Trash

    window.select_paper(pid(lib, "ada2020graph"))
    menu = window.window_actions.table_menu(window.selected_ids())
    labels = [a.text() for a in menu.actions() if a.text()]
    assert "Restore from Trash" in labels
    assert "Empty Trash…" in labels
    assert "Move to Trash" not in labels
    window.window_actions.trash.restore_selection()
    assert shown_keys(window) == ["dan2019reward"]
    assert current_key(window) == "dan2019reward"
    assert window.window_actions.trash.notice_text() == "Restored 1 paper from the Trash — Undo"
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)  # already there: nothing happens but a word
    assert lib.trashed_ids() == [pid(lib, "dan2019reward")]

    window.sidebar.toggle("trash", "trash")
    assert "ada2020graph" in shown_keys(window)
    window.select_paper(pid(lib, "ada2020graph"))
    menu = window.window_actions.table_menu(window.selected_ids())
    assert "Move to Trash" in [a.text() for a in menu.actions()]


def test_empty_trash_asks_first_says_what_is_lost_and_removes_for_good(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = window.library
    lib.annotate([pid(lib, "ada2020graph")], AnnotationChange(note="graphs of molecules", add_tags=("chem",)))
    window.table.setFocus()
    for key in ("ada2020graph", "dan2019reward"):
        window.select_paper(pid(lib, key))
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    asked: list[tuple[int, list[str]]] = []
    answer = False

    def ask(_cls: type, _parent: QWidget | None, count: int, details: Sequence[str]) -> bool:
        asked.append((count, list(details)))
        return answer

    monkeypatch.setattr(EmptyTrashDialog, "ask", classmethod(ask))
    catalogue = (lib.folder / "catalogue.json").read_bytes()
    window.window_actions.trash.empty_action.trigger()
    assert asked[0][0] == 2
    assert asked[0][1][0].startswith("2 papers will be removed from the library for good")
    assert "(1 with a note, 1 with tags)" in asked[0][1][1]
    assert len(lib) == 6  # declined: nothing changed
    assert (lib.folder / "catalogue.json").read_bytes() == catalogue

    answer = True
    window.sidebar.toggle("trash", "trash")
    window.window_actions.trash.empty_action.trigger()
    assert len(lib) == 4
    assert shown_keys(window) == []
    assert trash_count(window) == "0"
    assert window.window_actions.trash.notice_text() == "Removed 2 papers for good"
    assert not window.controller.undo_stack.canUndo()  # the steps before named papers that are gone
    assert [doc["annotation"]["note"] for doc in Library(lib.folder).removed_papers()] == ["graphs of molecules"]
    window.sidebar.toggle("trash", "trash")
    assert len(shown_keys(window)) == 4


def test_statistics_leave_papers_in_the_trash_out(small_library: Library) -> None:
    lib = small_library
    lib.annotate([pid(lib, "ada2020graph"), pid(lib, "bob2021kernel")], AnnotationChange(status="read"))
    lib.trash([pid(lib, "ada2020graph"), pid(lib, "cyd2021graph")])
    stats = compute_stats(lib)
    assert stats.total == 4
    assert sum(stats.by_status["read"].values()) == 1
    assert sum(stats.by_status["new"].values()) == 3


def test_the_notice_goes_after_its_time_and_stays_gone(qtbot: QtBot, window: MainWindow) -> None:
    trash = window.window_actions.trash
    window.table.setFocus()
    window.select_paper(window.model.paper_id(0))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert trash.notice.isVisible()
    window.statusBar().showMessage("another message")  # the status bar hides the notice meanwhile
    assert not trash.notice.isVisible()
    trash.notice_timer.timeout.emit()  # its time is up
    window.statusBar().clearMessage()
    assert not trash.notice.isVisible()
    assert trash.notice_text() == ""


def test_the_detail_pane_says_when_the_paper_went_to_the_trash_and_restores_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    lib = window.library
    line = window.detail.trash_line
    window.select_paper(pid(lib, "ada2020graph"))
    assert not line.isVisibleTo(window.detail)  # not in the Trash: no line
    lib.annotate([pid(lib, "ada2020graph")], AnnotationChange(trashed="2026-03-04T23:30:00+00:00"))
    window.sidebar.toggle("trash", "trash")
    window.select_paper(pid(lib, "ada2020graph"))
    assert line.isVisibleTo(window.detail)
    local_day = datetime.fromisoformat("2026-03-04T23:30:00+00:00").astimezone().strftime("%Y-%m-%d")
    assert line.label.text() == f"In the Trash since {local_day}"

    qtbot.mouseClick(line.restore_button, Qt.MouseButton.LeftButton)
    assert not lib.is_trashed(pid(lib, "ada2020graph"))
    assert Library(lib.folder).trashed_ids() == []  # saved
    assert window.window_actions.trash.notice_text() == "Restored 1 paper from the Trash — Undo"
    assert "ada2020graph" not in shown_keys(window)  # it left the Trash view

    window.controller.undo_stack.undo()  # one undo step, as for Restore from the menu
    assert lib.is_trashed(pid(lib, "ada2020graph"))
    assert current_key(window) == "ada2020graph"  # back in view, and shown
    assert line.isVisibleTo(window.detail)


def test_switching_to_the_trash_facet_selects_its_first_paper(qtbot: QtBot, window: MainWindow) -> None:
    lib = window.library
    window.table.setFocus()
    for key in ("dan2019reward", "ada2020graph"):
        window.select_paper(pid(lib, key))
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert current_key(window) not in (None, "dan2019reward", "ada2020graph")

    window.sidebar.toggle("trash", "trash")
    qtbot.waitUntil(lambda: window.current_paper_id() is not None)
    assert current_key(window) == shown_keys(window)[0]
    assert window.detail.paper_id == window.current_paper_id()
    assert window.detail.trash_line.isVisibleTo(window.detail)

    window.sidebar.toggle("trash", "trash")  # and back out: the library's first paper, not an empty pane
    qtbot.waitUntil(lambda: window.current_paper_id() is not None)
    assert current_key(window) == shown_keys(window)[0]
    assert not window.detail.trash_line.isVisibleTo(window.detail)
