"""The library window driven like a user would: typing, clicking facets, triage keys, undo, lists, notes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.storage.migrations import ANNOTATIONS_FILE
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.ui import dialogs
from papershelf.ui.main_window import MainWindow
from papershelf.ui.paper_model import COLUMN_NAMES
from papershelf.ui.transfer import dropped_paths


def keys_shown(win: MainWindow) -> list[str]:
    return [win.library.papers[pid].key for pid in win.model.ids()]


def select_rows(win: MainWindow, rows: list[int]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    sel = win.table.selectionModel()
    sel.clearSelection()
    for row in rows:
        sel.select(win.model.index(row, 0),
                   QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    sel.setCurrentIndex(win.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def test_typing_a_query_filters_as_you_type(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.search, "certified robustness")
    assert 0 < window.model.rowCount() < 860
    assert "mueller2021certify" in keys_shown(window)
    qtbot.keyClicks(window.search, " compositional")
    assert keys_shown(window) == ["mueller2021certify"]
    assert window.statusBar().currentMessage().startswith("1 of 860 papers")


def test_query_language_in_the_box_and_diacritics(window: MainWindow) -> None:
    window.search.setText("author:scholkopf track:poster")
    shown = keys_shown(window)
    assert "neitz2021teacher" in shown
    assert all(window.library.paper(k).track == "Poster" for k in shown)
    assert all(any("Schölkopf" in a for a in window.library.paper(k).authors) for k in shown)


def test_invalid_query_shows_hint_and_keeps_last_result(window: MainWindow) -> None:
    window.search.setText("graph")
    before = keys_shown(window)
    window.search.setText('graph "unclosed')
    assert window.hint.isVisibleTo(window)
    assert "quote" in window.hint.text().lower()
    assert keys_shown(window) == before
    window.search.setText("graph")
    assert not window.hint.isVisibleTo(window)


def test_escape_clears_the_search(qtbot: QtBot, window: MainWindow) -> None:
    window.search.setText("graph")
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert window.model.rowCount() == 860


def test_toggling_facets_and_counts(qtbot: QtBot, window: MainWindow) -> None:
    window.update_facet_counts()
    oral = window.sidebar.value_index("track", "Oral")
    assert window.sidebar.count_text("track", "Oral") == "53"
    rect = window.sidebar.visualRect(oral)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.model.rowCount() == 53
    window.update_facet_counts()
    # Counting ignores the facet's own choice, so Poster still shows its number.
    assert window.sidebar.count_text("track", "Poster") == "693"
    window.sidebar.toggle("track", "Spotlight")
    assert window.model.rowCount() == 53 + 114
    window.search.setText("graph")
    assert all(window.library.paper(k).track in ("Oral", "Spotlight") for k in keys_shown(window))
    window.search_panel.clear_filters_button.click()
    assert window.model.rowCount() == 860
    assert window.search.text() == ""
    assert not window.sidebar.has_selection()


def test_triage_keys(qtbot: QtBot, window: MainWindow) -> None:
    window.select_paper(window.model.paper_id(0))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.current_paper_id() == window.model.paper_id(2)
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    first = window.current_paper_id()
    assert first == window.model.paper_id(1)
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    second = window.current_paper_id()
    assert second == window.model.paper_id(2)
    qtbot.keyClick(window.table, Qt.Key.Key_4)
    assert window.library.annotation(second).status == "read"
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.current_paper_id() == first
    qtbot.keyClick(window.table, Qt.Key.Key_2)
    assert window.library.annotation(first).status == "to-read"
    qtbot.keyClick(window.table, Qt.Key.Key_P)
    qtbot.keyClick(window.table, Qt.Key.Key_P)
    assert window.library.annotation(first).priority == 2
    assert window.detail.priority.currentIndex() == 2
    status_col = COLUMN_NAMES.index("status")
    assert window.model.index(1, status_col).data() == "To read"
    qtbot.keyClick(window.table, Qt.Key.Key_T)
    assert window.detail.tags.hasFocus()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert window.detail.note.hasFocus()


def test_bulk_status_is_one_write_and_one_undo_step(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select_rows(window, [0, 1, 2, 5])
    ids = window.selected_ids()
    assert len(ids) == 4
    written: list[str] = []  # every atomic write ends in os.replace onto the file: count those, then do it
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        written.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_3)
    assert [window.library.annotation(pid).status for pid in ids] == ["reading"] * 4
    assert written == [ANNOTATIONS_FILE]
    assert window.controller.undo_stack.count() == 1

    window.undo_action.trigger()
    assert [window.library.annotation(pid).status for pid in ids] == ["new"] * 4
    window.redo_action.trigger()
    assert [window.library.annotation(pid).status for pid in ids] == ["reading"] * 4
    reopened = Library(window.library.folder)
    assert [reopened.annotation(pid).status for pid in ids] == ["reading"] * 4


def test_undo_redo_with_keyboard_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    select_rows(window, [3])
    pid = window.selected_ids()[0]
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_5)
    assert window.library.annotation(pid).status == "skipped"
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.annotation(pid).status == "new"
    qtbot.keyClick(window.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.library.annotation(pid).status == "skipped"


def test_lists_by_context_menu_and_keyboard(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select_rows(window, [0, 1])
    ids = window.selected_ids()
    monkeypatch.setattr(dialogs.ListChooser, "ask", classmethod(lambda cls, parent, names: "Reading group"))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_L)
    assert all(window.library.annotation(pid).lists == ["Reading group"] for pid in ids)

    select_rows(window, [7])
    other = window.selected_ids()[0]
    menu = window.window_actions.show_table_menu(QPoint(5, 5))
    assert menu is not None
    (add_menu,) = [a.menu() for a in menu.actions() if a.text() == "Add to reading list"]
    (action,) = [a for a in add_menu.actions() if a.text() == "Reading group"]
    action.trigger()
    menu.close()
    assert window.library.annotation(other).lists == ["Reading group"]

    window.update_facet_counts()
    assert window.sidebar.count_text("lists", "Reading group") == "3"
    window.sidebar.toggle("lists", "Reading group")
    assert sorted(window.model.ids()) == sorted([*ids, other])


def test_list_management_from_the_sidebar(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = window.model.paper_id(0)
    window.controller.annotate([pid], AnnotationChange(add_lists=("Old name",)), "add")
    monkeypatch.setattr(dialogs.ListNameDialog, "ask", classmethod(lambda cls, *a, **k: "New name"))
    window.window_actions.rename_list("Old name")
    assert window.library.annotation(pid).lists == ["New name"]
    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(lambda cls, *a: True))
    window.window_actions.delete_list("New name")
    assert window.library.annotation(pid).lists == []
    assert window.library.list_names() == []


def test_drop_keys_on_a_list(window: MainWindow) -> None:
    window.controller.create_list("Dropped")
    window.update_facet_counts()
    select_rows(window, [0, 4])
    ids = window.selected_ids()
    mime = window.model.mimeData([window.model.index(0, 0), window.model.index(4, 0)])
    target = window.sidebar.value_index("lists", "Dropped")
    model = window.sidebar.facet_model
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert all(window.library.annotation(pid).lists == ["Dropped"] for pid in ids)


def test_bulk_tags_on_selection(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    select_rows(window, [0, 1, 2])
    ids = window.selected_ids()
    monkeypatch.setattr(dialogs.ListNameDialog, "ask", classmethod(lambda cls, *a, **k: "must-read"))
    window.window_actions.tag_selection()
    assert all(window.library.annotation(pid).tags == ["must-read"] for pid in ids)
    window.window_actions.tag_selection(remove=True)
    assert all(window.library.annotation(pid).tags == [] for pid in ids)


def test_note_typed_in_the_pane_survives_reopening(
    qtbot: QtBot, iclr_library_dir: Path, settings: QSettings
) -> None:
    win = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.search.setText("key:neitz2021teacher")
    win.select_paper(win.library.paper("neitz2021teacher").id)
    win.detail.note.setFocus()
    qtbot.keyClicks(win.detail.note, "Meta-gradients teach the student.")
    win.close()

    again = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.current_paper_id() == again.library.paper("neitz2021teacher").id)
    assert again.search.text() == "key:neitz2021teacher"
    assert again.detail.note.toPlainText() == "Meta-gradients teach the student."


def test_note_autosaves_after_typing_stops(qtbot: QtBot, window: MainWindow) -> None:
    pid = window.model.paper_id(0)
    window.select_paper(pid)
    window.detail.note.setPlainText("Grüße aus Tübingen — notes with ünïcödé")
    assert window.detail.note_dirty
    with qtbot.waitSignal(window.detail.note_saved, timeout=3000):
        pass
    assert Library(window.library.folder).annotation(pid).note == "Grüße aus Tübingen — notes with ünïcödé"


def test_note_saved_when_changing_paper(window: MainWindow) -> None:
    first, second = window.model.paper_id(0), window.model.paper_id(1)
    window.select_paper(first)
    window.detail.note.setPlainText("first note")
    window.select_paper(second)
    assert window.library.annotation(first).note == "first note"
    assert window.detail.note.toPlainText() == ""


def test_remembered_state(qtbot: QtBot, iclr_library_dir: Path, settings: QSettings) -> None:
    win = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(win)
    win.resize(790, 700)  # the offscreen screen is 800 wide; restoreGeometry clamps to it
    win.show()
    win.sidebar.toggle("track", "Oral")
    win.search.setText("learning")
    win.table.setColumnHidden(COLUMN_NAMES.index("authors"), True)
    win.table.sortByColumn(COLUMN_NAMES.index("venue"), Qt.SortOrder.DescendingOrder)
    win.select_paper(win.model.paper_id(2))
    chosen = win.current_paper_id()
    win.splitter.setSizes([200, 300, 280])
    sizes = win.splitter.sizes()
    win.close()

    again = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(again)
    again.show()
    assert again.search.text() == "learning"
    assert again.sidebar.selection() == {"track": frozenset({"Oral"})}
    assert again.table.isColumnHidden(COLUMN_NAMES.index("authors"))
    assert not again.column_actions["authors"].isChecked()
    assert again.table.horizontalHeader().sortIndicatorSection() == COLUMN_NAMES.index("venue")
    assert again.splitter.sizes() == sizes
    qtbot.waitUntil(lambda: again.current_paper_id() == chosen)


def test_filter_that_matches_nothing_shows_a_message(window: MainWindow) -> None:
    window.search.setText("zzzxxyq")
    assert window.table_stack.currentIndex() == 1
    assert "No papers match “zzzxxyq”" in window.empty.text()
    assert window.statusBar().currentMessage().startswith("0 of 860 papers")
    window.empty_page.clear_button.click()
    assert window.table_stack.currentIndex() == 0


def test_empty_library_says_so(qtbot: QtBot, tmp_path: Path, settings: QSettings) -> None:
    win = MainWindow(Library(tmp_path / "empty"), settings=settings)
    qtbot.addWidget(win)
    win.show()
    assert win.table_stack.currentIndex() == 1
    assert "Your library is empty" in win.empty.text()
    assert win.statusBar().currentMessage().startswith("0 of 0 papers")


def test_hostile_text_is_shown_as_text(qtbot: QtBot, tmp_path: Path, settings: QSettings) -> None:
    from papershelf.core.model import Paper

    library = Library(tmp_path / "lib")
    library.import_papers([Paper(
        id="", key="", title='<b>Bold</b> <img src="http://example.org/x.png">',
        authors=["<script>alert(1)</script>"], year=2020,
        abstract="<a href='javascript:alert(1)'>click</a> $x^2$", url="javascript:alert(1)",
    )])
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.select_paper(win.model.paper_id(0))
    assert win.detail.title.text() == '<b>Bold</b> <img src="http://example.org/x.png">'
    assert win.detail.title.textFormat() == Qt.TextFormat.PlainText
    # the math is rendered (x²), the markup around it still shown as text
    assert win.detail.abstract.toPlainText() == "<a href='javascript:alert(1)'>click</a> x²"
    assert "<a " not in win.detail.abstract.toHtml()  # escaped, never a link
    assert win.detail.links.text() == ""  # javascript: URLs never become links
    win.detail.note.setPlainText("<img src='http://example.org/a.png'> **bold**")
    win.detail.preview_toggle.setChecked(True)
    html = win.detail.preview.toHtml()
    assert "<img" not in html
    assert "&lt;img" in html
    assert "bold" in win.detail.preview.toPlainText()


def test_copy_keys(window: MainWindow) -> None:
    select_rows(window, [0, 1])
    window.window_actions.copy_keys()
    keys = [window.library.papers[pid].key for pid in window.selected_ids()]
    assert QApplication.clipboard().text() == ", ".join(keys)


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, window: MainWindow) -> None:
    window.update_facet_counts()
    qtmodeltester.check(window.sidebar.facet_model)
    window.search.setText("graph")
    qtmodeltester.check(window.model)


def _paper_list(path: Path, titles: list[str], junk: bool = False) -> Path:
    body = "".join(
        f"## [{t}](#)\n\n- Ada Lovelace\n- abstract@[open-review\\(Poster\\)](#): About {t}.\n\n" for t in titles
    )
    path.write_text(("stray line\n" if junk else "") + body, encoding="utf-8")
    return path


def test_import_runs_in_background_and_reports(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(dialogs.ImportSummaryDialog, "ask",
                        classmethod(lambda cls, parent, title, text, failed: shown.append((title, text, failed))))
    good = _paper_list(tmp_path / "neurips2030-accepted.md", ["Analytical Engines", "Bernoulli Numbers"])
    bad = _paper_list(tmp_path / "broken.md", ["Notes on Notes"], junk=True)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        window.transfers.import_files([good, bad, tmp_path / "missing.md"])
    report = blocker.args[0]
    assert report.imported == 3
    assert len(window.library) == 863
    assert window.model.rowCount() == 863
    (title, text, failed) = shown[0]
    assert title == "Import finished"
    assert failed
    assert "neurips2030-accepted.md: 2 imported, 0 already present, 0 failed" in text
    assert "broken.md: 1 imported, 0 already present, 1 failed" in text
    assert "line 1: text outside any entry" in text
    assert "missing.md: not imported: no such file" in text
    window.search.setText("title:bernoulli")
    assert [window.library.papers[p].title for p in window.model.ids()] == ["Bernoulli Numbers"]


def test_dropping_files_on_the_window_imports_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    monkeypatch.setattr(dialogs.ImportSummaryDialog, "ask", classmethod(lambda cls, *a: None))
    good = _paper_list(tmp_path / "iclr2030.md", ["Dropped Paper"])
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good)), QUrl.fromLocalFile(str(other))])
    assert dropped_paths(mime) == [good]
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000):
        window.dropEvent(event)
    assert window.library.has_key("lovelace2030dropped")


def test_cancelled_import_imports_nothing_more(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialogs.ImportSummaryDialog, "ask", classmethod(lambda cls, *a: None))
    files = [_paper_list(tmp_path / f"conf{i}2030.md", [f"Paper {i}"]) for i in range(3)]
    job = window.transfers.import_files(files)
    job.cancel()
    with qtbot.waitSignal(window.transfers.import_finished, timeout=10000) as blocker:
        pass
    assert blocker.args[0].cancelled
    assert len(window.library) == 860


def test_a_failed_write_is_shown_and_loses_nothing(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.core.storage.store import AtomicJSONStorage

    pid = window.model.paper_id(0)
    window.select_paper(pid)
    path = window.library.folder / "annotations.json"
    before = path.read_bytes()

    def disk_full(self: AtomicJSONStorage, payload: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AtomicJSONStorage, "atomic_write", disk_full)
    window.detail.note.setPlainText("typed while the disk was full")
    window.detail.save_note()
    assert window.banner.isVisibleTo(window)
    assert "No space left on device" in window.banner.text()
    assert window.detail.note.toPlainText() == "typed while the disk was full"
    assert window.detail.note_state.text() == "Not saved"
    assert path.read_bytes() == before
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_4)
    assert window.library.annotation(pid).status == "new"
    assert window.detail.status.currentData() == "new"

    monkeypatch.undo()
    window.detail.note.setPlainText("typed while the disk was full, saved after")
    window.detail.save_note()
    assert Library(window.library.folder).annotation(pid).note == "typed while the disk was full, saved after"


def test_note_history_keeps_one_version_per_typing_session(window: MainWindow) -> None:
    pid = window.model.paper_id(0)
    window.select_paper(pid)
    for text in ("first", "first draft", "first draft, longer"):
        window.detail.note.setPlainText(text)
        window.detail.save_note()
    window.select_paper(window.model.paper_id(1))  # the session ends with the paper change
    window.select_paper(pid)
    window.detail.note.setPlainText("rewritten")
    window.detail.save_note()
    assert [v.note for v in window.library.note_history(pid)] == ["first draft, longer"]
    window.controller.undo_stack.undo()
    assert window.library.annotation(pid).note == "first draft, longer"


def test_more_like_this_and_recommendations(qtbot: QtBot, window: MainWindow) -> None:
    pid = window.library.paper("mueller2021certify").id
    window.select_paper(pid)
    qtbot.waitUntil(lambda: window.similar_panel.model.rowCount() == 10, timeout=10000)
    first = window.similar_panel.model.index(0, 0)
    window.similar_panel.view.clicked.emit(first)
    assert window.current_paper_id() != pid

    window.controller.annotate([pid], AnnotationChange(status="read", rating=5), "read")
    window.sort_by_recommendation()
    top = [window.model.paper_id(r) for r in range(5)]
    assert pid not in top
    assert all(window.library.annotation(p).status == "new" for p in top)
    similar = {p for p, _ in window.similarity().similar(pid, n=30)}
    assert set(top) & similar


def test_statistics_tab_follows_edits(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(1)
    ids = [window.model.paper_id(r) for r in range(3)]
    window.controller.annotate(ids, AnnotationChange(status="read"), "read")
    window.stats_view.refresh_now()
    assert window.tabs.currentWidget() is window.stats_view
    by_status = {status: sum(row.values()) for status, row in window.stats_view.status_chart.series.items()}
    assert by_status["read"] == 3
    assert by_status["new"] == 857


def test_export_dialog_writes_the_selection(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.ui.export_dialog import ExportDialog

    select_rows(window, [0, 1, 2])
    keys = sorted(window.library.papers[pid].key for pid in window.selected_ids())
    dialog = ExportDialog(window, {"selection": 3, "filter": 860, "all": 860}, [], BibtexOptions())
    assert dialog.scope() == "selection"
    dialog.path.setText(str(tmp_path / "chosen.bib"))
    request = dialog.request()
    monkeypatch.setattr(ExportDialog, "ask", classmethod(lambda cls, *a, **k: request))
    window.transfers.export_dialog()
    text = (tmp_path / "chosen.bib").read_text(encoding="utf-8")
    assert sorted(line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@")) == keys
    assert "Exported 3 papers to chosen.bib" in window.statusBar().currentMessage()


def test_a_reading_list_export_is_kept_updated(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    from papershelf.ui.export_dialog import ExportRequest

    ids = [window.model.paper_id(r) for r in range(2)]
    window.controller.annotate(ids[:1], AnnotationChange(add_lists=("Thesis",)), "add")
    target = tmp_path / "thesis.md"
    assert window.transfers.export(ExportRequest(path=target, fmt="markdown", scope="list", list_name="Thesis",
                                       keep_updated=True))
    first_title = window.library.papers[ids[0]].title
    assert first_title in target.read_text(encoding="utf-8")
    second_title = window.library.papers[ids[1]].title
    window.controller.annotate(ids[1:], AnnotationChange(add_lists=("Thesis",)), "add")
    qtbot.waitUntil(lambda: second_title in target.read_text(encoding="utf-8"), timeout=3000)


def test_export_to_an_unwritable_place_says_why(window: MainWindow, tmp_path: Path) -> None:
    from papershelf.ui.export_dialog import ExportRequest

    bad = tmp_path / "missing-folder" / "out.bib"
    assert not window.transfers.export(ExportRequest(path=bad, fmt="bibtex", scope="all"))
    assert "could not export" in window.banner.text()


def test_shift_l_removes_the_selection_from_a_list(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    select_rows(window, [0, 1])
    ids = window.selected_ids()
    window.controller.annotate(ids, AnnotationChange(add_lists=("A", "B")), "add")
    offered: list[list[str]] = []

    def choose(cls: object, parent: object, names: list[str], remove: bool = False) -> str:
        offered.append(list(names))
        assert remove
        return "A"

    monkeypatch.setattr(dialogs.ListChooser, "ask", classmethod(choose))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert offered == [["A", "B"]]
    assert all(window.library.annotation(pid).lists == ["B"] for pid in ids)


def test_read_only_library_shows_a_banner(qtbot: QtBot, iclr_library_dir: Path, settings: QSettings) -> None:
    win = MainWindow(Library(iclr_library_dir, read_only=True), settings=settings)
    qtbot.addWidget(win)
    win.show()
    assert win.banner.isVisibleTo(win)
    assert "read-only" in win.banner.text()
    win.select_paper(win.model.paper_id(0))
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_4)
    assert win.library.annotation(win.model.paper_id(0)).status == "new"


def test_a_paper_filtered_out_leaves_the_detail_and_more_like_this_panes(qtbot: QtBot, window: MainWindow) -> None:
    window.select_paper(window.library.paper("mueller2021certify").id)
    panel = window.similar_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 10, timeout=10_000)
    window.search.setText("zzzz no paper has this")
    assert window.model.rowCount() == 0
    assert window.current_paper_id() is None
    assert panel.model.rowCount() == 0
    assert "Select a paper" in panel.message.text()


def test_triage_by_keyboard_returns_to_the_table_after_a_tag_or_a_note(qtbot: QtBot, window: MainWindow) -> None:
    """t, a tag, Return, then j/n go on in the table; n, a note, Esc: back in the table, the note saved."""
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    pid = window.current_paper_id() or window.model.paper_id(0)
    window.select_paper(pid)

    qtbot.keyClick(window.table, Qt.Key.Key_T)
    assert window.detail.tags.hasFocus()
    qtbot.keyClicks(window.detail.tags, "gnn")
    qtbot.keyClick(window.detail.tags, Qt.Key.Key_Return)
    assert window.table.hasFocus()
    assert window.library.annotation(pid).tags == ["gnn"]

    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert window.detail.note.hasFocus()
    qtbot.keyClicks(window.detail.note, "Read section 3 first.")
    qtbot.keyClick(window.detail.note, Qt.Key.Key_Escape)
    assert window.table.hasFocus()
    assert window.library.annotation(pid).note == "Read section 3 first."


def test_the_window_title_names_a_library_that_is_not_the_default_one(
    qtbot: QtBot, iclr_library_dir: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.ui.main_window import window_title

    other = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(other)
    assert other.windowTitle() == f"{iclr_library_dir.name} — Papershelf"
    monkeypatch.setenv("PAPERSHELF_HOME", str(iclr_library_dir))
    assert window_title(iclr_library_dir) == "Papershelf"
    assert window_title(iclr_library_dir, read_only=True) == "Papershelf (read-only)"


def test_a_long_url_never_widens_the_detail_pane_and_the_table_keeps_its_room(
    qtbot: QtBot, window: MainWindow
) -> None:
    from papershelf.core.model import Paper
    from papershelf.ui.detail import LINK_CHARS

    url = "https://example.org/" + "very-long-path-segment/" * 20 + "paper.pdf"
    window.library.import_papers([Paper(id="", key="long2021url", title="A paper with a long address",
                                        authors=["Ada Lovelace"], year=2021, url=url, doi="10.1234/" + "x" * 80)])
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    before = window.tabs.width()
    assert before >= 0.55 * window.width()  # the table gets the room by default

    assert window.select_paper(window.library.paper("long2021url").id)
    QApplication.processEvents()
    assert window.tabs.width() == before  # the divider did not move
    links = QTextDocument()
    links.setHtml(window.detail.links.text())
    assert url not in links.toPlainText()  # shown cut ...
    assert len(links.toPlainText()) <= 2 * LINK_CHARS + 10
    assert url in window.detail.links.text()  # (the link itself goes to the whole address)
    shown = QTextDocument()
    shown.setHtml(window.detail.links.toolTip())
    assert url in shown.toPlainText()  # ... in full in the tooltip


def test_the_first_start_shows_the_first_paper_not_an_empty_pane(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.current_paper_id() is not None)
    assert window.current_paper_id() == window.model.paper_id(0)
    assert window.detail.title.text() == window.library.papers[window.model.paper_id(0)].title
