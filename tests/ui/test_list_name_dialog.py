"""The reading-list name dialog: wide enough that its title is never cut; the name it returns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from papershelf.ui.dialogs import ListNameDialog


def test_the_dialog_is_wider_than_its_title(qtbot: QtBot) -> None:
    dialog = ListNameDialog(None, "Rename reading list “Reading group for the spring term”", "New name:")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() > dialog.fontMetrics().horizontalAdvance(dialog.windowTitle()) + 100


@pytest.mark.parametrize(("typed", "expected"), [("  Thesis  ", "Thesis"), ("   ", None)])
def test_ask_returns_the_name_without_surrounding_spaces(qtbot: QtBot, typed: str, expected: str | None) -> None:
    answers: list[str | None] = []

    def answer() -> None:
        from PySide6.QtWidgets import QApplication

        # every open ListNameDialog is answered, so a failure can never leave the test waiting on exec()
        for dialog in QApplication.topLevelWidgets():
            if isinstance(dialog, ListNameDialog) and dialog.isVisible():
                dialog.name.setText(typed)
                dialog.accept()

    QTimer.singleShot(0, answer)
    answers.append(ListNameDialog.ask(None, "New reading list", "Name:"))
    assert answers == [expected]
