"""The 'more like this' panel: ten similar papers with bars, activation by click and Enter, plain titles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import Library
from papershelf.core.model import Paper
from papershelf.core.similar import SimilarityIndex, SimilarityKeeper
from papershelf.ui.paper_model import PAPER_ID_ROLE
from papershelf.ui.similar_panel import SCORE_ROLE, SimilarPanel


class CountingProvider:
    def __init__(self, library: Library) -> None:
        self.keeper = SimilarityKeeper(library)
        self.calls = 0

    def __call__(self) -> SimilarityIndex:
        self.calls += 1
        return self.keeper()


@pytest.fixture
def library(iclr_library_dir: Path) -> Library:
    return Library(iclr_library_dir)


@pytest.fixture
def panel(qtbot: QtBot, library: Library) -> SimilarPanel:
    widget = SimilarPanel(library, CountingProvider(library))
    qtbot.addWidget(widget)
    widget.resize(380, 640)
    widget.show()
    return widget


def test_lists_the_ten_most_similar_papers(panel: SimilarPanel, library: Library, qtbot: QtBot) -> None:
    drnas = library.paper("chen2021drnas").id
    with qtbot.waitSignal(panel.shown_for) as blocker:
        panel.show_for(drnas)
    assert blocker.args == [drnas]
    model = panel.model
    assert model.rowCount() == 10
    expected = SimilarityIndex.load_or_build(library).similar(drnas, 10)
    rows = [(model.index(r).data(PAPER_ID_ROLE), model.index(r).data(SCORE_ROLE)) for r in range(10)]
    assert [pid for pid, _ in rows] == [pid for pid, _ in expected]
    assert model.index(0).data() == library.papers[expected[0][0]].title
    assert panel.stack.currentWidget() is panel.view
    image = panel.grab().toImage()
    assert not image.isNull()


def test_click_and_enter_activate_a_paper(panel: SimilarPanel, library: Library, qtbot: QtBot) -> None:
    panel.show_for(library.paper("thost2021directed").id)
    index = panel.model.index(2)
    target = index.data(PAPER_ID_ROLE)
    rect = panel.view.visualRect(index)
    with qtbot.waitSignal(panel.paper_activated) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [target]
    panel.view.setCurrentIndex(panel.model.index(4))
    panel.view.setFocus()
    with qtbot.waitSignal(panel.paper_activated) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == [panel.model.paper_id(4)]


def test_model_passes_the_model_tester(panel: SimilarPanel, library: Library, qtmodeltester: ModelTester) -> None:
    panel.show_for(library.paper("mueller2021certify").id)
    qtmodeltester.check(panel.model)


def test_nothing_selected_and_no_neighbours_say_so(panel: SimilarPanel, library: Library) -> None:
    panel.show_for(None)
    assert panel.stack.currentWidget() is panel.message
    assert "Select a paper" in panel.message.text()
    summary = library.import_papers([Paper(id="", key="", title="Zorblax flumphs", authors=["Ada Example"],
                                           abstract="Glorp snargle wubba quonk.")])
    panel.show_for(library.paper(summary.imported[0]).id)
    assert panel.model.rowCount() == 0
    assert "No other paper shares words" in panel.message.text()


def test_hidden_panel_asks_for_the_index_only_when_shown(qtbot: QtBot, library: Library) -> None:
    provider = CountingProvider(library)
    widget = SimilarPanel(library, provider)
    qtbot.addWidget(widget)
    widget.show_for(library.paper("chen2021drnas").id)
    widget.show_for(library.paper("alon2021bottleneck").id)
    assert provider.calls == 0
    with qtbot.waitSignal(widget.shown_for) as blocker:
        widget.show()
    assert blocker.args == [library.paper("alon2021bottleneck").id]
    assert provider.calls == 1
    assert widget.model.rowCount() == 10


def test_titles_are_plain_text(panel: SimilarPanel, library: Library) -> None:
    drnas = library.paper("chen2021drnas")
    title = "<b>Bold</b> <img src='x'> Dirichlet neural architecture search &amp; more"
    summary = library.import_papers([Paper(id="", key="", title=title, authors=["Ada Example"],
                                           abstract=drnas.abstract)])
    html_paper = library.paper(summary.imported[0]).id
    panel.show_for(drnas.id)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.paper_id(r) == html_paper)
    index = panel.model.index(row)
    assert index.data() == title  # painted as is
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>Bold</b>" not in tooltip
    assert "&lt;b&gt;Bold&lt;/b&gt;" in tooltip
    assert "&amp;amp;" in tooltip
    assert not panel.grab().toImage().isNull()


def fully_visible_rows(panel: SimilarPanel) -> int:
    viewport = panel.view.viewport().rect()
    model = panel.model
    return sum(1 for row in range(model.rowCount()) if viewport.contains(panel.view.visualRect(model.index(row))))


def test_all_ten_are_shown_in_the_window_at_1280x800_and_the_list_folds_away(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from papershelf.ui.main_window import MainWindow

    window = MainWindow(Library(iclr_library_dir),
                        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    panel = window.similar_panel
    window.select_paper(window.library.paper("mueller2021certify").id)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 10, timeout=10000)
    assert fully_visible_rows(panel) == 10
    assert window.detail.height() >= 300  # the detail pane keeps room for the abstract and the note
    before = window.detail.height()
    qtbot.mouseClick(panel.heading, Qt.MouseButton.LeftButton)  # folded: the detail pane gets the room
    assert not panel.is_expanded()
    assert not panel.view.isVisible()
    qtbot.waitUntil(lambda: window.detail.height() > before)
    qtbot.mouseClick(panel.heading, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fully_visible_rows(panel) == 10)


def test_sort_by_recommendation_shows_the_scores_and_the_header_says_so(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from papershelf.core.library import AnnotationChange
    from papershelf.ui.main_window import MainWindow
    from papershelf.ui.paper_model import COLUMN_NAMES, MATCH

    window = MainWindow(Library(iclr_library_dir),
                        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    read = window.library.paper("mueller2021certify").id
    window.controller.annotate([read], AnnotationChange(status="read", rating=5), "read")
    window.sort_by_recommendation()
    match = COLUMN_NAMES.index(MATCH)
    header = window.table.horizontalHeader()
    assert not window.table.isColumnHidden(match)
    assert window.column_actions[MATCH].isChecked()  # View → Columns agrees
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (match, Qt.SortOrder.DescendingOrder)
    scores = [float(window.model.index(row, match).data()) for row in range(5)]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] > 0
    assert window.model.index(window.model.row_of(read), match).data() == ""  # read: not recommended


# -- a library large enough for the index to be built in steps -----------------------------------------------

TOPICS = ["graph", "kernel", "diffusion", "reward", "transformer", "bandit", "causal", "quantum", "protein",
          "robot", "speech", "vision", "privacy", "fairness", "sparse", "tensor", "bayesian", "spiking"]
FILLER = ["model", "network", "training", "inference", "sampling", "estimate", "bound", "policy", "layer",
          "attention", "gradient", "prior", "signal", "noise", "memory", "search", "scaling", "regret"]


@pytest.fixture(scope="module")
def stepped_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import random

    from papershelf.ui.app_controller import SIMILARITY_STEPS_FROM

    rng = random.Random(7)
    folder = tmp_path_factory.mktemp("stepped") / "library"
    papers = []
    for i in range(SIMILARITY_STEPS_FROM + 1):
        topic = TOPICS[i % len(TOPICS)]
        words = [topic] * 3 + rng.sample(FILLER, 8) + [f"w{rng.randrange(400)}x" for _ in range(6)]
        papers.append(Paper(id="", key=f"paper{i}", title=f"{topic.title()} {rng.choice(FILLER)} {i}",
                            authors=[f"Ana Example{i % 9}"], abstract=" ".join(words), year=2000 + i % 20))
    Library(folder).import_papers(papers)
    return folder


def stepped_window(qtbot: QtBot, folder: Path, tmp_path: Path) -> Any:
    from PySide6.QtCore import QSettings

    from papershelf.core.similar import CACHE_FILE
    from papershelf.ui.main_window import MainWindow

    (folder / CACHE_FILE).unlink(missing_ok=True)
    window = MainWindow(Library(folder), settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def test_a_large_library_finds_similar_papers_between_events(
    qtbot: QtBot, stepped_library_dir: Path, tmp_path: Path
) -> None:
    from PySide6.QtCore import QTimer

    window = stepped_window(qtbot, stepped_library_dir, tmp_path)
    panel, controller = window.similar_panel, window.controller
    events: list[str] = []
    ticker = QTimer(window)  # what any other work of the window would be: a zero timer
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: events.append("tick"))
    controller.similarity_progress.connect(lambda _percent: events.append("step"))
    paper = window.library.paper("paper5").id
    assert window.select_paper(paper)
    assert not controller.similarity.loaded  # selecting returned before the index was built
    assert panel.stack.currentWidget() is panel.message
    assert panel.message.text() == "Finding similar papers… (0%)"
    ticker.start()
    qtbot.waitUntil(lambda: "%" in panel.message.text() and "(0%)" not in panel.message.text(), timeout=60_000)
    assert panel.message.text().startswith("Finding similar papers… (")
    with qtbot.waitSignal(panel.shown_for, timeout=120_000):
        pass
    ticker.stop()
    steps = events.count("step")
    # built in steps (how many depends on the machine's speed: steps are time slices) ... the message
    # above showed a percentage between 0 and 100 while the list was not yet shown
    assert steps >= 1
    assert "step,step" not in ",".join(events)  # ... and the event loop turned between every two of them
    assert events.count("tick") >= steps
    # the list fills in with what the index built at once gives
    expected = SimilarityIndex.build(window.library.papers.values()).similar(paper, 10)
    assert panel.stack.currentWidget() is panel.view
    assert [panel.model.paper_id(row) for row in range(panel.model.rowCount())] == [p for p, _ in expected]
    assert panel.model.rowCount() == 10
    window.close()


def test_sort_by_recommendation_waits_for_the_index_and_then_sorts(
    qtbot: QtBot, stepped_library_dir: Path, tmp_path: Path
) -> None:
    from papershelf.core.library import AnnotationChange

    window = stepped_window(qtbot, stepped_library_dir, tmp_path)
    controller = window.controller
    read = window.library.paper("paper4").id
    controller.annotate([read], AnnotationChange(status="read", rating=5), "read")
    window.sort_by_recommendation()
    assert not controller.similarity.loaded  # it did not block to build the index
    assert window.statusBar().currentMessage().startswith("Finding similar papers… (")
    window.sort_by_recommendation()  # asked twice: sorted once
    with qtbot.waitSignal(controller.similarity_ready, timeout=120_000):
        pass
    assert window.statusBar().currentMessage().endswith("recommended papers first")
    index = controller.similarity()
    ranked = [pid for pid, _ in index.recommend(window.library, n=5)]
    assert window.model.ids()[:5] == ranked
    window.close()


def test_an_import_of_many_papers_rebuilds_the_index_between_events(
    qtbot: QtBot, stepped_library_dir: Path, tmp_path: Path
) -> None:
    """An import that changes more than ``REBUILD_SHARE`` of the library makes the index be built again from
    scratch: the window does it in steps, as the first time, instead of freezing on the next selection."""
    import shutil

    from papershelf.core.similar import REBUILD_SHARE

    folder = tmp_path / "library"
    shutil.copytree(stepped_library_dir, folder)
    window = stepped_window(qtbot, folder, tmp_path)
    panel, controller = window.similar_panel, window.controller
    first = window.library.paper("paper5").id
    assert window.select_paper(first)
    with qtbot.waitSignal(panel.shown_for, timeout=120_000):
        pass
    assert controller.similarity.loaded
    many = int(len(window.library) * REBUILD_SHARE) + 1
    window.library.import_papers([
        Paper(id="", key=f"more{i}", title=f"Protein kernel {i}", authors=["Bo Other"],
              abstract=f"protein kernel sparse tensor w{i}x", year=2021)
        for i in range(many)
    ])
    other = window.library.paper("paper6").id
    assert window.select_paper(other)
    assert not controller.similarity.loaded  # selecting returned before the index was built again
    assert panel.message.text().startswith("Finding similar papers…")
    with qtbot.waitSignal(panel.shown_for, timeout=120_000):
        pass
    index = controller.similarity()
    assert (index.built_docs, index.changes_since_build) == (len(window.library), 0)
    expected = SimilarityIndex.build(window.library.papers.values()).similar(other, 10)
    assert [panel.model.paper_id(row) for row in range(panel.model.rowCount())] == [p for p, _ in expected]
    window.close()
