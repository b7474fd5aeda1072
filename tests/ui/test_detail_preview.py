"""The note preview: a long note opens at once with its first part and a working "Show all"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange
from papershelf.ui.app_controller import AppController
from papershelf.ui.detail import PREVIEW_CHARS, PREVIEW_COST, DetailPane, preview_part
from tests.ui.conftest import pid


def paragraphs(count: int) -> str:
    return "\n\n".join(f"Paragraph {n}: the method is **sound** and the ablation is convincing." for n in range(count))


def table(rows: int, columns: int = 3) -> str:
    header = "|" + "|".join(f" h{c} " for c in range(columns)) + "|\n|" + "---|" * columns
    return header + "".join("\n|" + "|".join(f" row{r}col{c} " for c in range(columns)) + "|" for r in range(rows))


def previewing(qtbot: QtBot, controller: AppController, note: str) -> DetailPane:
    ada = pid(controller.library, "ada2020graph")
    controller.annotate([ada], AnnotationChange(note=note), "setup")
    detail = DetailPane(controller)
    qtbot.addWidget(detail)
    detail.resize(420, 700)
    detail.show()
    detail.show_paper(ada)
    detail.preview_toggle.setChecked(True)
    return detail


def test_a_long_note_previews_its_first_part_and_show_all_shows_the_rest(
    qtbot: QtBot, controller: AppController
) -> None:
    note = paragraphs(20_000) + "\n\nThe last words of the note."  # ~1.4 MB
    detail = previewing(qtbot, controller, note)
    shown = detail.preview.toPlainText()
    assert "Paragraph 0: the method is sound" in shown  # rendered as Markdown (no asterisks)
    assert "The last words of the note." not in shown
    assert len(shown) <= PREVIEW_CHARS
    assert detail.preview_is_part
    assert detail.preview_all.isVisible()
    assert "Showing the first" in detail.preview_part_label.text()
    assert f"of {len(note) / 1e6:.1f}M characters" in detail.preview_part_label.text()

    qtbot.mouseClick(detail.preview_all, Qt.MouseButton.LeftButton)
    whole = detail.preview.toPlainText()
    assert "The last words of the note." in whole
    assert whole.count("Paragraph ") == 20_000
    assert not detail.preview_is_part
    assert not detail.preview_all.isVisible()


def test_a_long_table_is_previewed_in_part_by_its_cells(qtbot: QtBot, controller: AppController) -> None:
    note = table(2_000, columns=8)  # ~330k characters, 16,000 cells: tens of seconds to lay out at once
    detail = previewing(qtbot, controller, note)
    shown = detail.preview.toPlainText()
    assert "row0col0" in shown
    assert "row1999col7" not in shown
    assert detail.preview_is_part
    qtbot.mouseClick(detail.preview_all, Qt.MouseButton.LeftButton)
    assert "row1999col7" in detail.preview.toPlainText()


def test_a_short_note_is_previewed_whole_without_show_all(qtbot: QtBot, controller: AppController) -> None:
    detail = previewing(qtbot, controller, paragraphs(3) + "\n\n" + table(5))
    assert "Paragraph 2" in detail.preview.toPlainText()
    assert "row4col2" in detail.preview.toPlainText()
    assert not detail.preview_is_part
    assert not detail.preview_all.isVisible()


def test_show_all_goes_when_a_shorter_note_is_previewed(qtbot: QtBot, controller: AppController) -> None:
    detail = previewing(qtbot, controller, paragraphs(5_000))
    assert detail.preview_is_part
    detail.preview_toggle.setChecked(False)
    detail.note.setPlainText("Now a short note.")
    detail.preview_toggle.setChecked(True)
    assert detail.preview.toPlainText().strip() == "Now a short note."
    assert not detail.preview_is_part


def test_the_part_of_a_long_note_never_loads_a_resource_nor_reads_html(
    qtbot: QtBot, controller: AppController
) -> None:
    note = "<b>not bold</b> ![x](file:///etc/passwd)\n\n" + paragraphs(5_000)
    detail = previewing(qtbot, controller, note)
    html = detail.preview.toHtml()
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert detail.preview_is_part


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("", True),
        ("short", True),
        (paragraphs(100), True),
        (paragraphs(5_000), False),
        ("x" * (PREVIEW_CHARS + 1), False),  # one long line: cut at the limit
        (table(PREVIEW_COST // 5 - 2), True),  # 2 header lines and rows of 4 '|', 5 each: the whole budget
        (table(PREVIEW_COST), False),
        ("\n".join(f"- item {n}" for n in range(PREVIEW_COST + 1)), False),
    ],
)
def test_preview_part_is_a_prefix_within_the_limits_cut_at_a_line_break(text: str, whole: bool) -> None:
    part = preview_part(text)
    assert text.startswith(part)
    assert (part == text) is whole
    assert len(part) <= PREVIEW_CHARS
    lines = [line for line in part.split("\n") if line]
    assert len(lines) + part.count("|") <= PREVIEW_COST
    if not whole and "\n" in text:
        assert text[len(part)] == "\n"  # never in the middle of a line
        assert part.count("\n") >= 10  # and not a sliver of what may be shown
