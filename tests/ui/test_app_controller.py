"""The window's controller on its own: a real library in tmp_path, no window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import WORD_INDEX_FROM
from papershelf.core.search.query import parse_query
from papershelf.core.storage.store import backup_folder
from papershelf.ui.app_controller import AppController
from tests.ui.conftest import SMALL, pid

NO_FACETS: dict[str, frozenset[str]] = {}


def keys(library: Library, ids: list[str]) -> list[str]:
    return [library.papers[i].key for i in ids]


def test_filter_keeps_the_scope_order_and_applies_the_facets(controller: AppController) -> None:
    library = controller.library
    order = tuple(sorted(library.papers, key=lambda i: library.papers[i].title, reverse=True))
    result = controller.filter(parse_query("graph"), NO_FACETS, order)
    assert keys(library, result.shown) == ["ada2020graph", "cyd2021graph", "eve2022causal"]
    assert result.matched == result.shown
    only_2021 = controller.filter(parse_query("graph"), {"year": frozenset({"2021"})}, order)
    assert keys(library, only_2021.matched) == ["ada2020graph", "cyd2021graph", "eve2022causal"]
    assert keys(library, only_2021.shown) == ["cyd2021graph"]
    everything = controller.filter(parse_query(""), NO_FACETS, order)
    assert everything.shown == list(order)


def test_narrowing_a_query_over_a_new_order_answers_for_that_order(controller: AppController) -> None:
    """The index may start from its last answer only for the very same scope: a re-sorted table is a new one."""
    library = controller.library
    by_title = tuple(sorted(library.papers, key=lambda i: library.papers[i].title))
    assert keys(library, controller.filter(parse_query("gra"), NO_FACETS, by_title).shown) == [
        "eve2022causal", "cyd2021graph", "ada2020graph"]
    by_year = tuple(sorted(library.papers, key=lambda i: library.papers[i].year or 0))
    narrowed = controller.filter(parse_query("graph"), NO_FACETS, by_year)
    assert keys(library, narrowed.shown) == ["ada2020graph", "cyd2021graph", "eve2022causal"]
    # the same order again, as an equal but different object: the same answer
    again = controller.filter(parse_query("graph kernel"), NO_FACETS, tuple(by_year))
    assert keys(library, again.shown) == ["cyd2021graph"]


def test_facet_counts_follow_the_last_search(controller: AppController) -> None:
    order = tuple(controller.library.papers)
    controller.filter(parse_query("graph"), NO_FACETS, order)
    counts = controller.facet_counts(NO_FACETS)
    assert counts is not None
    assert counts["track"] == {"Oral": 1, "Spotlight": 1, "Poster": 1}
    assert counts["year"]["2021"] == 1


def test_an_edit_is_announced_and_undone(qtbot: QtBot, controller: AppController) -> None:
    library = controller.library
    ids = [pid(library, "ada2020graph"), pid(library, "bob2021kernel")]
    with qtbot.waitSignal(controller.annotations_changed) as changed:
        assert controller.set_status(ids, "read")
    assert sorted(changed.args[0]) == sorted(ids)
    assert controller.undo_stack.undoText() == "Mark 2 papers as Read"
    assert Library(library.folder).annotation(ids[0]).status == "read"  # on disk
    with qtbot.waitSignal(controller.annotations_changed):
        controller.undo_stack.undo()
    assert [library.annotation(i).status for i in ids] == ["new", "new"]


def test_list_and_tag_edits_name_their_undo_step(qtbot: QtBot, controller: AppController) -> None:
    library = controller.library
    ids = [pid(library, "ada2020graph")]
    with qtbot.waitSignals([controller.annotations_changed, controller.lists_changed]):
        controller.add_to_list(ids, "Reading group")
    assert controller.undo_stack.undoText() == "Add to “Reading group”"
    assert controller.lists_of(ids) == ["Reading group"]
    controller.tag(ids, "gnn")
    assert controller.undo_stack.undoText() == "Add tag to selection: gnn"
    controller.tag(ids, "gnn", remove=True)
    assert library.annotation(ids[0]).tags == []
    controller.remove_from_list(ids, "Reading group")
    assert controller.lists_of(ids) == []


def test_priority_cycles_from_the_current_paper(controller: AppController) -> None:
    library = controller.library
    a, b = pid(library, "ada2020graph"), pid(library, "bob2021kernel")
    controller.annotate([b], AnnotationChange(priority=2), "set")
    controller.cycle_priority([a, b], current=b)
    assert library.annotation(a).priority == library.annotation(b).priority == 3


def test_papers_dropped_on_a_list_by_key(controller: AppController) -> None:
    library = controller.library
    assert controller.add_keys_to_list("Later", ["dan2019reward", "no-such-key"])
    assert library.annotation(pid(library, "dan2019reward")).lists == ["Later"]
    assert not controller.add_keys_to_list("Later", ["no-such-key"])


def test_an_import_is_announced_as_papers_added(qtbot: QtBot, controller: AppController) -> None:
    with qtbot.waitSignal(controller.papers_added) as added, qtbot.assertNotEmitted(controller.annotations_changed):
        controller.library.import_papers([Paper(id="", key="new2024thing", title="A new thing", year=2024)])
    assert keys(controller.library, added.args[0]) == ["new2024thing"]


def test_a_write_that_fails_is_reported_and_changes_nothing(qtbot: QtBot, small_library: Library) -> None:
    folder = small_library.folder
    read_only = AppController(Library(folder, read_only=True))
    before = (folder / "annotations.json").read_bytes() if (folder / "annotations.json").exists() else None
    with qtbot.waitSignal(read_only.error) as error:
        assert not read_only.set_status([pid(read_only.library, "ada2020graph")], "read")
    assert error.args[0]
    after = (folder / "annotations.json").read_bytes() if (folder / "annotations.json").exists() else None
    assert after == before
    assert read_only.undo_stack.count() == 0


def test_a_tied_file_is_rewritten_after_an_edit_and_follows_a_renamed_list(
    qtbot: QtBot, controller: AppController, tmp_path: Path
) -> None:
    library = controller.library
    ada = pid(library, "ada2020graph")
    controller.add_to_list([ada], "Group")
    target = tmp_path / "group.bib"
    controller.auto_export.tie(target, list_name="Group", fmt="bibtex")
    assert "ada2020graph" in target.read_text(encoding="utf-8")
    controller.add_to_list([pid(library, "bob2021kernel")], "Group")
    assert controller.export_timer.isActive()  # written shortly, not on every keystroke
    qtbot.waitUntil(lambda: "bob2021kernel" in target.read_text(encoding="utf-8"), timeout=5000)
    assert controller.rename_list("Group", "Journal club")
    assert controller.auto_export.ties[-1].list_name == "Journal club"
    controller.add_to_list([pid(library, "dan2019reward")], "Journal club")
    qtbot.waitUntil(lambda: "dan2019reward" in target.read_text(encoding="utf-8"), timeout=5000)


def test_recommendations_come_from_what_was_read(qtbot: QtBot, iclr_library_dir: Path) -> None:
    controller = AppController(Library(iclr_library_dir))
    library = controller.library
    assert controller.recommended() == []  # nothing read or rated yet
    read = pid(library, "mueller2021certify")
    controller.set_status([read], "read")
    ranked = controller.recommended()
    assert ranked
    assert read not in ranked  # read already: not recommended again
    assert all(library.annotation(i).status == "new" for i in ranked)
    assert ranked[0] in [i for i, _score in controller.similarity().similar(read, n=10)]


def test_a_small_library_searches_on_every_keystroke_and_needs_no_index_steps(controller: AppController) -> None:
    assert not controller.search_waits_for_pause()
    controller.start_search_index()
    assert not controller.index_timer.isActive()
    assert not controller.search_pending(parse_query("graph"))


def test_a_large_library_prepares_the_index_then_the_facet_codes_in_steps(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "large")
    library.import_papers(Paper(id="", key=f"p{i}", title=f"Paper {i} about w{i}x", year=2000 + i % 20)
                          for i in range(WORD_INDEX_FROM))
    controller = AppController(library)
    controller.start_search_index()
    assert controller.index.building
    assert controller.facet_counts(NO_FACETS) is None  # the codes are being prepared
    assert controller.search_pending(parse_query("w17x"))
    assert not controller.search_pending(parse_query(""))  # an empty search needs no index
    # both come from the controller's step timer, between events: words are answered from the index first
    with qtbot.waitSignals([controller.search_index_ready, controller.facet_codes_ready], order="strict",
                           timeout=60_000):
        pass
    assert not controller.index.building
    assert controller.index.word_indexed
    assert not controller.index_timer.isActive()
    shown = controller.filter(parse_query("w17x"), NO_FACETS, tuple(library.papers)).shown
    assert keys(library, shown) == ["p17"]
    counts = controller.facet_counts(NO_FACETS)
    assert counts is not None
    assert counts["year"]["2017"] == 1
    controller.index.wait_for_cache()


def test_a_detached_controller_hears_nothing_more(qtbot: QtBot, controller: AppController) -> None:
    controller.detach()
    with qtbot.assertNotEmitted(controller.papers_added):
        controller.library.import_papers([Paper(id="", key="late2024", title="Late arrival")])


@pytest.mark.parametrize("count", [len(SMALL)])
def test_the_fixture_is_what_the_tests_assume(small_library: Library, count: int) -> None:
    assert len(small_library) == count
    assert [k for k, *_ in SMALL] == sorted(small_library.keys())


def test_a_daily_backup_that_fails_is_said_in_the_window(qtbot: QtBot, controller: AppController) -> None:
    """The backup timer's failures reach the window's error line instead of vanishing."""
    library = controller.library
    backups = backup_folder(library.folder)
    if backups.exists():
        for item in backups.iterdir():
            item.unlink()
        backups.rmdir()
    backups.write_text("a file where the backups folder should be\n")
    library.annotate([pid(library, "ada2020graph")], AnnotationChange(note="changed since the last backup"))
    with qtbot.waitSignal(controller.error) as blocker:
        controller.backup()
    assert "could not back up" in blocker.args[0]
    assert backups.read_text() == "a file where the backups folder should be\n"
