"""The window's start and close, with real processes: a large catalogue is kept in ``catalogue.cache`` when
the window closes, used by the next start, and made again after the CLI changed the catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import papershelf.core.memory as memory
from papershelf.core import catalogue_cache
from papershelf.core.library import CATALOGUE_SCHEMA, Library
from papershelf.core.model import Paper


def _start_window(library: Path, home: Path) -> None:
    """Start the window on ``library``, let it show and close: as a person starting and quitting it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PAPERSHELF_EXIT_WHEN_SHOWN": "1",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache")}
    done = subprocess.run([sys.executable, "-m", "papershelf", "--library", str(library)], capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "window-shown" in done.stdout


def _cli(library: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "papershelf", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def large_library(tmp_path: Path) -> Path:
    """A catalogue large enough to be read in pieces (``memory.PIECES_FROM``), abstracts and all."""
    folder = tmp_path / "large"
    words = ["representation", "learning", "graph", "networks", "attention", "diffusion", "robust", "sparse",
             "optimal", "transport", "policy"]
    papers = [
        Paper("", f"k{n}", f"Paper {n}: {words[n % 11]} {words[n * 7 % 11]} für Ärzte", [f"Author {n}", "Ünal Öz"],
              2000 + n % 25, ("ICLR", "NeurIPS", "ICML")[n % 3], ("Oral", "Poster", None)[n % 3],
              " ".join(words[(n + i) % 11] for i in range(200)), fields={"pages": f"{n}--{n + 9}"})
        for n in range(11_000)
    ]
    Library(folder).import_papers(papers)
    assert (folder / "catalogue.json").stat().st_size >= memory.PIECES_FROM
    return folder


@pytest.mark.slow
def test_closing_the_window_keeps_the_catalogue_for_the_next_start(large_library: Path, tmp_path: Path) -> None:
    catalogue = large_library / "catalogue.json"
    cache = large_library / catalogue_cache.CACHE_FILE
    _start_window(large_library, tmp_path)
    assert catalogue_cache.is_current(catalogue, CATALOGUE_SCHEMA)
    kept = cache.stat()

    _start_window(large_library, tmp_path)  # from the cache: nothing to write again
    assert cache.stat().st_mtime_ns == kept.st_mtime_ns
    assert cache.stat().st_ino == kept.st_ino

    bib = tmp_path / "one.bib"
    bib.write_text("@article{late2024, title={A Late Paper}, author={Zed, Zoe}, year={2024}}\n", encoding="utf-8")
    _cli(large_library, "import", str(bib))  # the catalogue replaced: the cache is stale
    assert not catalogue_cache.is_current(catalogue, CATALOGUE_SCHEMA)
    _start_window(large_library, tmp_path)
    assert catalogue_cache.is_current(catalogue, CATALOGUE_SCHEMA)
    with catalogue.open("rb") as file:
        tables = catalogue_cache.read(catalogue, file, CATALOGUE_SCHEMA, "papers")
    assert tables is not None
    assert "late2024" in {paper.key for paper in tables["papers"].values()}
    assert len(tables["papers"]) == 11_001
