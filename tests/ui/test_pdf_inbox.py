"""The watched folder in the window: PDFs arriving there are matched in a worker and attached; the
unsure ones are picked in the Unmatched PDFs dialog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.events import AnnotationsChanged
from papershelf.core.library import Library
from papershelf.services import attachments, pdfinbox
from papershelf.ui import pdf_inbox
from papershelf.ui.main_window import MainWindow
from papershelf.ui.paper_model import ORDER_FILE
from papershelf.ui.pdf_inbox import PdfInboxWatcher, UnmatchedPdfsDialog
from tests.helpers.pdfs import Page, catalogue_papers, split, typeset

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PDFs of ICLR papers 0-3 (paper 2 with other authors: unsure), by file name."""
    papers = catalogue_papers()
    folder = tmp_path_factory.mktemp("made")
    pages = [Page(p.title, p.authors if n != 2 else ["Nobody Known"], p.abstract) for n, p in enumerate(papers[:4])]
    names = [f"paper{n}.pdf" for n in range(4)]
    return dict(zip(names, split(typeset(pages, folder), names, folder / "one"), strict=True))


def key_of(library: Library, n: int) -> str:
    title = catalogue_papers()[n].title
    return next(p.key for p in library.papers.values() if p.title == title)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    return folder


def test_pdfs_already_there_and_arriving_later_are_attached(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    pdfinbox.set_watched_folder(library, downloads)
    shutil.copy(pdfs["paper0.pdf"], downloads)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    inbox = window.window_actions.pdf_inbox
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as first:
        window.show()
    assert first.args[0].attached == [(downloads / "paper0.pdf", key_of(library, 0))]
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as later:
        shutil.copy(pdfs["paper1.pdf"], downloads)  # the watcher notices the folder change
        shutil.copy(pdfs["paper2.pdf"], downloads)
    report = later.args[0]
    assert report.attached == [(downloads / "paper1.pdf", key_of(library, 1))]
    assert report.unmatched == [downloads / "paper2.pdf"]
    assert "1 PDF not matched" in window.statusBar().currentMessage()
    assert [a.name for a in attachments.attachments(library, library.paper(key_of(library, 1)).id)] == ["paper1.pdf"]


def test_a_cancelled_look_leaves_the_unread_pdfs_for_the_next(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path]
) -> None:
    library = Library(iclr_library_dir)
    for path in pdfs.values():
        shutil.copy(path, downloads)
    pdfinbox.set_watched_folder(library, downloads)
    inbox = PdfInboxWatcher(library)
    inbox.timer.stop()
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as done:
        inbox.look()
        inbox.cancel()
    report = done.args[0]
    looked_at = {p for p, _key in report.attached} | set(report.unmatched)
    left = set(pdfinbox.new_pdfs(library, downloads))
    assert looked_at | left == {downloads / name for name in pdfs}
    assert not looked_at & left
    inbox.stop()


def test_a_look_asked_for_while_one_runs_comes_after_it(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path]
) -> None:
    """A PDF that arrives while the worker reads the others is looked at by the run that follows."""
    library = Library(iclr_library_dir)
    shutil.copy(pdfs["paper0.pdf"], downloads)
    pdfinbox.set_watched_folder(library, downloads)
    inbox = PdfInboxWatcher(library)
    inbox.timer.stop()
    inbox.watcher.removePaths(inbox.watcher.directories())  # only the asked-for look may start the timer
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as first:
        inbox.look()
        assert inbox.busy
        shutil.copy(pdfs["paper1.pdf"], downloads)
        inbox.look()  # busy: asked again, not started
    assert [p.name for p, _key in first.args[0].attached] == ["paper0.pdf"]
    assert inbox.timer.isActive()  # the second look waits for the pause after the first
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as second:
        pass
    assert [p.name for p, _key in second.args[0].attached] == ["paper1.pdf"]
    assert not inbox.busy
    inbox.stop()


