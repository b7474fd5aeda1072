"""Showing user text in widgets that read rich text: never as markup, never loading a resource it names.

Qt guesses whether a tooltip is rich text (``Qt::mightBeRichText``); an imported title such as
``<b>x</b> <img src="/dev/zero">`` would be rendered, and the image read, when hovered. Every tooltip that
carries user text goes through ``plain_tooltip``; every text browser is a ``ResourceFreeBrowser``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser


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
