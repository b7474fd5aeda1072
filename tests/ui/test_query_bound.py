"""A pasted page in the search box (issue 14): refused with the limit in the hint, the text kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui.main_window import MainWindow


def test_an_oversized_query_names_the_limit_and_keeps_the_last_result_and_the_text(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.search.setText("graph")
    before = window.model.ids()
    assert 0 < len(before) < 860
    pasted = " ".join(f"graph{i}" for i in range(3_000))  # a pasted page (~26,000 characters)
    window.search.setText(pasted)
    assert window.hint.isVisibleTo(window)
    assert "query too long" in window.hint.text()
    assert "the limit is 2,000" in window.hint.text()
    assert window.model.ids() == before
    assert window.search.text() == pasted  # what was typed (pasted) stays in the box to be shortened
    many = " ".join(f"w{i}" for i in range(40))
    window.search.setText(many)
    assert "the limit is 32 words or field terms" in window.hint.text()
    assert window.model.ids() == before
    window.search.setText("graph")
    assert not window.hint.isVisibleTo(window)
