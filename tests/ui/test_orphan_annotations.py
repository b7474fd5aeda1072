"""The window and its statistics over a library holding an annotation whose paper was set aside as a
damaged record: nothing raises, the orphan is counted nowhere and shown nowhere, and it is kept."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui.main_window import MainWindow
from papershelf.ui.stats import StatsView, compute_stats
from tests.helpers.orphans import library_with_orphan


def test_statistics_count_the_papers_there_are(qtbot: QtBot, tmp_path: Path) -> None:
    library = library_with_orphan(tmp_path / "lib").library

    stats = compute_stats(library)
    view = StatsView(library)
    qtbot.addWidget(view)
    view.show()

    assert stats.total == 15
    assert sum(stats.by_status["read"].values()) == 3
    assert sum(stats.by_status["new"].values()) == 12
    assert stats.top_tags == [("gnn", 3)]
    assert stats.list_progress == [("L", 3, 3)]


def test_the_window_searches_edits_and_recommends_around_the_orphan(qtbot: QtBot, tmp_path: Path) -> None:
    found = library_with_orphan(tmp_path / "lib", tmp_path / "notes.md")
    window = MainWindow(found.library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    model = window.model

    window.search.setText("tag:gnn")
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    window.search.setText("list:L")
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    assert window.controller.rename_list("L", "Read")
    assert found.orphan not in window.controller.recommended()
    window.search.setText("")
    qtbot.waitUntil(lambda: model.rowCount() == 15)

    kept = Library(tmp_path / "lib").stored_annotation(found.orphan)
    assert kept is not None
    assert kept.lists == ["Read"]
    assert kept.note == found.annotation.note
