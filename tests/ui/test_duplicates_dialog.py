"""Edit → Possible duplicates…: the pairs listed, the Merge button, and a merge that cannot be saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.services.importing import import_file
from papershelf.ui.controller import LibraryController
from papershelf.ui.duplicates_dialog import DuplicatesDialog
from papershelf.ui.main_window import MainWindow

PREPRINT = (
    "@article{mueller2020certify,\n"
    "  title = {Certify or Predict: Boosting Certified Robustness with Compositional Architectures},\n"
    "  author = {Mueller, Mark Niklas and Balunovic, Mislav and Vechev, Martin},\n"
    "  journal = {arXiv preprint arXiv:2004.01234}, year = 2020, note = {Preprint}\n}\n"
)


@pytest.fixture
def library_with_preprint(iclr_library_dir: Path, tmp_path: Path) -> Path:
    """The ICLR library after importing the arXiv version of one of its papers (kept apart: another kind)."""
    bib = tmp_path / "preprint.bib"
    bib.write_text(PREPRINT, encoding="utf-8")
    summary = import_file(Library(iclr_library_dir), bib)
    assert summary.imported == ["mueller2020certify"]
    return iclr_library_dir


@pytest.fixture
def window(qtbot: QtBot, library_with_preprint: Path, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(Library(library_with_preprint), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_the_menu_action_opens_the_dialog_on_the_windows_library(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    monkeypatch.setattr(DuplicatesDialog, "ask",
                        lambda parent, controller: asked.append((parent, controller)) or 0)
    assert window.window_actions.duplicates_action.text() == "Possible &duplicates…"
    window.window_actions.duplicates_action.trigger()
    assert asked == [(window, window.controller)]


def test_merge_button_merges_the_chosen_pair_and_the_window_follows(qtbot: QtBot, window: MainWindow) -> None:
    dialog = DuplicatesDialog(window, window.controller)
    qtbot.addWidget(dialog)
    keys = [(pair.first.key, pair.second.key) for pair in dialog.pairs]
    assert keys == [("mueller2021certify", "mueller2020certify")]
    assert dialog.table.item(0, 2).text() == "same title, @inproceedings and @article, 2021 and 2020"
    assert "arXiv preprint arXiv:2004.01234" not in dialog.details.toPlainText()  # shown: the short venue
    assert "Type: @article" in dialog.details.toPlainText()
    assert window.model.rowCount() == 861
    dialog.keep.setCurrentText("mueller2021certify")
    with qtbot.waitSignal(dialog.merged) as merged:
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert merged.args == ["mueller2021certify", "mueller2020certify"]
    assert dialog.pairs == []
    assert dialog.summary.text() == "No possible duplicates."
    assert not dialog.merge_button.isEnabled()
    assert window.model.rowCount() == 860
    window.search.setText("key:mueller2020certify")
    assert [window.library.papers[pid].key for pid in window.model.ids()] == ["mueller2021certify"]
    kept = Library(window.library.folder).paper("mueller2020certify")
    assert kept.key == "mueller2021certify"
    assert kept.entry_type == "inproceedings"
    assert "journal" not in kept.fields  # an @article's field does not move into an @inproceedings


def test_a_merge_that_cannot_be_saved_says_so_and_changes_nothing(
    qtbot: QtBot, library_with_preprint: Path
) -> None:
    controller = LibraryController(Library(library_with_preprint, read_only=True))
    dialog = DuplicatesDialog(None, controller)
    qtbot.addWidget(dialog)
    before = (library_with_preprint / "catalogue.json").read_bytes()
    assert not dialog.merge_current()
    assert dialog.message.text().startswith("Not merged: the library folder")
    assert dialog.message.text().endswith("Nothing was changed.")
    assert len(dialog.pairs) == 1
    assert len(controller.library) == 861
    assert (library_with_preprint / "catalogue.json").read_bytes() == before


def test_the_import_summary_lists_entries_already_present_and_suspected_by_key(
    library_with_preprint: Path, tmp_path: Path
) -> None:
    from papershelf.ui.importer import FileOutcome

    bib = tmp_path / "again.bib"
    bib.write_text(PREPRINT + PREPRINT.replace("mueller2020certify", "preprint2").replace("2004.01234", "2004.05678"),
                   encoding="utf-8")
    summary = import_file(Library(library_with_preprint), bib)
    lines = FileOutcome(bib, summary).lines()
    # one file's two entries are never merged, not even through a paper already in the library
    assert lines[0] == "again.bib: 1 imported, 1 already present, 0 failed"
    assert "    mueller2020certify is already here" in lines
    assert "    preprint2 may be mueller2020certify (both kept: Edit → Possible duplicates…)" in lines


def test_not_duplicates_keeps_the_pair_apart(qtbot: QtBot, window: MainWindow) -> None:
    dialog = DuplicatesDialog(window, window.controller)
    qtbot.addWidget(dialog)
    assert len(dialog.pairs) == 1
    qtbot.mouseClick(dialog.apart_button, Qt.MouseButton.LeftButton)
    assert dialog.pairs == []
    assert dialog.message.text() == "mueller2021certify and mueller2020certify are kept apart."
    assert window.model.rowCount() == 861  # both papers stay
    again = DuplicatesDialog(window, LibraryController(Library(window.library.folder, read_only=True)))
    qtbot.addWidget(again)
    assert again.pairs == []
