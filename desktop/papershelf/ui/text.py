"""Showing user text in widgets that read rich text: never as markup, never loading a resource it names.

Qt guesses whether a tooltip is rich text (``Qt::mightBeRichText``); an imported title such as
``<b>x</b> <img src="/dev/zero">`` would be rendered, and the image read, when hovered. Every tooltip that
carries user text goes through ``plain_tooltip``; every text browser is a ``ResourceFreeBrowser``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QSize, Qt, QUrl
from PySide6.QtGui import QImage, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QTextBrowser, QWidget


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally (escaped inside a paragraph, line breaks kept)."""
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class ResourceFreeBrowser(QTextBrowser):
    """A text browser that never loads anything: every image is an empty one, every other resource empty.

    Returning nothing (None) is not enough: QTextDocument then loads the URL itself, local files included.
    """

    def loadResource(self, type: int, name: QUrl | str) -> object:
        if type == QTextDocument.ResourceType.ImageResource.value:
            return QImage()
        return ""


class ElidedLabel(QLabel):
    """One line of plain text that, given less width than it needs, shows as much as fits and "…" (never a
    character cut in half). ``text()`` and the tooltip are the whole text; it asks for the width of the whole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._whole = ""

    def setText(self, text: str) -> None:
        self._whole = text
        self.setToolTip(plain_tooltip(text) if text else "")
        self.setAccessibleName(text)
        self._fit()
        self.updateGeometry()

    def text(self) -> str:
        return self._whole

    def shown_text(self) -> str:
        """What it shows now (the whole text, or its start and "…")."""
        return super().text()

    def sizeHint(self) -> QSize:
        return QSize(self._width_for(self._whole), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """As narrow as the ellipsis (a layout may give it less than its whole text)."""
        return QSize(self._width_for("…"), super().minimumSizeHint().height())

    def _width_for(self, text: str) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2 * self.margin()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # (the theme's or the user's font size: fit it again)
            self._fit()
            self.updateGeometry()

    def _fit(self) -> None:
        room = max(0, self.contentsRect().width() - 2 * self.margin())
        super().setText(self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, room))
