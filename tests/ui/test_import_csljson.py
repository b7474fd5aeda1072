"""CSL-JSON reaches the window every way a file can: File → Import, a drop, and a file the file manager hands
to Papershelf (a second start forwards it to the open window), as a ``.json`` and as a ``.txt`` that holds it
(Zotero and pandoc users save "references.json"; a download can arrive as "export.txt")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.ui import dialogs
from papershelf.ui.main_window import MainWindow
from papershelf.ui.transfer import dropped_paths

ITEMS = [
    {"id": "pandoc2022json", "type": "article-journal", "title": "Citing From CSL-JSON",
     "author": [{"family": "Pandoc", "given": "Pat"}], "issued": {"date-parts": [[2022]]},
     "container-title": "Journal of Exchange"},
    {"id": "zotero2023txt", "type": "paper-conference", "title": "A Download Saved As Text",
     "author": [{"family": "Zotero", "given": "Zoe"}], "issued": {"date-parts": [[2023, 5]]}},
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "downloads"
    folder.mkdir()
    paths = {"json": folder / "references.json", "txt": folder / "export.txt", "plain": folder / "notes.txt",
             "other": folder / "settings.json"}
    paths["json"].write_text(json.dumps(ITEMS[:1], indent=2), encoding="utf-8")
    paths["txt"].write_text(json.dumps(ITEMS[1:], indent="\t"), encoding="utf-8")
    paths["plain"].write_text("read these\n", encoding="utf-8")
    paths["other"].write_text('{"theme": "dark"}\n', encoding="utf-8")
    return paths


@pytest.fixture
def window(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(dialogs.ImportSummaryDialog, "ask", classmethod(lambda cls, *a: None))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def imported_keys(window: MainWindow) -> set[str]:
    return {p.key for p in window.library.papers.values()} & {item["id"] for item in ITEMS}


def test_file_import_offers_json_and_txt_and_reads_both(
    qtbot: QtBot, window: MainWindow, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []

    def choose(parent: QWidget, caption: str, folder: str, filters: str) -> tuple[list[str], str]:
        offered.append(filters)
        return [str(files["json"]), str(files["txt"])], filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(choose))
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        window.transfers.import_dialog()
    (filters,) = offered
    paper_files = filters.split(";;")[0]
    assert "*.json" in paper_files.split("(")[1]
    assert "*.txt" in paper_files.split("(")[1]
    assert filters.endswith(";;All files (*)")  # a download without a suffix can be chosen too
    assert blocker.args[0].imported == 2
    assert imported_keys(window) == {"pandoc2022json", "zotero2023txt"}


def test_dropping_a_json_and_a_txt_that_hold_csl_json_imports_them(
    qtbot: QtBot, window: MainWindow, files: dict[str, Path]
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in files.values()])
    # The .json by its suffix, the .txt by what it holds; a .txt of notes is not offered to the import.
    assert dropped_paths(mime) == [files["json"], files["txt"], files["other"]]
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        window.dropEvent(event)
    report = blocker.args[0]
    assert report.imported == 2
    assert imported_keys(window) == {"pandoc2022json", "zotero2023txt"}
    # A JSON file that is no CSL-JSON imports nothing and the summary says why, with its line.
    text = report.text()
    assert "settings.json: 0 imported, 0 already present, 1 failed" in text
    assert "1 failed\n    line 1: not CSL-JSON: expected a list of items" in text


def test_files_a_second_start_hands_over_are_imported_by_content(
    qtbot: QtBot, window: MainWindow, files: dict[str, Path]
) -> None:
    """What a double-click does while the window is open: the new process forwards its files here."""
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        window.on_instance_message({"files": [str(files["txt"]), str(files["plain"]), str(files["json"])]})
    assert [o.path for o in blocker.args[0].outcomes] == [files["txt"], files["json"]]
    assert imported_keys(window) == {"pandoc2022json", "zotero2023txt"}
    years = {p.key: p.year for p in window.library.papers.values() if p.key in imported_keys(window)}
    assert years == {"pandoc2022json": 2022, "zotero2023txt": 2023}