def test_the_unmatched_dialog_attaches_to_the_chosen_paper_or_dismisses(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    pdfinbox.set_watched_folder(library, downloads)
    unsure = Path(shutil.copy(pdfs["paper2.pdf"], downloads))
    other = Path(shutil.copy(pdfs["paper3.pdf"], downloads / "other.pdf"))
    from papershelf.services.pdfmatch import match_folder

    results = match_folder(library, [unsure, other])
    results[1].paper_id = None  # taken as unsure (as a title without its authors would be): both are listed
    pdfinbox.settle(library, results)
    dialog = UnmatchedPdfsDialog(library)
    qtbot.addWidget(dialog)
    assert [dialog.files.item(n).text() for n in range(dialog.files.count())] == ["other.pdf", "paper2.pdf"]
    dialog.files.setCurrentRow(1)
    assert key_of(library, 2) in dialog.candidates.item(0).text()  # the title's paper is offered first
    dialog.attach_button.click()
    assert dialog.status.text() == f"Attached paper2.pdf to {key_of(library, 2)}"
    dialog.key.setText("nosuchkey")
    dialog.attach_button.click()
    assert dialog.status.text() == "No paper has the citation key 'nosuchkey'"
    dialog.dismiss_button.click()
    assert dialog.files.count() == 0
    assert pdfinbox.unmatched(library) == []
    assert other.is_file()  # dismissing never touches the file


def test_choosing_the_folder_from_the_menu(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(Library(iclr_library_dir),
                        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    monkeypatch.setattr(pdf_inbox.WatchFolderDialog, "ask", classmethod(lambda cls, parent, f, m: (downloads, True)))
    window.window_actions.watch_action.trigger()
    assert pdfinbox.watched_folder(window.library) == downloads.resolve()
    assert pdfinbox.moves_matched(window.library)
    assert window.window_actions.pdf_inbox.watcher.directories() == [str(downloads.resolve())]
    monkeypatch.setattr(pdf_inbox.WatchFolderDialog, "ask", classmethod(lambda cls, parent, f, m: (None, False)))
    window.window_actions.watch_action.trigger()
    assert window.window_actions.pdf_inbox.watcher.directories() == []


def test_attached_pdfs_are_read_in_the_background_and_searched_with_fulltext(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    key = key_of(library, 5)
    book = typeset([Page("Some title", ["Some One"], "The zebrafinch manoeuvre is ablated here.")], tmp_path, "z")
    attachments.attach(library, library.paper(key).id, book)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    job = window.window_actions.fulltext_job
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as read:
        window.show()
    assert read.args == [1]
    assert job.full.word_list_ready  # built in the worker too: the first fulltext: query does not wait
    qtbot.keyClicks(window.search, 'text:"zebrafinch manoeuvre"')
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=WAIT_MS)
    assert window.model.paper_id(0) == library.paper(key).id
    window.select_paper(library.paper(key).id)
    snippet = window.detail.paper_files.snippet
    qtbot.waitUntil(snippet.isVisible)
    assert "zebrafinch manoeuvre" in snippet.text()
    assert snippet.text().startswith("In the PDF: ")
    window.search.setText("zebrafinch")  # a plain word: the record only ...
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=WAIT_MS)
    window.window_actions.search_pdf_text.setChecked(True)  # ... unless the PDFs' text is searched too
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=WAIT_MS)
    assert window.settings.value("search/fulltext") == "true"
    window.select_paper(library.paper(key).id)
    qtbot.waitUntil(snippet.isVisible)  # the plain word found in the PDF is shown there too
    assert "zebrafinch" in snippet.text()
    window.window_actions.search_pdf_text.setChecked(False)
    assert not snippet.isVisible()


def test_reading_pdf_text_can_be_cancelled_and_is_not_started_again_until_the_next_start(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    papers = catalogue_papers()[:40]
    names = [f"text{n}.pdf" for n in range(40)]
    made = split(typeset([Page(p.title, p.authors, p.abstract) for p in papers], tmp_path, "many"), names,
                 tmp_path / "many")
    for paper, path in zip(papers, made, strict=True):
        key = next(p.key for p in library.papers.values() if p.title == paper.title)
        attachments.attach(library, library.paper(key).id, path, link=True)
    job = pdf_inbox.FullTextJob(library)
    unread: list[int] = []
    read: list[int] = []
    job.cancelled.connect(unread.append)
    job.finished.connect(read.append)
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS):
        job.start()
        job.cancel()  # the Cancel button in the status bar
    (left,) = unread
    assert left > 0
    assert read[0] + left == 40  # each file read once or left, none lost
    assert len(job.full.stale()) == left  # what was read is kept in fulltext.cache
    job.start()  # a change in the library (its files' text was put) does not start them again
    assert not job.busy
    newer = typeset([Page("A new one", ["Some One"], "The okapi gambit.")], tmp_path, "new")
    attachments.attach(library, library.paper(key_of(library, 50)).id, newer)
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as again:
        job.start()
    assert again.args == [1]  # a file attached after the Cancel is read
    job.stop()
    later = pdf_inbox.FullTextJob(library)  # the window's next start
    with qtbot.waitSignal(later.finished, timeout=WAIT_MS) as rest:
        later.start()
    assert rest.args == [left]
    assert job.full.stale() == []
    later.stop()


def test_a_pdf_of_a_paper_in_the_trash_waits_with_the_paper_offered_as_in_the_trash(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path]
) -> None:
    library = Library(iclr_library_dir)
    trashed = library.paper(key_of(library, 0)).id
    library.trash([trashed])
    pdfinbox.set_watched_folder(library, downloads)
    shutil.copy(pdfs["paper0.pdf"], downloads)
    inbox = PdfInboxWatcher(library)
    inbox.timer.stop()
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as done:
        inbox.look()
    assert done.args[0].attached == []
    assert attachments.attachments(library, trashed) == []
    dialog = UnmatchedPdfsDialog(library)
    qtbot.addWidget(dialog)
    dialog.files.setCurrentRow(0)
    assert f"{key_of(library, 0)} (in the Trash)" in dialog.candidates.item(0).text()
    inbox.stop()


