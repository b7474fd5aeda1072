"""The statistics view: its numbers equal the library's, it renders with and without data, charts export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import STATUSES, TRACKS, Annotation, Paper
from papershelf.ui.main_window import MainWindow
from papershelf.ui.stats import NO_TRACK, Chart, ChartExportDialog, StatsView, compute_stats

TODAY = date(2024, 6, 12)  # a Wednesday; its week starts on Monday 2024-06-10


def distinct_colours(image: QImage, step: int = 3) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def annotate_some(library: Library) -> dict[str, str]:
    """Statuses, tags, lists and read dates on a few ICLR papers; returns key -> status."""
    keys = {
        "chen2021drnas": "read", "wang2021rethinking": "read", "thost2021directed": "read",
        "alon2021bottleneck": "to-read", "mueller2021certify": "to-read", "metzen2021efficient": "reading",
        "fromherz2021fast": "skipped",
    }
    stamps = {  # read in the weeks of 27 May (two papers) and 10 June
        "chen2021drnas": "2024-05-27T09:00:00+00:00", "wang2021rethinking": "2024-06-02T23:00:00+00:00",
        "thost2021directed": "2024-06-11T10:00:00+00:00",
    }
    annotations = {}
    for key, status in keys.items():
        paper = library.paper(key)
        annotations[paper.id] = Annotation(
            status=status,
            tags=["nas", "automl"] if "nas" in key or "rethinking" in key else ["robustness"],
            lists=["thesis"] if status in ("read", "to-read") else ["reading group"],
            status_changed=stamps.get(key, "2024-06-01T00:00:00+00:00"),
        )
    library.restore(annotations)
    return keys


def expected_by_status(library: Library) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {status: Counter() for status in STATUSES}
    for pid, paper in library.papers.items():
        counts[library.annotation(pid).status][paper.track if paper.track in TRACKS else NO_TRACK] += 1
    return {status: {track: n for track, n in row.items() if n} for status, row in counts.items()}


def nonzero(series: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {status: {track: n for track, n in row.items() if n} for status, row in series.items()}


def test_view_shows_the_library_numbers(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    statuses = annotate_some(library)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1000, 900)
    view.show()

    assert nonzero(view.status_chart.series) == expected_by_status(library)
    assert sum(sum(row.values()) for row in view.status_chart.series.values()) == 860
    assert view.status_chart.tracks == ["Oral", "Spotlight", "Poster"]
    assert {s: sum(r.values()) for s, r in view.status_chart.series.items()}["read"] == 3

    weeks = dict(view.read_chart.series)
    assert weeks[date(2024, 5, 27)] == 2
    assert weeks[date(2024, 6, 10)] == 1
    assert sum(weeks.values()) == 3
    assert max(weeks) == date(2024, 6, 10)  # ends this week
    assert len(weeks) == 12  # at least twelve weeks are shown

    assert view.tags_chart.series == [("robustness", 5), ("automl", 2), ("nas", 2)]
    to_read_or_read = [k for k, s in statuses.items() if s in ("to-read", "read")]
    author_counts = Counter(a for k in to_read_or_read for a in library.paper(k).authors)
    _, to_read, read = view.authors_chart.series[0]
    assert to_read + read == max(author_counts.values())
    assert sum(t + r for _, t, r in view.authors_chart.series) == sum(
        sorted(author_counts.values(), reverse=True)[: len(view.authors_chart.series)]
    )
    assert sorted(view.lists_chart.series) == [("reading group", 0, 2), ("thesis", 3, 5)]
    assert "3 read" in view.summary.text()

    image = view.widget().grab().toImage()
    assert not image.isNull()
    assert distinct_colours(image) > 20  # bars, text and shades were drawn
    for chart in view.charts:
        assert chart.has_data()
        assert chart.export_button.isVisibleTo(chart)


def test_empty_library_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "empty")
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    assert view.summary.text() == "No papers yet."
    for chart in view.charts:
        assert not chart.has_data()
        assert chart.empty_text
        assert not chart.export_button.isVisibleTo(chart)  # nothing to export
    assert view.status_chart.series == {}
    assert view.read_chart.series == []
    image = view.status_chart.grab().toImage()
    assert not image.isNull()
    assert distinct_colours(image, step=1) > 2  # the card and its sentence, not a blank


def test_no_data_charts_in_a_library_nobody_annotated(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    assert view.status_chart.has_data()
    assert view.status_chart.series["new"] == {"Oral": 53, "Spotlight": 114, "Poster": 693}
    assert all(sum(view.status_chart.series[s].values()) == 0 for s in STATUSES if s != "new")
    assert [chart.has_data() for chart in view.charts[1:]] == [False, False, False, False]


def test_refresh_is_debounced_and_updates_the_series(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    ids = library.ids_for_keys(["chen2021drnas", "alon2021bottleneck"])
    library.annotate(ids, AnnotationChange(status="read", add_tags=("gnn",)))
    computed: list[int] = []
    view.refreshed.connect(lambda: computed.append(1))
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        for _ in range(5):
            view.refresh()
    assert computed == [1]  # five calls, one computation
    assert sum(view.status_chart.series["read"].values()) == 2
    assert view.tags_chart.series == [("gnn", 2)]
    assert sum(count for _, count in view.read_chart.series) == 2


def test_hidden_view_catches_up_when_shown(qtbot: QtBot, iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    view.hide()
    library.annotate(library.ids_for_keys(["chen2021drnas"]), AnnotationChange(status="skipped"))
    view.refresh()
    assert sum(view.status_chart.series["skipped"].values()) == 0  # not computed while hidden
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        view.show()
    assert sum(view.status_chart.series["skipped"].values()) == 1


def test_stats_of_read_papers_far_apart_show_the_last_52_weeks(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    old, new, undated = library.ids_for_keys(["chen2021drnas", "alon2021bottleneck", "mueller2021certify"])
    library.restore({
        old: Annotation(status="read", status_changed="2021-01-04T12:00:00+00:00"),
        new: Annotation(status="read", status_changed="2024-06-12T12:00:00+00:00"),
        undated: Annotation(status="read"),
    })
    stats = compute_stats(library, TODAY)
    assert len(stats.read_per_week) == 52
    assert stats.read_per_week[-1] == (date(2024, 6, 10), 1)
    assert (stats.read_earlier, stats.read_undated) == (1, 1)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_each_chart_exports(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    library = Library(iclr_library_dir)
    annotate_some(library)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1000, 900)
    view.show()
    asked: list[str] = []

    def ask(cls: type, parent: object, suggested: str, kind: str) -> Path:
        asked.append(suggested)
        return tmp_path / suggested

    monkeypatch.setattr(ChartExportDialog, "ask", classmethod(ask))
    for chart in view.charts:
        path = chart.export_dialog(fmt)
        assert path == tmp_path / f"{chart.name}.{fmt}"
        data = path.read_bytes()
        if fmt == "png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            image = QImage(str(path))
            assert image.width() == 2 * chart.export_size().width()  # exported at twice the size
            assert distinct_colours(image) > 10
        else:
            root = ET.fromstring(data)
            assert root.tag.endswith("svg")
            texts = "".join(root.itertext())
            assert chart.title in texts
    assert len(asked) == 5


def test_cancelled_export_writes_nothing(qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    view = StatsView(Library(iclr_library_dir), today=TODAY)
    qtbot.addWidget(view)
    monkeypatch.setattr(ChartExportDialog, "ask", classmethod(lambda cls, parent, suggested, kind: None))
    chart: Chart = view.status_chart
    assert chart.export_dialog("png") is None
    assert list(tmp_path.glob("*.png")) == []


def test_an_import_that_fills_in_a_track_is_counted_again(qtbot: QtBot, tmp_path: Path) -> None:
    """Regression: a merge that fills in a paper's track left "No track" on the chart (the view recounted
    tracks only when the number of papers changed)."""
    library = Library(tmp_path / "lib")
    library.import_papers([Paper(id="", key="", title="Deep Nets", authors=["Wei Chen"], year=2021)])
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    assert view.stats.tracks == [NO_TRACK]
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        library.import_papers([Paper(id="", key="", title="Deep Nets", authors=["Wei Chen"], year=2021,
                                     track="Oral")])
    assert len(library) == 1
    assert view.stats.tracks == ["Oral"]
    assert view.status_chart.series["new"] == {"Oral": 1}


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_chart_export_replaces_the_file_atomically_and_keeps_its_permissions(
    qtbot: QtBot, iclr_library_dir: Path, tmp_path: Path, fmt: str
) -> None:
    """A new file takes the old one's place (a reader never sees half a chart); its mode stays."""
    view = StatsView(Library(iclr_library_dir), today=TODAY)
    qtbot.addWidget(view)
    chart: Chart = view.status_chart
    out = tmp_path / "charts"
    out.mkdir()
    path = out / f"status.{fmt}"
    path.write_bytes(b"an older chart")
    path.chmod(0o640)
    before = path.stat().st_ino
    (chart.export_svg if fmt == "svg" else chart.export_png)(path)
    assert path.stat().st_ino != before
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.read_bytes().startswith(b"\x89PNG" if fmt == "png" else b"<?xml")
    assert [p.name for p in out.iterdir()] == [path.name]  # no temp file left beside it


