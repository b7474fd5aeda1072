"""The window driven by the keyboard alone: a morning's triage of 20 papers without a mouse event.

Every key goes to the widget that has the focus (``QApplication.focusWidget()``), as a keyboard sends
it; nothing here calls a widget of the window directly once it is shown, so a focus trap or a shortcut
that does not fire shows up as a wrong library.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import STATUSES
from papershelf.ui.main_window import MainWindow

PAPERS = 20
LISTS = ("reading-group", "thesis")


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)  # ASCII only: QTest aborts on anything else


def answer_next_dialog(qtbot: QtBot, text: str) -> list[bool]:
    """Type ``text`` and Return into the next modal dialog once it has the focus; the flag says it happened."""
    answered: list[bool] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        widget = QApplication.focusWidget()
        if dialog is None or widget is None or not dialog.isAncestorOf(widget):
            QTimer.singleShot(10, answer)  # not up yet: look again on a later turn of its event loop
            return
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # replace what it offers
        qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        answered.append(True)

    QTimer.singleShot(0, answer)
    return answered


@pytest.fixture
def window(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.activateWindow()  # what the window manager does for a window just opened
    qtbot.waitActive(win)
    return win


def test_triage_twenty_papers_with_the_keyboard_alone(qtbot: QtBot, window: MainWindow,
                                                      iclr_library_dir: Path) -> None:
    table = window.table
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)  # the window opens on the table
    expected: dict[str, dict[str, object]] = {}
    for n in range(PAPERS):
        if n or window.current_paper_id() is None:
            press(qtbot, Qt.Key.Key_J)
        pid = window.current_paper_id()
        assert pid is not None
        assert pid not in expected
        assert focused() is table

        status = STATUSES[(n + 1) % len(STATUSES)]  # every status, "new" too
        press(qtbot, Qt.Key(Qt.Key.Key_1 + STATUSES.index(status)))
        assert focused() is table

        for _ in range(n % 4):
            press(qtbot, Qt.Key.Key_P)
            assert focused() is table

        press(qtbot, Qt.Key.Key_T)
        assert focused() is window.detail.tags
        type_text(qtbot, f"batch-{n % 3}, paper-{n}")
        press(qtbot, Qt.Key.Key_Return)
        assert focused() is table

        answered = answer_next_dialog(qtbot, LISTS[n % 2])
        press(qtbot, Qt.Key.Key_L)
        assert answered == [True]
        qtbot.waitUntil(lambda: QApplication.focusWidget() is table)

        press(qtbot, Qt.Key.Key_N)
        assert focused() is window.detail.note
        type_text(qtbot, f"Paper {n}: read section 3 first.")
        press(qtbot, Qt.Key.Key_Escape)
        assert focused() is table
        assert window.current_paper_id() == pid  # still on the same paper
        expected[pid] = {"status": status, "priority": n % 4, "tags": [f"batch-{n % 3}", f"paper-{n}"],
                         "lists": [LISTS[n % 2]], "note": f"Paper {n}: read section 3 first."}

    window.close()
    reopened = Library(iclr_library_dir)  # what was written to disk, read back
    for pid, wanted in expected.items():
        ann = reopened.annotation(pid)
        assert {"status": ann.status, "priority": ann.priority, "tags": sorted(ann.tags), "lists": ann.lists,
                "note": ann.note} == wanted
    untouched = [pid for pid in reopened.papers if pid not in expected]
    assert all(reopened.annotation(pid).note == "" for pid in untouched)