def on_window_thread() -> bool:
    return QThread.currentThread() == QApplication.instance().thread()


def test_matched_pdfs_are_attached_and_pdf_text_kept_on_the_window_thread(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path]
) -> None:
    """The Library is not thread-safe: the PDFs are read in the worker, but the attach (and the keeping of
    their text) happens on the window's thread, as the library's own change events show."""
    library = Library(iclr_library_dir)
    changes: list[tuple[frozenset[str], bool]] = []
    library.events.connect(AnnotationsChanged, lambda event: changes.append((event.fields, on_window_thread())))
    pdfinbox.set_watched_folder(library, downloads)
    shutil.copy(pdfs["paper0.pdf"], downloads)
    inbox = PdfInboxWatcher(library)
    inbox.timer.stop()
    with qtbot.waitSignal(inbox.finished, timeout=WAIT_MS) as done:
        inbox.look()
    assert done.args[0].attached == [(downloads / "paper0.pdf", key_of(library, 0))]
    attached = [on_gui for fields, on_gui in changes if attachments.FILES_EVENT_FIELD in fields]
    assert attached
    assert all(attached)
    changes.clear()
    job = pdf_inbox.FullTextJob(library)
    job.timer.stop()
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as read:
        job.start()
    assert read.args == [1]
    assert [on_gui for fields, on_gui in changes if attachments.FILES_EVENT_FIELD in fields] == [True]
    assert job.full.word_list_ready  # built in the worker, adopted on the window's thread
    inbox.stop()
    job.stop()


def library_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_closing_the_window_while_pdfs_are_read_joins_the_workers_and_writes_nothing_after(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    pdfinbox.set_watched_folder(library, downloads)
    for path in pdfs.values():
        shutil.copy(path, downloads)
    book = typeset([Page("Some title", ["Some One"], "The zebrafinch manoeuvre.")], tmp_path, "z")
    attachments.attach(library, library.paper(key_of(library, 5)).id, book, link=True)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    inbox, reading = window.window_actions.pdf_inbox, window.window_actions.fulltext_job
    inbox.timer.stop()
    reading.timer.stop()
    window.show()
    before = library_files(iclr_library_dir)
    reports: list[object] = []
    inbox.finished.connect(reports.append)
    reading.finished.connect(reports.append)
    inbox.look()
    reading.start()
    threads = [inbox.job.worker_thread, reading.job.worker_thread]
    assert inbox.busy
    assert reading.busy
    window.close()  # before anything the workers read came back
    assert not inbox.busy
    assert not reading.busy
    assert inbox.watcher.directories() == []  # a PDF arriving now starts nothing
    assert all(thread is not None and thread.isFinished() for thread in threads)
    QCoreApplication.sendPostedEvents()  # what the workers sent before they were stopped
    QCoreApplication.processEvents()
    assert reports == []
    after = library_files(iclr_library_dir)
    after.pop(ORDER_FILE)  # the table's order, which the window keeps at close (not the workers' doing)
    assert {name: data for name, data in after.items() if before.get(name) != data} == {}
    assert sorted(pdfinbox.new_pdfs(library, downloads)) == sorted(downloads / name for name in pdfs)
    assert reading.full.stale() == [book]  # read again at the next start
    assert sorted(p.name for p in downloads.iterdir()) == sorted(pdfs)


class RefusesToClose(QWidget):
    """A window that stays open when asked to close (as the main window does when notes could not be saved)."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


@pytest.mark.parametrize("refuses", [False, True])
def test_a_closed_window_stops_watching_and_one_that_refused_watches_again(
    qtbot: QtBot, iclr_library_dir: Path, downloads: Path, refuses: bool
) -> None:
    library = Library(iclr_library_dir)
    pdfinbox.set_watched_folder(library, downloads)
    window = RefusesToClose() if refuses else QWidget()
    qtbot.addWidget(window)
    window.show()
    inbox = PdfInboxWatcher(library)
    window.installEventFilter(inbox)
    inbox.timer.stop()
    window.close()
    decided: list[int] = []
    QTimer.singleShot(0, lambda: decided.append(1))  # after the watcher's own look at the window
    qtbot.waitUntil(lambda: bool(decided), timeout=WAIT_MS)
    assert inbox.watcher.directories() == ([str(downloads.resolve())] if refuses else [])
    assert inbox.timer.isActive() == refuses  # what arrived meanwhile is looked at
    inbox.stop()
