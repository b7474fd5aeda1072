"""The paper table's model on its own: Qt's model contract, the signals each change sends, and how it
follows the library's events (rowsInserted for new papers, dataChanged for changed ones)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.query import parse_query
from papershelf.ui.app_controller import AppController
from papershelf.ui.controller import LibraryController
from papershelf.ui.paper_model import (
    COLUMN_NAMES,
    MIME_KEYS,
    ORDER_FILE,
    PAPER_ID_ROLE,
    PAPER_KEY_ROLE,
    PaperTableModel,
)
from tests.ui.conftest import pid


def shown_keys(model: PaperTableModel) -> list[str]:
    return [model.index(row, 0).data(PAPER_KEY_ROLE) for row in range(model.rowCount())]


def test_the_model_passes_the_model_tester_through_filter_sort_and_reload(
    qtmodeltester: ModelTester, small_library: Library
) -> None:
    model = PaperTableModel(small_library)
    qtmodeltester.check(model)
    model.set_filter(lambda order: [i for i in order if "graph" in small_library.papers[i].title.lower()])
    qtmodeltester.check(model)
    model.sort(COLUMN_NAMES.index("venue"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    small_library.import_papers([Paper(id="", key="zed2024graph", title="Graph zoo", year=2024)])
    model.reload()
    qtmodeltester.check(model)
    assert "zed2024graph" in shown_keys(model)


def test_cells_show_the_paper_and_its_annotation(small_library: Library) -> None:
    model = PaperTableModel(small_library)
    ada = pid(small_library, "ada2020graph")
    small_library.annotate([ada], AnnotationChange(status="to-read", add_tags=("gnn", "chemistry"), rating=3))
    row = model.row_of(ada)

    def cell(column: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(row, COLUMN_NAMES.index(column)).data(role)

    assert cell("title") == "Graph neural networks for molecules"
    assert cell("authors") == "Ada Lovelace"
    assert cell("venue") == "Test 2020"
    assert cell("track") == "Oral"
    assert cell("status") == "To read"
    assert cell("rating") == "★★★"
    assert cell("tags") == "gnn, chemistry"  # in the order they were given
    assert cell("title", PAPER_ID_ROLE) == ada
    assert model.headerData(COLUMN_NAMES.index("status"), Qt.Orientation.Horizontal) == "Status"


def test_a_filter_resets_the_model_and_keeps_the_order(qtbot: QtBot, small_library: Library) -> None:
    model = PaperTableModel(small_library)
    model.sort(COLUMN_NAMES.index("title"))
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset], order="strict"):
        model.set_filter(lambda order: [i for i in order if small_library.papers[i].year == 2021])
    assert shown_keys(model) == ["cyd2021graph", "bob2021kernel"]  # "Graph kernels..." < "Kernel methods..."


def test_sorting_is_a_layout_change_with_a_new_order(qtbot: QtBot, small_library: Library) -> None:
    model = PaperTableModel(small_library)
    before = model.order
    with qtbot.waitSignals([model.layoutAboutToBeChanged, model.layoutChanged], order="strict"), \
            qtbot.assertNotEmitted(model.modelReset):
        model.sort(COLUMN_NAMES.index("venue"), Qt.SortOrder.AscendingOrder)
    assert model.order is not before  # a new order object: nobody can mistake it for the old one
    assert isinstance(model.order, tuple)
    assert shown_keys(model) == ["fay2018bandit", "dan2019reward", "ada2020graph", "bob2021kernel",
                                 "cyd2021graph", "eve2022causal"]


def test_sorting_keeps_the_filter(small_library: Library) -> None:
    model = PaperTableModel(small_library)
    model.set_filter(lambda order: [i for i in order if "graph" in small_library.papers[i].title.lower()])
    model.sort(COLUMN_NAMES.index("venue"), Qt.SortOrder.DescendingOrder)
    assert shown_keys(model) == ["eve2022causal", "cyd2021graph", "ada2020graph"]


def test_an_annotation_edit_repaints_only_its_row(qtbot: QtBot, controller: AppController) -> None:
    library = controller.library
    model = PaperTableModel(library)
    controller.annotations_changed.connect(model.papers_changed)
    bob = pid(library, "bob2021kernel")
    with qtbot.waitSignal(model.dataChanged) as changed, qtbot.assertNotEmitted(model.modelReset):
        controller.set_status([bob], "read")
    top, bottom = changed.args[0], changed.args[1]
    assert top.row() == bottom.row() == model.row_of(bob)
    assert model.index(model.row_of(bob), COLUMN_NAMES.index("status")).data() == "Read"


def test_sorting_by_status_follows_edits(controller: AppController) -> None:
    library = controller.library
    model = PaperTableModel(library)
    controller.annotations_changed.connect(model.papers_changed)
    status = COLUMN_NAMES.index("status")
    model.sort(status)
    controller.set_status([pid(library, "fay2018bandit")], "skipped")
    model.sort(status, Qt.SortOrder.DescendingOrder)
    assert shown_keys(model)[0] == "fay2018bandit"


def test_recommended_papers_first_then_the_rest_in_order(small_library: Library) -> None:
    model = PaperTableModel(small_library)
    model.sort(COLUMN_NAMES.index("title"))
    first = [pid(small_library, "fay2018bandit"), pid(small_library, "dan2019reward")]
    model.order_by(first)
    assert shown_keys(model)[:2] == ["fay2018bandit", "dan2019reward"]
    assert sorted(shown_keys(model)) == sorted(small_library.keys())


def test_dragging_rows_carries_their_citation_keys(small_library: Library) -> None:
    model = PaperTableModel(small_library)
    rows = [model.row_of(pid(small_library, k)) for k in ("ada2020graph", "bob2021kernel")]
    indexes = [model.index(r, c) for r in rows for c in range(2)]  # a row is several cells: one key each
    mime = model.mimeData(indexes)
    assert bytes(mime.data(MIME_KEYS).data()).decode().split("\n") == ["ada2020graph", "bob2021kernel"]


def test_conflicts_mark_the_status_cell(qtbot: QtBot, small_library: Library) -> None:
    model = PaperTableModel(small_library)
    ada = pid(small_library, "ada2020graph")
    status = model.index(model.row_of(ada), COLUMN_NAMES.index("status"))
    assert status.data(Qt.ItemDataRole.ToolTipRole) is None
    with qtbot.waitSignal(model.dataChanged):
        model.set_conflicts([ada])
    assert "conflict" in status.data(Qt.ItemDataRole.ToolTipRole)


# -- following the library's events ------------------------------------------------------------------

TITLE, TRACK, STATUS = (COLUMN_NAMES.index(name) for name in ("title", "track", "status"))


def paper(title: str, author: str, track: str | None = None) -> Paper:
    return Paper(id="", key="", title=title, authors=[author], year=2021, track=track)


@pytest.fixture
def three_papers(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib")
    lib.import_papers([paper("Beta Nets", "Wei Chen"), paper("Delta Nets", "Li Chen"),
                       paper("Zeta Nets", "Ada Lovelace")])
    return lib


def shown(model: PaperTableModel, column: int = TITLE) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_import_inserts_rows_where_the_sort_order_puts_them(
    qtbot: QtBot, qtmodeltester: ModelTester, three_papers: Library
) -> None:
    library = three_papers
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


def test_import_inserts_only_the_rows_the_filter_keeps(qtbot: QtBot, three_papers: Library) -> None:
    library = three_papers
    model = PaperTableModel(library)
    model.set_filter(lambda ids: [pid for pid in ids if "Nets" in library.papers[pid].title])
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as blocker:
        library.import_papers([paper("Trees", "Bo Li"), paper("Eta Nets", "Bo Li")])
    first, last = blocker.args[1], blocker.args[2]
    assert (first, last) == (3, 3)  # library order: new papers at the end; "Trees" filtered out
    assert shown(model) == ["Beta Nets", "Delta Nets", "Zeta Nets", "Eta Nets"]
    assert len(model.all_ids()) == 5


def test_annotate_emits_data_changed_for_the_row(qtbot: QtBot, three_papers: Library) -> None:
    library = three_papers
    model = PaperTableModel(library)
    delta = library.paper("chen2021delta").id
    row = model.row_of(delta)

    def covers_the_row(top_left: QModelIndex, bottom_right: QModelIndex, *_roles: object) -> bool:
        return top_left.row() <= row <= bottom_right.row() and bottom_right.column() >= STATUS

    with qtbot.waitSignal(model.dataChanged, timeout=1000, check_params_cb=covers_the_row):
        library.annotate([delta], AnnotationChange(status="reading"))
    assert model.index(row, STATUS).data() == "Reading"


def test_a_merging_import_emits_data_changed_and_renews_the_sort_key(qtbot: QtBot, three_papers: Library) -> None:
    library = three_papers
    model = PaperTableModel(library)
    model.sort(TRACK)
    zeta = library.paper("lovelace2021zeta").id
    with qtbot.waitSignal(model.dataChanged, timeout=1000), qtbot.assertNotEmitted(model.rowsInserted):
        library.import_papers([paper("Zeta Nets", "Ada Lovelace", track="Oral")])  # the same paper, with a track
    assert model.index(model.row_of(zeta), TRACK).data() == "Oral"
    model.sort(TRACK)
    assert model.index(0, TRACK).data() == "Oral"  # the renewed key sorts it first


def test_a_chosen_merge_removes_the_row_of_the_paper_gone(qtbot: QtBot, three_papers: Library) -> None:
    library = three_papers
    model = PaperTableModel(library)
    model.sort(TITLE)
    with qtbot.waitSignal(model.rowsRemoved, timeout=1000) as removed, qtbot.assertNotEmitted(model.modelReset):
        library.merge_papers("chen2021beta", "chen2021delta")
    assert (removed.args[1], removed.args[2]) == (1, 1)
    assert shown(model) == ["Beta Nets", "Zeta Nets"]
    assert len(model.order) == 2


def test_a_destroyed_model_stops_listening(qtbot: QtBot, three_papers: Library) -> None:
    library = three_papers
    model = PaperTableModel(library)
    with qtbot.waitSignal(model.destroyed, timeout=1000):
        model.deleteLater()
    library.import_papers([paper("Eta Nets", "Bo Li")])  # would raise if the deleted model still listened
    assert len(library) == 4


@pytest.mark.parametrize("model_first", [True, False], ids=["model-first", "controller-first"])
def test_rows_after_an_import_do_not_depend_on_who_listens_first(
    qtbot: QtBot, three_papers: Library, model_first: bool
) -> None:
    library = three_papers
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


def test_sorting_again_by_the_same_keys_moves_nothing_until_a_key_changes(
    qtbot: QtBot, controller: AppController
) -> None:
    """The table and a restored header both ask for the title order at start-up: it is sorted once."""
    library = controller.library
    model = PaperTableModel(library)
    title = COLUMN_NAMES.index("title")
    model.sort(title)
    order = model.order
    with qtbot.assertNotEmitted(model.layoutChanged):
        model.sort(title, Qt.SortOrder.AscendingOrder)
    assert model.order is order
    with qtbot.waitSignal(model.layoutChanged):
        model.sort(title, Qt.SortOrder.DescendingOrder)  # the other way round does sort
    assert shown_keys(model)[0] == "dan2019reward"
    status = COLUMN_NAMES.index("status")
    model.sort(status, Qt.SortOrder.DescendingOrder)
    controller.set_status([pid(library, "fay2018bandit")], "skipped")  # its key changed: its row stays
    assert shown_keys(model)[0] != "fay2018bandit"
    with qtbot.waitSignal(model.layoutChanged):
        model.sort(status, Qt.SortOrder.DescendingOrder)
    assert shown_keys(model)[0] == "fay2018bandit"


def test_the_order_kept_at_close_is_shown_again_without_a_sort(qtbot: QtBot, small_library: Library,
                                                                tmp_path: Path) -> None:
    path = tmp_path / ORDER_FILE
    first = PaperTableModel(small_library)
    authors = COLUMN_NAMES.index("authors")
    first.sort(authors, Qt.SortOrder.DescendingOrder)
    assert first.save_order(path)

    again = PaperTableModel(small_library)
    assert again.sorted_by() is None
    assert again.restore_order(path)
    assert again.sorted_by() == (authors, Qt.SortOrder.DescendingOrder)
    assert shown_keys(again) == shown_keys(first)
    with qtbot.assertNotEmitted(again.layoutChanged):
        again.sort(authors, Qt.SortOrder.DescendingOrder)  # what the table's header asks at start-up
    with qtbot.waitSignal(again.layoutChanged):
        again.sort(authors, Qt.SortOrder.AscendingOrder)
    assert shown_keys(again) == shown_keys(first)[::-1]


def test_a_kept_order_is_refused_once_the_library_changed_or_the_file_is_damaged(
    small_library: Library, tmp_path: Path
) -> None:
    path = tmp_path / ORDER_FILE
    model = PaperTableModel(small_library)
    model.sort(COLUMN_NAMES.index("title"))
    assert model.save_order(path)
    small_library.annotate([pid(small_library, "bob2021kernel")], AnnotationChange(status="read"))
    fresh = PaperTableModel(small_library)
    before = shown_keys(fresh)
    assert not fresh.restore_order(path)  # the annotations file was written since
    assert fresh.sorted_by() is None
    assert shown_keys(fresh) == before
    assert model.save_order(path)
    assert PaperTableModel(small_library).restore_order(path)
    small_library.import_papers([Paper(id="", key="", title="A new paper", authors=["Zed Zulu"], year=2023)])
    assert not PaperTableModel(small_library).restore_order(path)  # a paper more: sorted afresh
    path.write_bytes(b'{"stamp": [1, 2')
    assert not PaperTableModel(small_library).restore_order(path)
    assert not PaperTableModel(small_library).restore_order(tmp_path / "missing.cache")


def test_an_order_no_longer_sorted_by_its_keys_is_not_kept(controller: AppController, tmp_path: Path) -> None:
    library = controller.library
    model = PaperTableModel(library)
    status = COLUMN_NAMES.index("status")
    model.sort(status)
    controller.set_status([pid(library, "fay2018bandit")], "skipped")  # its row stays where it was
    assert model.sorted_by() is None
    assert not model.save_order(tmp_path / ORDER_FILE)
    assert not (tmp_path / ORDER_FILE).exists()


@pytest.mark.parametrize("ids", ["twice", "unknown", "unhashable"])
def test_a_kept_order_that_is_not_today_s_papers_once_each_is_refused(
    small_library: Library, tmp_path: Path, ids: str
) -> None:
    path = tmp_path / ORDER_FILE
    model = PaperTableModel(small_library)
    model.sort(COLUMN_NAMES.index("title"))
    assert model.save_order(path)
    kept = orjson.loads(path.read_bytes())
    kept["ids"][-1] = {"twice": kept["ids"][0], "unknown": "no-such-paper", "unhashable": ["x"]}[ids]
    path.write_bytes(orjson.dumps(kept))
    fresh = PaperTableModel(small_library)
    assert not fresh.restore_order(path)
    assert fresh.sorted_by() is None
