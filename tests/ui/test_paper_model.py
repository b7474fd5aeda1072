"""The paper table's model on its own: Qt's model contract, and the signals each change sends."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.ui.app_controller import AppController
from papershelf.ui.paper_model import COLUMN_NAMES, MIME_KEYS, PAPER_ID_ROLE, PAPER_KEY_ROLE, PaperTableModel
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
