"""User text in widgets: never rendered as markup, never a resource loaded because the text names it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.ui.paper_model import COLUMN_NAMES, PaperTableModel
from papershelf.ui.text import ElidedLabel, plain_tooltip

# In a process of its own: if the browser opens the FIFO it blocks for ever (Qt reads it on the GUI thread,
# holding the interpreter), so the parent sees a timeout and the test fails instead of hanging the suite.
RENDER_NAMING_A_FIFO = """
import os, sys
from PySide6.QtWidgets import QApplication
from papershelf.ui.text import ResourceFreeBrowser

fifo = sys.argv[2]
os.mkfifo(fifo)
app = QApplication([])
browser = ResourceFreeBrowser()
if sys.argv[1] == "markdown":
    browser.setMarkdown(f"Look: ![x]({fifo}) and ![y](file://{fifo})")
else:
    browser.setHtml(f'<link rel="stylesheet" href="{fifo}"><img src="{fifo}"> <img src="file://{fifo}"> text')
browser.resize(400, 300)
browser.show()
browser.document().adjustSize()
browser.grab()  # laid out and painted: every image has been asked for
app.processEvents()
print("rendered", flush=True)
"""


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_a_browser_loads_nothing_its_text_names(tmp_path: Path, kind: str) -> None:
    try:
        result = subprocess.run([sys.executable, "-c", RENDER_NAMING_A_FIFO, kind, str(tmp_path / "image.png")],
                                capture_output=True, text=True, timeout=60, check=False,
                                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    except subprocess.TimeoutExpired:
        pytest.fail("the browser opened the FIFO its text names and blocked reading it")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "rendered\n"


def test_a_tooltip_shows_markup_in_a_title_as_the_literal_text(small_library: Library) -> None:
    hostile = 'A <b>Bold</b> <img src="/dev/zero"> title\nwith & two lines'
    small_library.import_papers([Paper(id="", key="evil2021a", title=hostile, authors=["<i>Mallory</i>"],
                                       year=2021)])
    model = PaperTableModel(small_library)
    row = next(r for r in range(model.rowCount()) if model.paper_id(r) == small_library.paper("evil2021a").id)
    # the title as the table shows it (whitespace runs one space), its markup as literal text
    for column, expected in (("title", " ".join(hostile.split())), ("authors", "<i>Mallory</i>")):
        tip = model.data(model.index(row, COLUMN_NAMES.index(column)), Qt.ItemDataRole.ToolTipRole)
        shown = QTextDocument()
        shown.setHtml(tip)
        assert shown.toPlainText() == expected
        assert "<img" not in tip
        assert "<b>" not in tip
        assert "<i>" not in tip


def test_plain_tooltip_escapes_everything() -> None:
    assert plain_tooltip("<a href='x'>&</a>") == "<p>&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;</p>"


def test_a_label_too_narrow_for_its_text_shows_its_start_and_an_ellipsis_and_keeps_the_whole(qtbot: QtBot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.show()
    key = "hayashi2021bayesianoptimisationofneuralarchitectures<b>"
    label.setText(key)
    width = label.fontMetrics().horizontalAdvance(key)
    assert label.sizeHint().width() >= width  # it asks for room for the whole key
    assert label.minimumSizeHint().width() < width // 3  # ... and a layout may give it much less
    label.resize(width // 3, label.sizeHint().height())
    shown = label.shown_text()
    assert shown.endswith("…")
    assert key.startswith(shown[:-1])
    assert len(shown) > 3
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()  # nothing cut in half
    assert label.text() == key  # what Copy copies
    assert label.toolTip() == plain_tooltip(key)  # the markup in it shown literally
    label.resize(width + 20, label.sizeHint().height())
    assert label.shown_text() == key  # room again: the whole key
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)  # (a larger font: not all of it fits now)
    assert label.shown_text().endswith("…")
    assert label.fontMetrics().horizontalAdvance(label.shown_text()) <= label.contentsRect().width()
    label.setText("")
    assert label.shown_text() == ""
    assert label.toolTip() == ""
