"""Rendered titles and abstracts (``core/text/latex.py``'s ``Shown``) in widgets.

A table cell or a "More like this" row paints the runs with ``QPainter`` (italic, bold, smaller and
raised or lowered for super- and subscripts), elided at the right edge; the detail pane shows them as
HTML built here from escaped text and our own ``<i> <b> <sub> <sup>`` tags only, so nothing a file
holds is ever read as markup. Tooltips take the plain text.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from papershelf.core.text.latex import BOLD, ITALIC, SUBSCRIPT, SUPERSCRIPT, Shown

ModelIndex = QModelIndex | QPersistentModelIndex
SHOWN_ROLE = Qt.ItemDataRole.UserRole + 20
"""A model's ``Shown`` for a cell whose text is rendered LaTeX (None: paint the display text as usual)."""
SCRIPT_SCALE = 0.75  # sub- and superscripts, relative to the text around them


def styled_font(base: QFont, style: int) -> QFont:
    font = QFont(base)
    if style & ITALIC:
        font.setItalic(True)
    if style & BOLD:
        font.setBold(True)
    if style & (SUBSCRIPT | SUPERSCRIPT):
        font.setPointSizeF(base.pointSizeF() * SCRIPT_SCALE)
    return font


def draw_shown(painter: QPainter, rect: QRectF, shown: Shown, font: QFont, start: int = 0,
               end: int | None = None) -> None:
    """Paint ``shown.text[start:end]`` on one line in ``rect`` (left, vertically centred), elided at its right."""
    base = QFontMetricsF(font)
    baseline = rect.top() + (rect.height() + base.ascent() - base.descent()) / 2
    x = rect.left()
    right = rect.right()
    painter.save()
    painter.setClipRect(rect)
    for part, style in shown.runs(start, end):
        run_font = styled_font(font, style)
        metrics = QFontMetricsF(run_font)
        y = baseline
        if style & SUBSCRIPT:
            y += base.ascent() * 0.25
        elif style & SUPERSCRIPT:
            y -= base.ascent() * 0.4
        width = metrics.horizontalAdvance(part)
        painter.setFont(run_font)
        if x + width > right:
            painter.drawText(QPointF(x, y), metrics.elidedText(part, Qt.TextElideMode.ElideRight, right - x))
            break
        painter.drawText(QPointF(x, y), part)
        x += width
    painter.restore()


def shown_width(shown: Shown, font: QFont) -> float:
    """How wide ``shown`` is painted on one line in ``font``."""
    return sum(QFontMetricsF(styled_font(font, style)).horizontalAdvance(part) for part, style in shown.runs())


_TAGS = ((ITALIC, "i"), (BOLD, "b"), (SUBSCRIPT, "sub"), (SUPERSCRIPT, "sup"))


def shown_html(shown: Shown) -> str:
    """``shown`` as HTML: the text escaped, paragraphs (blank lines) as ``<p>``, spans as our own tags."""
    out: list[str] = []
    for part, style in shown.runs():
        escaped = html.escape(part).replace("\n\n", "</p><p>").replace("\n", "<br>")
        opening = "".join(f"<{tag}>" for flag, tag in _TAGS if style & flag)
        closing = "".join(f"</{tag}>" for flag, tag in reversed(_TAGS) if style & flag)
        out.append(opening + escaped + closing)
    return "<p>" + "".join(out) + "</p>"


def show_rendered_title(label: QLabel, shown: Shown) -> None:
    """Show ``shown`` in a label: as rich text built by ``shown_html`` if it has spans, else as plain text."""
    if shown.spans:
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(shown_html(shown))
    else:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(shown.text)


class ShownDelegate(QStyledItemDelegate):
    """Paints a cell whose model gives a ``Shown`` with spans (``SHOWN_ROLE``); any other cell as usual."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        shown = index.data(SHOWN_ROLE)
        if not isinstance(shown, Shown) or not shown.spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        draw_shown(painter, QRectF(text_rect).adjusted(margin, 0, -margin, 0), shown, opt.font)
        painter.restore()
