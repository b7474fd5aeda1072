"""The first window: the catalogue in a table with fixed row heights."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui.main_window import MainWindow
from papershelf.ui.paper_model import COLUMN_NAMES, ORDER_FILE, PaperTableModel


def test_window_lists_the_860_papers(qtbot: QtBot, iclr_library_dir: Path) -> None:
    window = MainWindow(Library(iclr_library_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.table.model().rowCount() == 860
    assert window.table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert "860 of 860 papers" in window.statusBar().currentMessage()
    model = window.model
    titles = {model.index(row, COLUMN_NAMES.index("title")).data() for row in range(model.rowCount())}
    assert "Certify or Predict: Boosting Certified Robustness with Compositional Architectures" in titles


def test_paper_model_passes_modeltester(qtmodeltester: ModelTester, iclr_library_dir: Path) -> None:
    model = PaperTableModel(Library(iclr_library_dir))
    qtmodeltester.check(model)
    model.sort(COLUMN_NAMES.index("authors"), Qt.SortOrder.DescendingOrder)
    model.set_filter(lambda ids: [pid for pid in ids if "graph" in model.library.papers[pid].title.lower()])
    qtmodeltester.check(model)


def test_sorting_by_title_and_track(iclr_library_dir: Path) -> None:
    model = PaperTableModel(Library(iclr_library_dir))
    title, track = COLUMN_NAMES.index("title"), COLUMN_NAMES.index("track")
    model.sort(title, Qt.SortOrder.AscendingOrder)
    titles = [model.index(r, title).data() for r in range(model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    model.sort(track, Qt.SortOrder.AscendingOrder)
    tracks = [model.index(r, track).data() for r in range(model.rowCount())]
    assert tracks[:53] == ["Oral"] * 53
    assert tracks[53:167] == ["Spotlight"] * 114


def test_a_reopened_window_shows_the_saved_sort_order_and_arrow(qtbot: QtBot, iclr_library_dir: Path,
                                                                   tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    title_order = first.model.order
    authors = COLUMN_NAMES.index("authors")
    first.table.sortByColumn(authors, Qt.SortOrder.DescendingOrder)
    expected = first.model.order
    assert expected != title_order
    first.close()

    second = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    header = second.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (authors, Qt.SortOrder.DescendingOrder)
    assert second.model.order == expected
    assert (iclr_library_dir / ORDER_FILE).exists()  # the order came from the kept one, not a sort
    assert second.model.sorted_by() == (authors, Qt.SortOrder.DescendingOrder)
