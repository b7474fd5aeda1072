"""The detail pane on its own: what it shows, and each editor writing through the controller."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import PRIORITIES, STATUSES, Paper
from papershelf.core.names import from_text
from papershelf.services.links import doi_url
from papershelf.ui.app_controller import AppController
from papershelf.ui.detail import DetailPane, doi_link, safe_link
from tests.ui.conftest import pid


def pane(qtbot: QtBot, controller: AppController, key: str | None = "ada2020graph") -> DetailPane:
    detail = DetailPane(controller)
    qtbot.addWidget(detail)
    detail.resize(420, 700)
    detail.show()
    if key is not None:
        detail.show_paper(pid(controller.library, key))
    return detail


def test_without_a_paper_it_says_what_to_do(qtbot: QtBot, controller: AppController) -> None:
    detail = pane(qtbot, controller, key=None)
    assert detail.stack.currentWidget() is detail.placeholder
    assert "Select a paper" in detail.placeholder.text()


def test_a_paper_is_shown_with_its_annotation(qtbot: QtBot, controller: AppController) -> None:
    library = controller.library
    controller.annotate([pid(library, "ada2020graph")],
                        AnnotationChange(status="reading", add_tags=("gnn",), note="Read section 3"), "setup")
    detail = pane(qtbot, controller)
    assert detail.stack.currentWidget() is detail.body
    assert detail.title.text() == "Graph neural networks for molecules"
    assert detail.authors.text() == "Ada Lovelace"
    assert detail.meta.text() == "Test · 2020 · Oral"
    assert detail.key.text() == "ada2020graph"
    assert detail.abstract.toPlainText() == "We study graph neural networks for molecules."
    assert STATUSES[detail.status.currentIndex()] == "reading"
    assert detail.tags.text() == "gnn"
    assert detail.note.toPlainText() == "Read section 3"


def test_status_priority_and_rating_choices_are_saved_as_undo_steps(
    qtbot: QtBot, controller: AppController
) -> None:
    detail = pane(qtbot, controller)
    ada = pid(controller.library, "ada2020graph")
    with qtbot.waitSignal(controller.annotations_changed):
        detail.status.activated.emit(STATUSES.index("read"))  # what choosing an item in the box sends
    detail.priority.activated.emit(PRIORITIES.index("high"))
    detail.rating.activated.emit(4)
    saved = Library(controller.library.folder).annotation(ada)
    assert (saved.status, PRIORITIES[saved.priority], saved.rating) == ("read", "high", 4)
    assert controller.undo_stack.count() == 3


def test_tags_and_lists_typed_then_enter(qtbot: QtBot, controller: AppController) -> None:
    detail = pane(qtbot, controller)
    ada = pid(controller.library, "ada2020graph")
    qtbot.keyClicks(detail.tags, "gnn, chemistry")
    qtbot.keyClick(detail.tags, Qt.Key.Key_Return)
    qtbot.keyClicks(detail.lists, "Reading group")
    qtbot.keyClick(detail.lists, Qt.Key.Key_Return)
    annotation = controller.library.annotation(ada)
    assert annotation.tags == ["gnn", "chemistry"]
    assert annotation.lists == ["Reading group"]
    detail.tags.setText("chemistry")
    qtbot.keyClick(detail.tags, Qt.Key.Key_Return)
    assert controller.library.annotation(ada).tags == ["chemistry"]


def test_a_note_saves_itself_shortly_after_typing(qtbot: QtBot, controller: AppController) -> None:
    detail = pane(qtbot, controller)
    ada = pid(controller.library, "ada2020graph")
    with qtbot.waitSignal(detail.note_saved, timeout=5000) as saved:
        qtbot.keyClicks(detail.note, "A first thought")
        assert detail.note_dirty
    assert saved.args == [ada]
    assert not detail.note_dirty
    assert detail.note_state.text() == "Saved"
    assert Library(controller.library.folder).annotation(ada).note == "A first thought"


def test_a_note_that_cannot_be_saved_stays_in_the_editor(qtbot: QtBot, small_library: Library) -> None:
    controller = AppController(Library(small_library.folder, read_only=True))
    detail = pane(qtbot, controller)
    detail.note.setPlainText("Precious words")
    with qtbot.waitSignal(controller.error):
        detail.save_note()
    assert detail.note.toPlainText() == "Precious words"
    assert detail.note_dirty
    assert detail.note_state.text() == "Not saved"


def test_an_edit_made_elsewhere_is_shown(qtbot: QtBot, controller: AppController) -> None:
    detail = pane(qtbot, controller)
    ada = pid(controller.library, "ada2020graph")
    controller.set_status([ada], "skipped")
    assert STATUSES[detail.status.currentIndex()] == "skipped"
    controller.annotate([ada], AnnotationChange(note="From the notes file"), "sync")
    assert detail.note.toPlainText() == "From the notes file"


def test_without_a_conflict_there_is_nothing_to_resolve(qtbot: QtBot, controller: AppController) -> None:
    detail = pane(qtbot, controller)
    assert not detail.conflict.isVisibleTo(detail)
    assert set(detail.conflict_buttons) == {"app", "file", "merge"}


def test_only_web_links_are_links(qtbot: QtBot, controller: AppController) -> None:
    assert safe_link("javascript:alert(1)") == ""
    assert safe_link("file:///etc/passwd") == ""
    assert safe_link('https://x.org/?a="b"') == '<a href="https://x.org/?a=&quot;b&quot;">https://x.org/?a=&quot;b&quot;</a>'
    assert doi_link("10.1/a b") == '<a href="https://doi.org/10.1/a%20b">doi:10.1/a b</a>'
    # The pane's DOI address is the one the link buttons open, whatever the DOI holds.
    for doi in ("10.1/a b", " 10.1002/(SICI)1097-4571<3::AID>2.0.CO;2-#\"&", "10.48550/arXiv.2101.00001"):
        assert doi_link(doi).startswith(f'<a href="{html.escape(doi_url(doi), quote=True)}">')
    controller.library.import_papers([Paper(id="", key="evil2024", title="Evil", url="javascript:alert(1)")])
    detail = pane(qtbot, controller, key="evil2024")
    assert detail.links.text() == ""


def test_names_are_split_on_commas() -> None:
    assert from_text(" gnn ,, chemistry , gnn") == ["gnn", "chemistry"]
