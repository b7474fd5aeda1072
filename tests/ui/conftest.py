"""Fixtures for the window's parts: a small real library in tmp_path, and its controller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.ui.app_controller import AppController
from papershelf.ui.main_window import MainWindow

SMALL = (  # key, title, first author, year, track
    ("ada2020graph", "Graph neural networks for molecules", "Ada Lovelace", 2020, "Oral"),
    ("bob2021kernel", "Kernel methods revisited", "Bob Builder", 2021, "Poster"),
    ("cyd2021graph", "Graph kernels at scale", "Cyd Charisse", 2021, "Spotlight"),
    ("dan2019reward", "Reward shaping without tears", "Dan Brown", 2019, "Poster"),
    ("eve2022causal", "Causal discovery from graph data", "Eve Online", 2022, "Poster"),
    ("fay2018bandit", "Bandits with knapsacks", "Fay Wray", 2018, None),
)


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> QApplication:
    """Every part of the window needs the application (icons are pixmaps), even a model on its own."""
    return qapp


@pytest.fixture
def small_library(tmp_path: Path) -> Library:
    """Six papers with known titles, authors, years and tracks, in a real library folder."""
    library = Library(tmp_path / "library")
    library.import_papers(
        Paper(id="", key=key, title=title, authors=[author], year=year, venue="Test", track=track,
              abstract=f"We study {title.lower()}.")
        for key, title, author, year, track in SMALL
    )
    return library


@pytest.fixture
def controller(qtbot: QtBot, small_library: Library) -> AppController:
    return AppController(small_library)


def pid(library: Library, key: str) -> str:
    return library.paper(key).id


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, iclr_library_dir: Path, settings: QSettings) -> MainWindow:
    win = MainWindow(Library(iclr_library_dir), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


class Opened(QObject):
    """Receives what ``QDesktopServices.openUrl`` would have handed to the system."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def opened() -> Iterator[Opened]:
    receiver = Opened()
    for scheme in ("http", "https", "file"):
        QDesktopServices.setUrlHandler(scheme, receiver, "open")
    yield receiver
    for scheme in ("http", "https", "file"):
        QDesktopServices.unsetUrlHandler(scheme)
