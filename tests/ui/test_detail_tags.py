"""The detail pane's tag and list editors spell names by the library's one rule (core/names)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.ui.controller import LibraryController
from papershelf.ui.detail import DetailPane


def test_tags_and_lists_typed_with_extra_spaces_are_the_names_in_use(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    first, second = library.ids_for_keys(["mueller2021certify", "katzir2021net"])
    library.annotate([first], AnnotationChange(add_tags=("deep learning",), add_lists=("Reading group",)))
    pane = DetailPane(LibraryController(library))
    qtbot.addWidget(pane)
    pane.show_paper(second)

    pane.tags.setText("Deep  learning,  RL ,, rl")
    pane.tags.editingFinished.emit()
    pane.lists.setText(" reading   group ")
    pane.lists.editingFinished.emit()

    assert library.annotation(second).tags == ["deep learning", "RL"]
    assert library.annotation(second).lists == ["Reading group"]
    assert library.tag_counts() == {"deep learning": 2, "RL": 1}
    pane.show_paper(second)
    assert pane.tags.text() == "deep learning, RL"
