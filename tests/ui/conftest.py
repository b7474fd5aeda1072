"""Fixtures for the window's parts: a small real library in tmp_path, and its controller."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.ui.app_controller import AppController

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
