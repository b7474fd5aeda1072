"""The window at 1280x800: the detail pane's parts never overlap, the table gives the title the room.

Geometries are compared as laid out by Qt (offscreen), mapped to the detail pane; nothing is drawn or read
back from pixels.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.ui.main_window import MainWindow
from papershelf.ui.paper_model import COLUMN_NAMES, MATCH
from papershelf.ui.window_state import saved_section_count
from tests.ui.conftest import Opened

LONG_URL = "https://example.org/" + "very-long-path-segment/" * 20 + "paper.pdf"
LATEX_TITLE = (r"$i$-Mix and $\ell_p$ robustness: a domain-agnostic strategy for contrastive representation "
               r"learning of \textit{Top-$K$} $\beta$-VAEs under distribution shift, revisited at length")


def open_window(qtbot: QtBot, library: Library, settings: QSettings) -> MainWindow:
    window = MainWindow(library, settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == 1280 and window.height() == 800)
    return window


@pytest.fixture
def library(iclr_library_dir: Path) -> Library:
    library = Library(iclr_library_dir)
    library.import_papers([Paper(id="", key="long2021url", title=LATEX_TITLE,
                                 authors=[f"Author Number{n} Surname" for n in range(12)], year=2021,
                                 venue="ICLR", url=LONG_URL, doi="10.1234/" + "x" * 80,
                                 abstract="A long abstract. " * 200)])
    return library


def parts(pane: QWidget, containers: list[QWidget]) -> dict[str, QRect]:
    """The visible widgets laid out in ``containers`` (the pane's rows), as rectangles in the pane."""
    found: dict[str, QRect] = {}
    for container in containers:
        for child in container.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible() and child.width() > 0 and child.height() > 0 and not child.isWindow():
                top_left = child.mapTo(pane, child.rect().topLeft())
                name = child.objectName() or f"{type(child).__name__}:{getattr(child, 'text', lambda: '')()!s:.20}"
                found[f"{name}@{id(child)}"] = QRect(top_left, child.size())
    return found


def test_the_detail_pane_parts_never_overlap_and_keep_their_height_at_1280x800(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    window = open_window(qtbot, library, settings)
    detail = window.detail
    assert window.select_paper(library.paper("long2021url").id)
    qtbot.waitUntil(lambda: window.similar_panel.model.rowCount() == 10)
    QApplication.processEvents()
    assert detail.title.textFormat() == Qt.TextFormat.RichText  # the LaTeX title is rendered (i-Mix, ℓp)
    assert detail.links.isVisible()
    rows = [detail.body, detail.paper_files, detail.paper_files.buttons, detail.preview_page]
    rects = parts(detail, rows)
    assert len(rects) >= 15  # title, authors, meta, key, buttons, links, abstract, the editors, the note ...
    overlapping = [(a, b) for (a, ra), (b, rb) in combinations(rects.items(), 2)
                   if not (a.startswith(("PaperFilesPane", "QWidget")) or b.startswith(("PaperFilesPane", "QWidget")))
                   and ra.intersects(rb)]
    assert overlapping == []
    for widget in (detail.title, detail.authors):
        assert widget.height() >= widget.heightForWidth(widget.width())  # wrapped labels: every line shown
    for widget in (detail.status, detail.priority, detail.rating, detail.tags, detail.lists, detail.note_stack):
        assert widget.height() >= widget.minimumSizeHint().height()  # the editors are never squeezed
    assert detail.abstract.height() < detail.abstract.document().size().height()  # the abstract gives way ...
    assert detail.abstract.verticalScrollBar().maximum() > 0  # ... and scrolls
    assert detail.links.height() < 2 * detail.links.fontMetrics().lineSpacing()  # URL and DOI: one line, cut
    assert not detail.paper_files.links.isVisible()  # (no arXiv page, no title searches: the paper has links)
    assert detail.paper_files.buttons.geometry().center().y() == pytest.approx(
        detail.key.geometry().center().y(), abs=6)  # the file buttons sit on the citation key's row
    assert window.tabs.width() >= 0.55 * window.width()  # and the table kept its room


def test_the_find_it_links_take_one_line_and_keep_their_addresses(
    qtbot: QtBot, library: Library, settings: QSettings, opened: Opened
) -> None:
    window = open_window(qtbot, library, settings)
    assert window.select_paper(library.paper("mueller2021certify").id)
    links = window.detail.paper_files.links
    QApplication.processEvents()
    assert links.text().startswith("Find it: ")
    assert links.height() < 2 * links.fontMetrics().lineSpacing()  # one line at the pane's default width
    for address in ("https://openreview.net/search", "https://arxiv.org/search", "https://scholar.google.com/"):
        assert address in links.text()
        assert address in links.toolTip()
    assert "Google Scholar: https://scholar.google.com/" in links.toolTip()  # the full name with its address
    assert links.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    links.setFocus()
    qtbot.keyClick(links, Qt.Key.Key_Tab)  # Tab goes from link to link ...
    qtbot.keyClick(links, Qt.Key.Key_Return)  # ... and Enter opens the one chosen (caught by ``opened``)
    qtbot.keyClick(links, Qt.Key.Key_Tab)
    qtbot.keyClick(links, Qt.Key.Key_Return)
    assert [url.host() for url in opened.urls] == ["openreview.net", "arxiv.org"]


def test_the_table_has_no_horizontal_scrollbar_and_the_title_is_the_widest_column(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    window = open_window(qtbot, library, settings)
    table = window.table
    QApplication.processEvents()
    assert table.horizontalScrollBar().maximum() == 0
    assert not table.horizontalScrollBar().isVisible()
    shown = {name: table.columnWidth(c) for c, name in enumerate(COLUMN_NAMES) if not table.isColumnHidden(c)}
    assert {"title", "authors", "venue", "status", "priority", "tags", "note"} <= set(shown)
    assert max(shown, key=shown.__getitem__) == "title"
    assert sum(shown.values()) <= table.viewport().width()
    priority = COLUMN_NAMES.index("priority")
    header = table.horizontalHeader()
    assert table.columnWidth(priority) < header.sectionSizeHint(priority)  # no room kept for an arrow ...
    table.sortByColumn(priority, Qt.SortOrder.DescendingOrder)
    assert table.columnWidth(priority) >= header.sectionSizeHint(priority)  # ... until it is sorted by
    assert table.horizontalScrollBar().maximum() == 0


def test_a_header_saved_by_an_older_version_restores_sanely(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    older = QTableView()  # the nine columns of the version before the note and match columns
    qtbot.addWidget(older)
    older.setModel(QStandardItemModel(0, 9, older))
    header = older.horizontalHeader()
    for column, width in enumerate((250, 140, 76, 70, 86, 64, 64, 100, 86)):
        header.resizeSection(column, width)
    for name in ("rating", "added"):
        header.setSectionHidden(COLUMN_NAMES.index(name), True)
    header.setSortIndicator(COLUMN_NAMES.index("venue"), Qt.SortOrder.DescendingOrder)
    state = header.saveState()
    assert saved_section_count(state) == 9
    settings.setValue("window/version", 1)
    settings.setValue("window/header", state)
    settings.sync()

    window = open_window(qtbot, library, settings)
    table = window.table
    QApplication.processEvents()
    hidden = {name for c, name in enumerate(COLUMN_NAMES) if table.isColumnHidden(c)}
    assert hidden == {"rating", "added", MATCH}  # as saved, the new note column shown, the match column not
    assert table.columnWidth(COLUMN_NAMES.index("authors")) == 140  # the widths the user had
    assert 0 < table.columnWidth(COLUMN_NAMES.index("note")) < 80  # a new column sized to its contents
    assert window.column_actions["note"].isChecked()
    assert not window.column_actions[MATCH].isChecked()
    assert table.horizontalHeader().sortIndicatorSection() == COLUMN_NAMES.index("venue")
    assert table.horizontalScrollBar().maximum() == 0  # the title stretches into what is left
    assert saved_section_count(table.horizontalHeader().saveState()) == len(COLUMN_NAMES)


def test_a_saved_sort_by_recommendation_comes_back_as_the_title_sort_without_the_match_column(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    first = open_window(qtbot, library, settings)
    first.table.sort_by_scores({library.paper("mueller2021certify").id: 0.5})
    assert not first.table.isColumnHidden(COLUMN_NAMES.index(MATCH))
    first.close()
    again = open_window(qtbot, library, settings)
    assert again.table.isColumnHidden(COLUMN_NAMES.index(MATCH))  # the scores were the last session's
    assert again.table.horizontalHeader().sortIndicatorSection() == COLUMN_NAMES.index("title")
    assert not again.column_actions[MATCH].isChecked()
