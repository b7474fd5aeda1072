"""Colours derived from the palette in use, kept readable whatever the theme.

Muted text (a facet value no paper in the result has) must still be read: WCAG 2's AA level asks for a
contrast of at least 4.5:1 for normal text. A palette's PlaceholderText does not promise it (Qt derives it
from the text colour at half opacity on some platforms, and a dark theme chosen while the window is open
leaves the light one's grey on a dark background), so ``muted_text`` checks and, if needed, moves it
towards the text colour until it does.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor, QPalette

MINIMUM_CONTRAST: Final = 4.5  # WCAG 2 AA, normal text


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an opaque colour (0 black to 1 white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(one: QColor, other: QColor) -> float:
    """WCAG 2's contrast ratio of two opaque colours, 1 to 21."""
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _over(colour: QColor, background: QColor) -> QColor:
    """``colour`` drawn over ``background``: the opaque colour one sees."""
    alpha = colour.alphaF()
    return QColor.fromRgbF(*(alpha * a + (1 - alpha) * b for a, b in zip(
        (colour.redF(), colour.greenF(), colour.blueF()), (background.redF(), background.greenF(), background.blueF()),
        strict=True)))


def _mix(one: QColor, other: QColor, share: float) -> QColor:
    return QColor.fromRgbF(*(a + (b - a) * share for a, b in zip(
        (one.redF(), one.greenF(), one.blueF()), (other.redF(), other.greenF(), other.blueF()), strict=True)))


def muted_text(palette: QPalette, minimum: float = MINIMUM_CONTRAST) -> QColor:
    """The palette's placeholder colour, moved towards its text colour until it reads at ``minimum``
    contrast on both the base and the alternate base (the rows of a view)."""
    backgrounds = [palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase)]
    text = _over(palette.color(QPalette.ColorRole.Text), backgrounds[0])
    muted = _over(palette.color(QPalette.ColorRole.PlaceholderText), backgrounds[0])
    for step in range(11):
        candidate = _mix(muted, text, step / 10)
        if all(contrast_ratio(candidate, background) >= minimum for background in backgrounds):
            return candidate
    return text
