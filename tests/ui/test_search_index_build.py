"""A large library: the window builds the search index in steps between events and searches once it is ready."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.forked import processes_for
from papershelf.core.search.index import CACHE_FILE, WORD_INDEX_FROM, filter_papers
from papershelf.ui.main_window import LARGE_LIBRARY, MainWindow
from papershelf.ui.window_state import SETTINGS_VERSION

PAPERS = LARGE_LIBRARY + 1  # large enough for the word index, and for the search box to wait without one
assert PAPERS >= WORD_INDEX_FROM
WORDS = ["graph", "neural", "causal", "kernel", "diffusion", "reward", "transformer", "bandit"]


def numbered_library(folder: Path, count: int) -> Path:
    """A library of ``count`` papers "paper0"...: each has its own code word (w17x), the rest is shared."""
    Library(folder).import_papers(
        Paper(id="", key=f"paper{i}", title=f"{WORDS[i % 8].title()} models number {i}", authors=[f"Ana Müller{i % 7}"],
              abstract=f"We study {WORDS[(i * 3) % 8]} methods; code word w{i}x.", year=2000 + i % 22)
        for i in range(count)
    )
    return folder


@pytest.fixture(scope="module")
def large_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return numbered_library(tmp_path_factory.mktemp("large") / "library", PAPERS)


def test_typing_before_the_index_is_ready_waits_for_it_then_filters(
    qtbot: QtBot, large_library_dir: Path, tmp_path: Path
) -> None:
    (large_library_dir / CACHE_FILE).unlink(missing_ok=True)
    library = Library(large_library_dir)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.start_search_index()  # what the window does once shown (by a timer), called here to know when
    index = window.controller.index
    assert index.building  # it advances only between events, and none has run yet
    window.search.setText("w17x")
    window.apply_filters()
    assert index.building
    assert window.model.rowCount() == PAPERS
    assert window.hint.isVisibleTo(window)
    assert f"Preparing to search {PAPERS:,} papers" in window.hint.text()
    qtbot.waitUntil(lambda: not index.building, timeout=30_000)
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]
    assert window.statusBar().currentMessage().startswith(f"1 of {PAPERS:,} papers")
    # the facet codes are prepared next, in steps too; counts follow the result
    qtbot.waitUntil(lambda: not window.controller.facet_counter.syncing, timeout=30_000)
    window.update_facet_counts()
    assert window.sidebar.count_text("year", "2017") == "1"  # paper17: 2000 + 17
    assert not window.hint.isVisibleTo(window)
    assert index.word_index_source == "built"
    index.wait_for_cache()  # written by a thread, after the index is in use
    assert (large_library_dir / CACHE_FILE).exists()
    # with the word index, the search box filters on every keystroke: no waiting for a pause in typing
    window.search.clear()
    qtbot.keyClicks(window.search, "w1234x")
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper1234"]
    # edits are searchable at once
    pid = library.ids_for_keys(["paper3"])[0]
    window.controller.annotate([pid], AnnotationChange(note="wombat burrow"), "Edit note")
    window.search.setText("wombat")
    window.apply_filters()
    assert window.model.ids() == [pid]
    window.close()


def test_plain_words_are_answered_before_the_rest_of_the_index_is_ready(
    qtbot: QtBot, large_library_dir: Path, settings: QSettings
) -> None:
    (large_library_dir / CACHE_FILE).unlink(missing_ok=True)  # a first opening: the word index is built first
    library = Library(large_library_dir)
    window = MainWindow(library, settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.start_search_index()
    index = window.controller.index
    window.search.setText("w17x")
    window.apply_filters()
    assert window.model.rowCount() == PAPERS  # waits for the word index
    with qtbot.waitSignal(window.words_ready, timeout=30_000):
        pass
    assert index.building  # the columns are still being made ...
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]  # ... and the word is answered
    assert not window.hint.isVisibleTo(window)
    window.search.setText("title:models w17x")  # a field's text is in the columns: this waits for them
    window.apply_filters()
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]  # the table keeps what it shows
    assert f"Preparing to search {PAPERS:,} papers" in window.hint.text()
    with qtbot.waitSignal(window.search_index_ready, timeout=30_000):
        pass
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]
    assert not index.building
    index.wait_for_cache()
    window.close()


def test_a_search_restored_from_the_last_session_waits_for_the_index_instead_of_holding_up_the_window(
    qtbot: QtBot, large_library_dir: Path, settings: QSettings
) -> None:
    (large_library_dir / CACHE_FILE).unlink(missing_ok=True)
    settings.setValue("window/version", SETTINGS_VERSION)  # a window closed before, searching for "w17x"
    settings.setValue("window/query", "w17x")
    library = Library(large_library_dir)
    window = MainWindow(library, settings=settings)
    qtbot.addWidget(window)
    index = window.controller.index
    assert not index.ready  # the window was made without building the index for the search ...
    assert window.search.text() == "w17x"
    assert window.model.rowCount() == PAPERS  # ... which waits for it, and says so
    assert f"Preparing to search {PAPERS:,} papers" in window.hint.text()
    window.show()
    with qtbot.waitSignal(window.words_ready, timeout=30_000):
        pass
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]
    with qtbot.waitSignal(window.search_index_ready, timeout=30_000):
        pass
    index.wait_for_cache()
    window.close()


def test_the_next_window_uses_the_cached_index(qtbot: QtBot, large_library_dir: Path, tmp_path: Path) -> None:
    library = Library(large_library_dir)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    index = window.controller.index
    qtbot.waitUntil(lambda: index.word_index_source != "", timeout=30_000)  # started and adopted by itself
    assert not index.building
    assert index.word_index_source == "cache"
    window.search.setText('graph "models number 8"')
    window.apply_filters()
    shown = window.model.ids()
    # the same as scanning every paper (filter_papers, as the CLI does), in the table's order
    assert sorted(shown) == sorted(filter_papers(library, 'graph "models number 8"'))
    assert {library.papers[pid].key for pid in shown} >= {"paper8", "paper88", "paper800", "paper888"}
    window.close()


def test_a_large_import_is_indexed_again_while_search_keeps_working(
    qtbot: QtBot, large_library_dir: Path, tmp_path: Path
) -> None:
    library = Library(large_library_dir)
    window = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    index = window.controller.index
    qtbot.waitUntil(lambda: index.word_indexed and not index.building, timeout=30_000)
    added = int(PAPERS * 0.06)
    library.import_papers(
        Paper(id="", key=f"new{i}", title=f"Freshly imported numbat study {i}", authors=["Zoe Quokka"], year=2024)
        for i in range(added)
    )
    assert index.building  # more than 5% of the papers are new: indexed again, in steps
    window.search.setText("numbat")
    window.apply_filters()  # answered at once from the index it has, the new papers scanned
    assert window.model.rowCount() == added
    assert not window.hint.isVisibleTo(window)
    qtbot.waitUntil(lambda: not index.building, timeout=30_000)
    assert index.stale_share == 0.0
    assert window.model.rowCount() == added
    window.close()


# -- child processes build the word index (Linux, two CPUs or more: the large library has enough papers) ----


def forks(folder: Path) -> None:
    if processes_for(PAPERS) < 2:
        pytest.skip("one CPU (or not Linux): the window builds the word index itself, as tested above")
    (folder / CACHE_FILE).unlink(missing_ok=True)


def test_child_processes_build_the_word_index_once_the_window_is_shown_and_words_are_answered_from_it(
    qtbot: QtBot, large_library_dir: Path, settings: QSettings
) -> None:
    forks(large_library_dir)
    library = Library(large_library_dir)
    window = MainWindow(library, settings=settings)
    qtbot.addWidget(window)
    index = window.controller.index
    assert index.building  # started as the window was made, advanced between events ...
    assert index.word_build_processes == []  # ... none of which has run yet
    window.search.setText("w17x")
    window.apply_filters()
    assert f"Preparing to search {len(library):,} papers" in window.hint.text()  # (the import above added some)
    window.show()
    qtbot.waitUntil(lambda: len(index.word_build_processes) >= 2, timeout=10_000)
    with qtbot.waitSignal(window.words_ready, timeout=60_000):
        pass
    assert index.word_build_processes == []
    assert index.word_index_processes >= 2
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper17"]
    with qtbot.waitSignal(window.search_index_ready, timeout=60_000):
        pass
    assert index.word_index_source == "built"
    window.search.setText('"code word w1234x"')
    window.apply_filters()
    assert [library.papers[pid].key for pid in window.model.ids()] == ["paper1234"]
    index.wait_for_cache()
    window.close()


def test_closing_the_window_while_children_build_stops_them_and_everything_else(
    qtbot: QtBot, large_library_dir: Path, settings: QSettings
) -> None:
    forks(large_library_dir)
    window = MainWindow(Library(large_library_dir), settings=settings)
    qtbot.addWidget(window)
    window.search.setText("title:models w17x")  # (a search that waits for the whole index)
    window.show()
    controller, index = window.controller, window.controller.index
    qtbot.waitUntil(lambda: len(index.word_build_processes) >= 2, timeout=10_000)
    children = index.word_build_processes
    announced: list[str] = []
    controller.search_index_ready.connect(lambda: announced.append("search index"))
    controller.words_ready.connect(lambda: announced.append("words"))
    window.close()
    for pid in children:
        with pytest.raises(ChildProcessError):  # killed and reaped: nothing left running or waiting
            os.waitpid(pid, os.WNOHANG)
    for _ in range(50):  # turns of the event loop after the close: nothing is built between them any more
        QApplication.processEvents()
    window.apply_filters()  # as the search box's pause-in-typing timer may still do: it builds nothing now
    window.library.import_papers([Paper(id="", key="late2024", title="A late import", authors=["Bo Li"], year=2024)])
    assert not index.ready  # (papers added after the close make the table ask for its filter again: not built)
    assert index.word_build_processes == []
    assert not index.building
    assert announced == []
    assert not controller.index_timer.isActive()
    assert not controller.similarity_timer.isActive()
    assert not (large_library_dir / CACHE_FILE).exists()  # the next start builds it
    window.show()  # shown again after all: its index is prepared again, between events
    qtbot.waitUntil(lambda: index.word_indexed and not index.building, timeout=60_000)
    window.search.setText("w17x")
    window.apply_filters()
    assert [window.library.papers[pid].key for pid in window.model.ids()] == ["paper17"]
    window.close()
