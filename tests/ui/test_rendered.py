"""LaTeX titles and abstracts as a reader sees them: the table, the detail pane, More like this, tooltips."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStyledItemDelegate
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.core.similar import SimilarityKeeper
from papershelf.core.text.latex import ITALIC, SUBSCRIPT, render
from papershelf.ui.app_controller import AppController
from papershelf.ui.detail import DetailPane
from papershelf.ui.paper_model import COLUMN_NAMES, PaperTableModel
from papershelf.ui.paper_table import PaperTable
from papershelf.ui.rendered import SHOWN_ROLE, ShownDelegate, shown_html
from papershelf.ui.similar_panel import SimilarPanel

MIX = "$i$-Mix: A Domain-Agnostic Strategy for Contrastive Learning"
LP = r"Concentration Under $\ell_p$-Norm Distance Metrics"
ABSTRACT = "We use \\textit{mixing} of $<b>$ samples.\n\nA $\\beta$-VAE baseline."
TITLE = COLUMN_NAMES.index("title")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib")
    library.import_papers([
        Paper(id="", key="mix", title=MIX, authors=["Kibok Lee"], year=2021, abstract=ABSTRACT),
        Paper(id="", key="plainmix", title=MIX.replace("$", ""), authors=["Kibok Lee"], year=2021,
              abstract="Mixing samples for contrastive learning."),
        Paper(id="", key="lp", title=LP, authors=["Jack Prescott"], year=2021,
              abstract="Concentration of measure under norms, mixing and contrastive samples."),
    ])
    return library


def row(model: PaperTableModel, key: str) -> int:
    return model.row_of(model.library.paper(key).id)


def test_the_table_shows_sorts_and_tooltips_the_rendered_title(qtbot: QtBot, library: Library) -> None:
    model = PaperTableModel(library)
    model.sort(TITLE)
    titles = [model.index(r, TITLE).data() for r in range(model.rowCount())]
    assert titles == [  # sorted as shown: "$i$-Mix" under i, not before every letter under "$"
        "Concentration Under ℓp-Norm Distance Metrics",
        "i-Mix: A Domain-Agnostic Strategy for Contrastive Learning",
        "i-Mix: A Domain-Agnostic Strategy for Contrastive Learning",
    ]
    cell = model.index(row(model, "lp"), TITLE)
    shown = cell.data(SHOWN_ROLE)
    assert [(shown.text[s.start : s.end], s.style) for s in shown.spans] == [("p", ITALIC | SUBSCRIPT)]
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "<p>Concentration Under ℓp-Norm Distance Metrics</p>"
    assert library.paper("lp").title == LP  # the stored text is unchanged


def title_cell(table: PaperTable, key: str) -> QImage:
    model = table.paper_model
    rect: QRect = table.visualRect(model.index(row(model, key), TITLE))
    return table.viewport().grab(rect).toImage()


def test_the_table_paints_math_in_italics(qtbot: QtBot, library: Library) -> None:
    table = PaperTable(PaperTableModel(library))
    qtbot.addWidget(table)
    table.resize(900, 200)
    table.show()
    qtbot.waitExposed(table)
    assert isinstance(table.itemDelegateForColumn(TITLE), ShownDelegate)
    model = table.paper_model
    assert model.index(row(model, "mix"), TITLE).data() == model.index(row(model, "plainmix"), TITLE).data()
    rendered = {key: title_cell(table, key) for key in ("mix", "plainmix")}
    table.setItemDelegateForColumn(TITLE, QStyledItemDelegate(table))  # Qt's own: the display text only
    table.viewport().repaint()
    default = {key: title_cell(table, key) for key in ("mix", "plainmix")}
    assert rendered["mix"] != default["mix"]  # the math row is painted with its italic i
    assert rendered["plainmix"] == default["plainmix"]  # a title without spans is painted as Qt paints it


def test_the_detail_pane_shows_rendered_title_and_abstract(qtbot: QtBot, library: Library) -> None:
    detail = DetailPane(AppController(library))
    qtbot.addWidget(detail)
    detail.show()
    detail.show_paper(library.paper("mix").id)
    assert detail.title.textFormat() == Qt.TextFormat.RichText
    assert detail.title.text() == "<p><i>i</i>-Mix: A Domain-Agnostic Strategy for Contrastive Learning</p>"
    assert detail.abstract.toPlainText() == "We use mixing of <b> samples.\nA β-VAE baseline."
    html = detail.abstract.toHtml()
    assert "&lt;" in html  # text that looks like markup stays text
    assert "font-style:italic" in html
    detail.show_paper(library.paper("plainmix").id)
    assert detail.title.textFormat() == Qt.TextFormat.PlainText  # nothing to render: plain text as before


def test_shown_html_escapes_the_text_and_uses_only_its_own_tags() -> None:
    shown = render(r"<img src=x> $x_i^2$ & \emph{y}")
    assert shown_html(shown) == "<p>&lt;img src=x&gt; <i>x</i><i><sub>i</sub></i>² &amp; <i>y</i></p>"


def test_more_like_this_shows_rendered_titles(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keeper = SimilarityKeeper(library)
    mix = next(p for p in library.papers.values() if p.title.startswith("$i$-Mix"))
    # a paper that has i-Mix among its ten most similar
    neighbour = next(pid for pid, _ in keeper().similar(mix.id, 10)
                     if mix.id in [other for other, _ in keeper().similar(pid, 10)])
    panel = SimilarPanel(library, keeper)
    qtbot.addWidget(panel)
    panel.resize(380, 640)
    panel.show()
    panel.show_for(neighbour)
    model = panel.model
    rows = {model.paper_id(r): r for r in range(model.rowCount())}
    index = model.index(rows[mix.id])
    assert index.data() == "i-Mix: A Domain-Agnostic Strategy for Contrastive Representation Learning"
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(
        "<p>i-Mix: A Domain-Agnostic Strategy for Contrastive Representation Learning</p>")
    assert index.data(SHOWN_ROLE).spans  # the italic i, painted by the delegate
    panel.view.grab()