def test_nothing_is_computed_until_the_view_is_first_shown(qtbot: QtBot, iclr_library_dir: Path) -> None:
    """A window opens with the statistics behind the Papers tab: their pass over the library waits."""
    library = Library(iclr_library_dir)
    annotate_some(library)
    view = StatsView(library, today=TODAY)
    qtbot.addWidget(view)
    computed: list[int] = []
    view.refreshed.connect(lambda: computed.append(1))
    view.refresh()  # an edit while hidden: still nothing computed
    assert computed == []
    assert view.stats.total == 0
    assert view.status_chart.series == {}
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        view.show()
    assert computed == [1]
    assert view.stats.total == 860
    assert nonzero(view.status_chart.series) == expected_by_status(library)


def test_the_window_fills_the_statistics_tab_when_it_is_shown_with_edits_made_before(
    qtbot: QtBot, window: MainWindow
) -> None:
    library = window.library
    view = window.stats_view
    assert window.tabs.currentWidget() is not view
    assert view.stats.total == 0  # not computed behind the Papers tab
    library.annotate(library.ids_for_keys(["chen2021drnas", "alon2021bottleneck"]),
                     AnnotationChange(status="read", add_tags=("gnn",)))
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        window.tabs.setCurrentWidget(view)
    assert view.stats.total == 860
    assert sum(view.status_chart.series["read"].values()) == 2
    assert view.tags_chart.series == [("gnn", 2)]
    # while shown, an edit is followed (debounced); back behind the Papers tab, it waits again
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        library.annotate(library.ids_for_keys(["mueller2021certify"]), AnnotationChange(status="skipped"))
    assert sum(view.status_chart.series["skipped"].values()) == 1
    window.tabs.setCurrentIndex(0)
    library.annotate(library.ids_for_keys(["mueller2021certify"]), AnnotationChange(status="read"))
    assert sum(view.status_chart.series["read"].values()) == 2
    with qtbot.waitSignal(view.refreshed, timeout=2000):
        window.tabs.setCurrentWidget(view)
    assert sum(view.status_chart.series["read"].values()) == 3
