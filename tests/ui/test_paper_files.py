"""Opening papers and their files from the window: links, the ``o`` key, attach, drop, rename, detach.

What the system would open is caught with Qt's own hook, ``QDesktopServices.setUrlHandler``: no browser or
PDF viewer starts, and the URL is the one ``QDesktopServices.openUrl`` was given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.services import attachments
from papershelf.ui import paper_files
from papershelf.ui.app_controller import AppController
from papershelf.ui.detail import DetailPane
from papershelf.ui.main_window import MainWindow
from tests.helpers.pdfs import Page, split, typeset
from tests.ui.conftest import Opened, pid

KEY = "mueller2021certify"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    book = typeset([Page("Certify or Predict", ["M. Mueller"], "Robustness."),
                    Page("Graph neural networks for molecules", ["Ada Lovelace"], "Molecules.")], folder)
    return split(book, ["certify.pdf", "graphs.pdf"], folder / "one-page")


def drop(target: QObject, paths: list[Path], pos: QPointF | None = None) -> None:
    """Drag local files over ``target`` and drop them, as Qt delivers a drag and drop."""
    pos = pos or QPointF(5, 5)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for event in (QDragEnterEvent(pos.toPoint(), *args), QDragMoveEvent(pos.toPoint(), *args), QDropEvent(pos, *args)):
        QApplication.sendEvent(target, event)


def pane(qtbot: QtBot, controller: AppController, key: str) -> DetailPane:
    detail = DetailPane(controller)
    qtbot.addWidget(detail)
    detail.resize(420, 800)
    detail.show()
    detail.show_paper(pid(controller.library, key))
    return detail


def test_a_paper_without_links_offers_title_searches_that_open_in_the_browser(
    qtbot: QtBot, controller: AppController, opened: Opened
) -> None:
    files = pane(qtbot, controller, "ada2020graph").paper_files
    assert files.links.text().startswith("Find it: ")
    for label in ("arXiv search", "Semantic Scholar", "Google Scholar"):
        assert f">{label}</a>" in files.links.text()
    href = files.links.text().split('href="', 1)[1].split('"', 1)[0]
    files.links.linkActivated.emit(href)
    assert [u.host() for u in opened.urls] == ["arxiv.org"]
    assert QUrl(opened.urls[0]).query().count("Graph") == 1
    assert not files.files.isVisibleTo(files)  # no files: no empty list
    assert not files.open_button.isEnabled()


def test_attach_open_show_rename_and_detach_through_the_pane(
    qtbot: QtBot, controller: AppController, opened: Opened, pdfs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    library = controller.library
    files = pane(qtbot, controller, "ada2020graph").paper_files
    monkeypatch.setattr(paper_files.AttachFileDialog, "ask", classmethod(lambda cls, parent: [pdfs[1]]))
    files.attach_button.click()
    copy = library.folder / "files" / "ada2020graph" / "graphs.pdf"
    assert copy.is_file()
    assert files.notice.text() == "Attached 1 file to ada2020graph"
    assert [files.files.item(n).text() for n in range(files.files.count())] == ["graphs.pdf"]
    files.open_button.click()
    files.folder_action.trigger()
    assert [u.toLocalFile() for u in opened.urls] == [str(copy), str(copy.parent)]
    monkeypatch.setattr(paper_files.RenameFileDialog, "ask", classmethod(lambda cls, parent, name: "Lovelace 2020"))
    files.rename_action.trigger()
    assert files.files.item(0).text() == "Lovelace 2020.pdf"
    assert (copy.parent / "Lovelace 2020.pdf").is_file()
    files.detach_action.trigger()
    assert files.files.count() == 0
    assert "the copy is kept in" in files.notice.text()
    assert len(list((library.folder / "trash" / "files" / "ada2020graph").iterdir())) == 1
    files.link_action.trigger()  # the same file, linked where it is this time
    assert files.files.item(0).text() == "graphs.pdf (link)"
    files.detach_action.trigger()
    assert pdfs[1].is_file()  # a linked file is never touched


def test_a_pdf_dropped_on_the_pane_is_attached_and_a_missing_file_is_shown_missing(
    qtbot: QtBot, controller: AppController, pdfs: list[Path], tmp_path: Path
) -> None:
    library = controller.library
    detail = pane(qtbot, controller, "bob2021kernel")
    gone = tmp_path / "gone.pdf"
    gone.write_bytes(pdfs[0].read_bytes())
    attachments.attach(library, pid(library, "bob2021kernel"), gone, link=True)
    gone.unlink()
    drop(detail.paper_files, [pdfs[0]])
    texts = [detail.paper_files.files.item(n).text() for n in range(detail.paper_files.files.count())]
    assert texts == ["gone.pdf (link) — missing", "certify.pdf"]
    detail.paper_files.files.setCurrentRow(0)
    assert not detail.paper_files.open_button.isEnabled()  # nothing to open; detaching the link still works
    assert detail.paper_files.detach_action.isEnabled()


@pytest.fixture
def window(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path) -> MainWindow:
    win = MainWindow(Library(iclr_library_dir), settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_o_opens_the_attached_pdf_or_else_the_best_link(
    qtbot: QtBot, window: MainWindow, opened: Opened, pdfs: list[Path]
) -> None:
    paper_id = window.library.paper(KEY).id
    assert window.select_paper(paper_id)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    assert [u.host() for u in opened.urls] == ["openreview.net"]  # an ICLR paper: searched on OpenReview
    assert "in your browser" in window.statusBar().currentMessage()
    attachments.attach(window.library, paper_id, pdfs[0])
    qtbot.keyClick(window.table, Qt.Key.Key_O)
    assert opened.urls[-1].toLocalFile() == str(window.library.folder / "files" / KEY / "certify.pdf")
    menu = window.window_actions.table_menu([paper_id])
    texts = [a.text() for a in menu.actions()]
    assert texts[texts.index("Open") + 1] == "Attach file…"


def test_a_pdf_dropped_on_a_row_is_attached_to_that_row_s_paper(
    qtbot: QtBot, window: MainWindow, pdfs: list[Path]
) -> None:
    row = 3
    paper_id = window.model.paper_id(row)
    rect = window.table.visualRect(window.model.index(row, 1))
    drop(window.table.viewport(), [pdfs[1]], QPointF(rect.center()))
    names = [a.name for a in attachments.attachments(window.library, paper_id)]
    assert names == ["graphs.pdf"]
    assert window.statusBar().currentMessage().startswith("Attached 1 file to ")
    assert attachments.papers_with_files(window.library) == [paper_id]


def test_file_export_with_files_writes_the_attached_pdf_in_the_file_field_and_is_remembered(
    window: MainWindow, pdfs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.formats import filefield
    from papershelf.ui.export_dialog import ExportDialog

    attachments.attach(window.library, window.library.paper(KEY).id, pdfs[0])
    target = window.library.folder / "refs.bib"  # the PDF is inside its folder: a relative path
    offered: list[bool] = []

    def choose(self: ExportDialog) -> int:
        offered.append(self.bib_files.isChecked())
        self.scope_buttons["all"].setChecked(True)
        self.path.setText(str(target))
        self.bib_files.setChecked(True)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ExportDialog, "exec", choose)
    window.transfers.export_dialog()
    text = target.read_text(encoding="utf-8")
    entry = text[text.index(f"{{{KEY},"):]
    value = entry.split("file = {", 1)[1].split("}", 1)[0]
    (parsed,), problems = filefield.parse(value)
    assert problems == []
    assert parsed.path == f"files/{KEY}/certify.pdf"
    assert text.count("file = {") == 1  # only the paper with a file has the field
    window.transfers.export_dialog()
    assert offered == [False, True]  # the next export starts with the box as it was left


def test_on_start_a_missing_file_is_shown_missing_without_a_dialog_and_an_encrypted_pdf_opens(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path, opened: Opened, pdfs: list[Path]
) -> None:
    from tests.helpers.pdfs import encrypted_copy

    library = Library(iclr_library_dir)
    gone = tmp_path / "gone.pdf"
    gone.write_bytes(pdfs[0].read_bytes())
    attachments.attach(library, library.paper(KEY).id, gone, link=True)
    gone.unlink()  # moved away while Papershelf was closed
    other = "neitz2021teacher"
    locked = attachments.attach(library, library.paper(other).id, encrypted_copy(pdfs[1], tmp_path / "locked.pdf"))
    assert "encrypted" in locked.note
    win = MainWindow(Library(iclr_library_dir), settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.window_actions.fulltext_job.finished, timeout=30_000):
        win.show()  # the encrypted PDF's text is looked at, and is not there to read
    qtbot.waitExposed(win)
    assert QApplication.activeModalWidget() is None
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()] == []
    assert win.select_paper(win.library.paper(KEY).id)
    files = win.detail.paper_files.files
    assert [files.item(n).text() for n in range(files.count())] == ["gone.pdf (link) — missing"]
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_O)
    assert [u.host() for u in opened.urls] == ["openreview.net"]  # the missing file is passed over
    assert win.select_paper(win.library.paper(other).id)
    qtbot.keyClick(win.table, Qt.Key.Key_O)
    assert opened.urls[-1].toLocalFile() == str(win.library.folder / locked.attachment.path)
    assert QApplication.activeModalWidget() is None
