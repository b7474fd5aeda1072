"""Shared fixtures. GUI tests run offscreen unless a display platform is chosen explicitly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests draw the same examples on every run of `make test` (and CI): a red run means a change
# broke something, not that a new draw found an old bug. New draws are `make props` (the "hunt" profile,
# random seeds, run repeatedly); what it finds is fixed and kept as an @example or a unit test.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("hunt", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real user's library or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PAPERSHELF_HOME", str(home / "library"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # drafts of unsaved notes


@pytest.fixture(scope="session")
def seeded_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library folder seeded once with the bundled ICLR catalogue; copy it before writing to it."""
    from papershelf.services.library import open_library

    folder = tmp_path_factory.mktemp("seeded") / "library"
    open_library(folder)
    return folder


@pytest.fixture
def iclr_library_dir(seeded_library_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded ICLR library folder, safe to write to."""
    import shutil

    target = tmp_path / "library"
    shutil.copytree(seeded_library_dir, target)
    return target
