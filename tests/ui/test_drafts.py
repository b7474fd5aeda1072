"""A note the library folder refuses is never lost on quit: kept as a draft, asked about on close, offered
on the next start and restored through the note editor (issue 13, loss 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.services.drafts import DraftStore
from papershelf.ui.dialogs import DraftOfferDialog, UnsavedDraftsDialog
from papershelf.ui.main_window import MainWindow
from tests.helpers.readonly import refusing_writes
from tests.ui.conftest import pid

REAL_CLOSE_QUESTION = UnsavedDraftsDialog.ask  # the tests below answer it; two look at the real one


@pytest.fixture
def asked_on_close(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What the close question listed; it answers "Quit and keep the draft" (a test may answer otherwise)."""
    asked: list[list[str]] = []

    def answer(_cls: type, _parent: QWidget | None, keys: list[str], _problem: str | None = None) -> bool:
        asked.append(list(keys))
        return True

    monkeypatch.setattr(UnsavedDraftsDialog, "ask", classmethod(answer))
    return asked


@pytest.fixture(autouse=True)
def _no_modal_dialogs(asked_on_close: list[list[str]]) -> None:
    """Set up before qtbot, so a window closed at teardown never opens a real modal question."""


def open_window(qtbot: QtBot, folder: Path, settings: QSettings) -> MainWindow:
    win = MainWindow(Library(folder), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def type_note(qtbot: QtBot, win: MainWindow, paper_id: str, text: str) -> None:
    assert win.select_paper(paper_id)
    win.detail.note.selectAll()
    qtbot.keyClicks(win.detail.note, text)


def test_typed_text_survives_a_quit_with_the_folder_refusing_writes_and_is_restored(
    qtbot: QtBot, small_library: Library, settings: QSettings, asked_on_close: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = small_library.folder
    ada = pid(small_library, "ada2020graph")
    small_library.annotate([ada], AnnotationChange(note="The note saved last week"))
    win = open_window(qtbot, folder, settings)
    annotations = (folder / "annotations.json").read_bytes()

    with refusing_writes(folder):
        type_note(qtbot, win, ada, "Words typed while the folder refused writes")
        win.detail.save_note()
        assert win.detail.note_state.text() == "Not saved"
        assert win.close()
        assert asked_on_close == [["ada2020graph"]]
    assert (folder / "annotations.json").read_bytes() == annotations  # nothing on disk changed
    assert Library(folder).annotation(ada).note == "The note saved last week"

    offered: list[tuple[str, str]] = []

    def restore(_cls: type, _parent: QWidget | None, key: str, text: str, _saved_at: str) -> str:
        offered.append((key, text))
        return DraftOfferDialog.RESTORE

    monkeypatch.setattr(DraftOfferDialog, "ask", classmethod(restore))
    again = open_window(qtbot, folder, settings)
    again.offer_drafts()
    assert offered == [("ada2020graph", "Words typed while the folder refused writes")]
    assert again.detail.paper_id == ada
    assert again.detail.note.toPlainText() == "Words typed while the folder refused writes"
    reopened = Library(folder)
    assert reopened.annotation(ada).note == "Words typed while the folder refused writes"
    assert "The note saved last week" in [v.note for v in reopened.note_history(ada)]
    assert DraftStore(folder).drafts() == []  # once saved, the draft is gone
    assert again.close()
    assert asked_on_close == [["ada2020graph"]]  # nothing unsaved: the second close asked nothing


def test_cancel_on_close_keeps_the_window_and_the_text_then_a_later_save_clears_the_draft(
    qtbot: QtBot, small_library: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = small_library.folder
    bob = pid(small_library, "bob2021kernel")
    win = open_window(qtbot, folder, settings)
    with refusing_writes(folder):
        type_note(qtbot, win, bob, "Half a thought")
        win.detail.save_note()
        monkeypatch.setattr(UnsavedDraftsDialog, "ask", classmethod(lambda _cls, *_args: False))
        assert not win.close()
        assert win.isVisible()
        assert win.detail.note.toPlainText() == "Half a thought"
        assert [d.text for d in DraftStore(folder).drafts()] == ["Half a thought"]

    qtbot.keyClicks(win.detail.note, ", finished")
    win.detail.save_note()
    assert win.detail.note_state.text() == "Saved"
    assert Library(folder).annotation(bob).note == "Half a thought, finished"
    assert DraftStore(folder).drafts() == []


def test_the_draft_follows_the_typing_until_quit(
    qtbot: QtBot, small_library: Library, settings: QSettings, asked_on_close: list[list[str]]
) -> None:
    folder = small_library.folder
    cyd = pid(small_library, "cyd2021graph")
    win = open_window(qtbot, folder, settings)
    with refusing_writes(folder):
        type_note(qtbot, win, cyd, "First")
        win.detail.save_note()
        qtbot.keyClicks(win.detail.note, " and last")  # never saved: the close saves (and fails) once more
        assert win.close()
    assert [d.text for d in DraftStore(folder).drafts()] == ["First and last"]
    assert asked_on_close == [["cyd2021graph"]]


@pytest.mark.parametrize(("choice", "left"), [(DraftOfferDialog.DISCARD, []), (None, ["Kept for later"])])
def test_a_draft_discarded_goes_and_one_left_for_later_stays(
    qtbot: QtBot, small_library: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch,
    choice: str | None, left: list[str],
) -> None:
    folder = small_library.folder
    dan = pid(small_library, "dan2019reward")
    small_library.annotate([dan], AnnotationChange(note="Saved note"))
    DraftStore(folder).keep(dan, "dan2019reward", "Kept for later")
    monkeypatch.setattr(DraftOfferDialog, "ask", classmethod(lambda _cls, *_args: choice))
    win = open_window(qtbot, folder, settings)
    win.offer_drafts()
    assert [d.text for d in DraftStore(folder).drafts()] == left
    assert Library(folder).annotation(dan).note == "Saved note"


def test_a_read_only_start_offers_nothing_and_keeps_the_drafts(
    qtbot: QtBot, small_library: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = small_library.folder
    eve = pid(small_library, "eve2022causal")
    DraftStore(folder).keep(eve, "eve2022causal", "Not yet")
    offered: list[str] = []
    monkeypatch.setattr(DraftOfferDialog, "ask", classmethod(lambda _cls, *args: offered.append(args[1])))
    win = MainWindow(Library(folder, read_only=True), settings=settings)
    qtbot.addWidget(win)
    win.offer_drafts()
    assert offered == []
    assert [d.text for d in DraftStore(folder).drafts()] == ["Not yet"]


def _click_when_shown(qtbot: QtBot, label: str, seen: list[str]) -> None:
    """Once the modal box is up, note its buttons and click the one labelled ``label``."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend(button.text().replace("&", "") for button in box.buttons())
        seen.append(box.detailedText())
        matching = [b for b in box.buttons() if b.text().replace("&", "") == label]
        if len(matching) == 1:
            matching[0].click()
        else:
            box.done(-1)  # no such button: close the box anyway, and the test's assertions fail

    QTimer.singleShot(0, click)


@pytest.mark.parametrize(("label", "quits"), [("Quit and keep the draft for next time", True), ("Cancel", False)])
def test_the_close_question_quits_only_when_asked_to(qtbot: QtBot, label: str, quits: bool) -> None:
    seen: list[str] = []
    _click_when_shown(qtbot, label, seen)
    assert REAL_CLOSE_QUESTION(None, ["ada2020graph"]) is quits
    assert {"Quit and keep the draft for next time", "Cancel"} <= set(seen)


@pytest.mark.parametrize(("label", "choice"), [("Restore", DraftOfferDialog.RESTORE),
                                               ("Discard", DraftOfferDialog.DISCARD), ("Later", None)])
def test_the_offer_shows_the_draft_and_returns_the_choice(qtbot: QtBot, label: str, choice: str | None) -> None:
    seen: list[str] = []
    _click_when_shown(qtbot, label, seen)
    assert DraftOfferDialog.ask(None, "ada2020graph", "The draft's words", "2026-12-04T23:00:00+00:00") == choice
    assert {"The draft's words", "Restore", "Discard", "Later"} <= set(seen)
