"""The paper table model follows the library's events: rowsInserted for new papers, dataChanged for changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.query import parse_query
from papershelf.ui.controller import LibraryController
from papershelf.ui.paper_model import COLUMN_NAMES, PAPER_ID_ROLE, PaperTableModel

TITLE, TRACK, STATUS = (COLUMN_NAMES.index(name) for name in ("title", "track", "status"))


def paper(title: str, author: str, track: str | None = None) -> Paper:
    return Paper(id="", key="", title=title, authors=[author], year=2021, track=track)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.import_papers([paper("Beta Nets", "Wei Chen"), paper("Delta Nets", "Li Chen"),
                       paper("Zeta Nets", "Ada Lovelace")])
    return lib


def shown(model: PaperTableModel, column: int = TITLE) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_import_inserts_rows_where_the_sort_order_puts_them(
    qtbot: QtBot, qtmodeltester: ModelTester, library: Library
) -> None:
    model = PaperTableModel(library)
    qtmodeltester.check(model)
    model.sort(TITLE)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.assertNotEmitted(model.modelReset):
        library.import_papers([paper("Alpha Nets", "Bo Li"), paper("Gamma Nets", "Bo Li"),
                               paper("Epsilon Nets", "Bo Li")])
    assert shown(model) == ["Alpha Nets", "Beta Nets", "Delta Nets", "Epsilon Nets", "Gamma Nets", "Zeta Nets"]
    assert inserted == [(0, 0), (3, 4)]  # two runs: Alpha before Beta; Epsilon and Gamma after Delta
    assert {model.index(row, TITLE).data(PAPER_ID_ROLE) for row in range(6)} == set(library.papers)


def test_import_inserts_only_the_rows_the_filter_keeps(qtbot: QtBot, library: Library) -> None:
    model = PaperTableModel(library)
    model.set_filter(lambda ids: [pid for pid in ids if "Nets" in library.papers[pid].title])
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as blocker:
        library.import_papers([paper("Trees", "Bo Li"), paper("Eta Nets", "Bo Li")])
    first, last = blocker.args[1], blocker.args[2]
    assert (first, last) == (3, 3)  # library order: new papers at the end; "Trees" filtered out
    assert shown(model) == ["Beta Nets", "Delta Nets", "Zeta Nets", "Eta Nets"]
    assert len(model.all_ids()) == 5


def test_annotate_emits_data_changed_for_the_row(qtbot: QtBot, library: Library) -> None:
    model = PaperTableModel(library)
    delta = library.paper("chen2021delta").id
    row = model.row_of(delta)

    def covers_the_row(top_left: QModelIndex, bottom_right: QModelIndex, *_roles: object) -> bool:
        return top_left.row() <= row <= bottom_right.row() and bottom_right.column() >= STATUS

    with qtbot.waitSignal(model.dataChanged, timeout=1000, check_params_cb=covers_the_row):
        library.annotate([delta], AnnotationChange(status="reading"))
    assert model.index(row, STATUS).data() == "Reading"


def test_a_merging_import_emits_data_changed_and_renews_the_sort_key(qtbot: QtBot, library: Library) -> None:
    model = PaperTableModel(library)
    model.sort(TRACK)
    zeta = library.paper("lovelace2021zeta").id
    with qtbot.waitSignal(model.dataChanged, timeout=1000), qtbot.assertNotEmitted(model.rowsInserted):
        library.import_papers([paper("Zeta Nets", "Ada Lovelace", track="Oral")])  # the same paper, with a track
    assert model.index(model.row_of(zeta), TRACK).data() == "Oral"
    model.sort(TRACK)
    assert model.index(0, TRACK).data() == "Oral"  # the renewed key sorts it first


def test_a_destroyed_model_stops_listening(qtbot: QtBot, library: Library) -> None:
    model = PaperTableModel(library)
    with qtbot.waitSignal(model.destroyed, timeout=1000):
        model.deleteLater()
    library.import_papers([paper("Eta Nets", "Bo Li")])  # would raise if the deleted model still listened
    assert len(library) == 4


@pytest.mark.parametrize("model_first", [True, False], ids=["model-first", "controller-first"])
def test_rows_after_an_import_do_not_depend_on_who_listens_first(
    qtbot: QtBot, library: Library, model_first: bool
) -> None:
    if model_first:
        model = PaperTableModel(library)
        controller = LibraryController(library)
    else:
        controller = LibraryController(library)
        model = PaperTableModel(library)
    query = parse_query("track:oral")
    model.set_filter(lambda ids: controller.index.filter(query, ids))
    controller.papers_added.connect(lambda _ids: model.refilter())  # as the window does
    controller.papers_changed.connect(lambda _ids: model.refilter())
    assert shown(model) == []
    library.import_papers([
        paper("Zeta Nets", "Ada Lovelace", track="Oral"),  # merged: the index must see its new track
        paper("Eta Nets", "Bo Li", track="Oral"),
        paper("Theta Nets", "Bo Li", track="Poster"),
    ])
    assert shown(model) == ["Zeta Nets", "Eta Nets"]
