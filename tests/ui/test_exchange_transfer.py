"""RIS and biblatex in the window: the export dialog offers and requests them, and drag and drop takes a
.ris, or a .txt that holds RIS, and imports it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rispy
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.formats.ris import RisOptions
from papershelf.services.exporting import FORMATS, AutoExport
from papershelf.ui import dialogs
from papershelf.ui.export_dialog import ExportDialog, ExportRequest
from papershelf.ui.main_window import MainWindow
from papershelf.ui.transfer import dropped_paths
from tests.conftest import FIXTURES

COUNTS = {"selection": 3, "filter": 40, "all": 860}


def dialog(qtbot: QtBot, last: ExportRequest | None = None) -> ExportDialog:
    widget = ExportDialog(None, COUNTS, ["Group"], BibtexOptions(), None, last)
    qtbot.addWidget(widget)
    return widget


def test_ris_has_its_options_and_suffix(qtbot: QtBot, tmp_path: Path) -> None:
    export = dialog(qtbot)
    export.path.setText(str(tmp_path / "refs.bib"))
    export.fmt.setCurrentIndex(export.fmt.findData("ris"))
    assert export.path.text() == str(tmp_path / "refs.ris")
    assert export.options.currentWidget().isAncestorOf(export.ris_notes)
    export.ris_notes.setChecked(True)
    export.ris_abstract.setChecked(False)
    request = export.request()
    assert (request.fmt, request.ris) == ("ris", RisOptions(abstract=False, tags_as_keywords=True, notes=True))
    assert request.options() == {"abstract": False, "tags_as_keywords": True, "notes": True}
    again = dialog(qtbot, last=request)  # the next export starts from these choices
    assert again.request().ris == request.ris


def test_biblatex_uses_the_bibtex_options(qtbot: QtBot, tmp_path: Path) -> None:
    """biblatex takes the BibTeX page's options (merged-away keys always go out as ``ids``: the biblatex
    export itself sees to it, tested in tests/cli/test_transfer_exchange.py)."""
    export = dialog(qtbot)
    export.path.setText(str(tmp_path / "refs.ris"))
    export.fmt.setCurrentIndex(export.fmt.findData("biblatex"))
    assert export.path.text() == str(tmp_path / "refs.bib")
    assert export.options.currentWidget().isAncestorOf(export.bib_utf8)
    export.bib_utf8.setChecked(True)
    options = export.request().options()
    assert options["ascii"] is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_s_options_page_gives_options_its_export_takes(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path, fmt: str
) -> None:
    """The page shown for a format sets the options the service reads for it (a kept-updated file's tie)."""
    export = dialog(qtbot)
    export.path.setText(str(tmp_path / "refs"))
    export.fmt.setCurrentIndex(export.fmt.findData(fmt))
    page = export.options.currentWidget()
    box = {"ris": export.ris_abstract, "markdown": export.md_abstract}.get(fmt, export.bib_abstract)
    assert page.isAncestorOf(box)
    box.setChecked(not box.isChecked())
    request = export.request()
    auto = AutoExport(Library(iclr_library_dir))
    try:
        tie = auto.tie(request.path, fmt=request.fmt, options=request.options())
    finally:
        auto.close()
    assert tie.options["abstract"] == box.isChecked()
    assert request.path.is_file()


def test_dropping_ris_and_a_txt_that_is_ris_imports_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialogs.ImportSummaryDialog, "ask", classmethod(lambda cls, *a: None))
    ris_file = tmp_path / "ieee.ris"
    shutil.copy(FIXTURES / "ris" / "ieee.ris", ris_file)
    txt = tmp_path / "savedrecs.txt"
    shutil.copy(FIXTURES / "ris" / "wos.ris", txt)
    plain = tmp_path / "todo.txt"
    plain.write_text("read these\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (ris_file, plain, txt)])
    assert dropped_paths(mime) == [ris_file, txt]
    before = len(window.library)
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        window.dropEvent(event)
    assert blocker.args[0].imported == 4
    assert len(window.library) == before + 4
    titles = {p.title for p in window.library.papers.values()}
    assert {"Deep Residual Learning for Image Recognition", "Attention Is All You Need"} <= titles


def test_the_window_exports_ris(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "all.ris"
    request = ExportRequest(path=target, fmt="ris", scope="all")
    assert window.transfers.export(request)
    assert len(rispy.loads(target.read_text(encoding="utf-8"))) == len(window.library)
    assert window.statusBar().currentMessage().startswith(f"Exported {len(window.library)} papers to all.ris")


def test_a_typed_file_name_picks_its_format(qtbot: QtBot) -> None:
    export = dialog(qtbot)
    export.path.setFocus()
    qtbot.keyClicks(export.path, "refs.ris")
    assert export.fmt.currentData() == "ris"
    export.path.selectAll()
    qtbot.keyClicks(export.path, "list.md")
    assert export.fmt.currentData() == "markdown"
    export.fmt.setCurrentIndex(export.fmt.findData("biblatex"))
    assert export.path.text() == "list.bib"
    export.path.selectAll()
    qtbot.keyClicks(export.path, "other.bib")
    assert export.fmt.currentData() == "biblatex"  # a .bib is BibTeX or biblatex: the choice stays


def test_the_window_keeps_a_biblatex_file_updated(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "all.bib"
    request = ExportRequest(path=target, fmt="biblatex", scope="all", keep_updated=True)
    assert window.transfers.export(request)
    (tie,) = window.controller.auto_export.ties
    assert (tie.path, tie.format) == (target, "biblatex")
    assert "  date = {2021}" in target.read_text(encoding="utf-8")
