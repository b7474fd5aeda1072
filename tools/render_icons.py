"""Render resources/icons/papershelf.svg into the PNG sizes desktops and PyInstaller ask for.

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_icons.py``.
The PNGs are committed, so this only needs running again when the SVG changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter wants a GUI application
    svg = ICONS / "papershelf.svg"
    for size in SIZES:
        target = ICONS / f"papershelf-{size}.png"
        if not render(svg, size).save(str(target), "PNG"):
            raise SystemExit(f"cannot write {target}")
        print(f"{target.relative_to(ICONS.parent.parent)} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
