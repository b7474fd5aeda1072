"""The library: seeding, importing, pinned keys, annotations written through to disk."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import orjson
import pytest

from papershelf.core import library as library_module
from papershelf.core.library import AnnotationChange, Library, ReadOnlyError, UnknownKeyError
from papershelf.core.model import Paper
from papershelf.formats import paperlist
from papershelf.services.library import open_library
from papershelf.services.seed import import_bundled_catalogue


def paper(title: str, authors: list[str], year: int = 2021, key: str = "") -> Paper:
    return Paper(id="", key=key, title=title, authors=authors, year=year)


def test_first_open_seeds_the_bundled_catalogue(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    assert len(library) == 860
    certify = library.paper("mueller2021certify")
    assert certify.title.startswith("Certify or Predict")
    assert (certify.venue, certify.year, certify.track, certify.entry_type) == ("ICLR", 2021, "Poster",
                                                                                 "inproceedings")
    assert certify.fields["booktitle"] == "International Conference on Learning Representations"
    assert len(set(library.keys())) == 860


def test_later_opens_load_the_store_without_parsing_markdown(
    iclr_library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Markdown catalogue was parsed again")

    monkeypatch.setattr(paperlist, "parse", fail)
    library = Library(iclr_library_dir)
    assert len(library) == 860


def test_reimporting_does_not_duplicate(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    keys_before = library.keys()
    summary = import_bundled_catalogue(library)
    assert summary.imported == []
    assert len(summary.present) == 860
    assert Library(iclr_library_dir).keys() == keys_before


def test_keys_are_pinned_and_collisions_get_letters(tmp_path: Path) -> None:
    library = Library(tmp_path)
    first = library.import_papers([paper("Deep Nets", ["Wei Chen"]), paper("Deep Trees", ["Li Chen"])])
    assert first.imported == ["chen2021deep", "chen2021deepa"]
    second = library.import_papers([paper("Deep Forests", ["Yu Chen"]), paper("Deep Nets", ["Wei Chen"])])
    assert second.imported == ["chen2021deepb"]
    assert second.present == ["chen2021deep"]
    reopened = Library(tmp_path)
    assert reopened.paper("chen2021deepa").title == "Deep Trees"
    assert reopened.keys() == ["chen2021deep", "chen2021deepa", "chen2021deepb"]


def test_a_proposed_key_is_kept_or_renamed(tmp_path: Path) -> None:
    library = Library(tmp_path)
    library.import_papers([paper("One", ["A B"], key="smith20")])
    summary = library.import_papers([paper("Two", ["C D"], key="smith20")])
    assert summary.imported == ["smith20a"]
    assert summary.renamed == [("smith20", "smith20a")]


def test_annotations_persist_and_one_call_is_one_write(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    ids = library.ids_for_keys(["mueller2021certify", "katzir2021net", "neitz2021teacher"])
    writes = library.write_counts()
    changed = library.annotate(
        ids,
        AnnotationChange(status="to-read", priority=2, add_tags=("robustness", "rl"), add_lists=("Week 1",),
                         note="Read §3 first — Grüße"),
    )
    assert changed == ids
    assert library.write_counts() == {**writes, "annotations": writes["annotations"] + 1}
    library.annotate(ids[:1], AnnotationChange(remove_tags=("rl",), rating=5, status="read"))

    reopened = Library(iclr_library_dir)
    ann = reopened.annotation(ids[0])
    assert (ann.status, ann.priority, ann.rating, ann.tags, ann.lists) == ("read", 2, 5, ["robustness"], ["Week 1"])
    assert ann.note == "Read §3 first — Grüße"
    assert ann.status_changed
    assert ann.changed
    assert ann.added
    assert reopened.annotation(ids[1]).tags == ["robustness", "rl"]
    assert reopened.list_names() == ["Week 1"]
    assert reopened.tag_counts() == {"robustness": 3, "rl": 2}


def test_unchanged_annotation_makes_no_write(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    pid = library.paper("katzir2021net").id
    library.annotate([pid], AnnotationChange(status="read"))
    writes = library.write_counts()
    assert library.annotate([pid], AnnotationChange(status="read")) == []
    assert library.write_counts() == writes


def test_invalid_values_are_refused(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    pid = library.paper("katzir2021net").id
    with pytest.raises(ValueError, match="unknown status"):
        library.annotate([pid], AnnotationChange(status="done"))
    with pytest.raises(ValueError, match="rating"):
        library.annotate([pid], AnnotationChange(rating=6))
    with pytest.raises(UnknownKeyError, match="nope2021"):
        library.ids_for_keys(["nope2021"])


def test_lists_rename_and_delete(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    ids = library.ids_for_keys(["mueller2021certify", "katzir2021net"])
    library.create_list("Empty for now")
    library.annotate(ids, AnnotationChange(add_lists=("Reading group",)))
    assert library.rename_list("Reading group", "RG") == ids
    assert library.list_names() == ["Empty for now", "RG"]
    library.delete_list("Empty for now")
    reopened = Library(iclr_library_dir)
    assert reopened.list_names() == ["RG"]
    assert reopened.annotation(ids[0]).lists == ["RG"]


def test_a_corrupt_annotations_file_is_set_aside_with_a_notice(iclr_library_dir: Path) -> None:
    (iclr_library_dir / "annotations.json").write_bytes(b'{"annotations": {"x": ')
    library = Library(iclr_library_dir)
    assert len(library) == 860
    assert len(library.notices) == 1
    assert "annotations.json could not be read" in library.notices[0]
    asides = list(iclr_library_dir.glob("annotations.json.corrupt-*"))
    assert len(asides) == 1
    assert asides[0].read_bytes() == b'{"annotations": {"x": '


def test_read_only_folder_opens_and_refuses_writes(iclr_library_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    shutil.copytree(iclr_library_dir, folder)
    folder.chmod(0o555)
    try:
        library = Library(folder)
        if not library.read_only:
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(ReadOnlyError, match="read-only"):
            library.annotate([library.paper("katzir2021net").id], AnnotationChange(status="read"))
    finally:
        folder.chmod(0o755)


def test_catalogue_is_one_file_and_annotations_another(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    library.annotate([library.paper("katzir2021net").id], AnnotationChange(status="read"))
    catalogue = orjson.loads((iclr_library_dir / library_module.CATALOGUE_FILE).read_bytes())
    annotations = orjson.loads((iclr_library_dir / library_module.ANNOTATIONS_FILE).read_bytes())
    assert len(catalogue["papers"]) == 860
    assert "annotations" not in catalogue
    assert len(annotations["annotations"]) == 1


def test_tags_and_lists_keep_the_spelling_the_library_already_uses(tmp_path: Path) -> None:
    library = open_library(tmp_path / "lib")
    first, second, third = list(library.papers)[:3]
    library.annotate([first], AnnotationChange(add_tags=("ML",), add_lists=("Thesis",)))
    library.annotate([second], AnnotationChange(add_tags=(" ml ", "Vision", "VISION"), add_lists=("thesis",)))
    assert library.annotation(second).tags == ["ML", "Vision"]
    assert library.annotation(second).lists == ["Thesis"]
    assert library.tag_counts() == Counter({"ML": 2, "Vision": 1})
    assert library.list_names() == ["Thesis"]
    library.annotate([first, third], AnnotationChange(remove_tags=("mL",), add_tags=("vision",)))
    assert library.annotation(first).tags == ["Vision"]
    assert library.annotation(third).tags == ["Vision"]
    reopened = Library(tmp_path / "lib")
    assert reopened.tag_counts() == Counter({"Vision": 3, "ML": 1})


def test_an_umlaut_written_out_is_the_same_author_when_finding_duplicates(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    original = Paper(id="", key="", title="Kernel Methods for Everything", authors=["Klaus-Robert Müller"], year=2019)
    library.import_papers([original])
    again = library.import_papers([
        Paper(id="", key="", title="Kernel methods for everything", authors=["K.-R. Mueller"], year=2019,
              abstract="Written out as ue by a BibTeX file."),
        Paper(id="", key="", title="Kernel Methods for Everything", authors=["Ana Muller"], year=2020),
    ])
    assert len(again.merged) == 1  # the abstract filled in; the 2020 paper is another one
    assert len(again.imported) == 1
    assert len(library) == 2
    [pid] = library.ids_for_keys(["muller2019kernel"])
    assert library.papers[pid].abstract == "Written out as ue by a BibTeX file."


def test_two_spellings_from_before_are_both_kept_and_both_removed(tmp_path: Path) -> None:
    from papershelf.core.model import Annotation

    library = open_library(tmp_path / "lib")
    a, b, c = list(library.papers)[:3]
    library.restore({a: Annotation(tags=["ML"]), b: Annotation(tags=["ml"])})  # as an older library has them
    library.annotate([c], AnnotationChange(add_tags=("ml",)))
    assert library.annotation(c).tags == ["ml"]  # an exact spelling in use stays as it is
    library.annotate([a, b, c], AnnotationChange(remove_tags=("ML",)))
    assert [library.annotation(p).tags for p in (a, b, c)] == [[], [], []]


def test_similar_surnames_without_umlauts_are_not_merged(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    summary = library.import_papers([
        Paper(id="", key="", title="Editorial", authors=["Wei Xu"], year=2020),
        Paper(id="", key="", title="Editorial", authors=["Lei Xue"], year=2020),
        Paper(id="", key="", title="Editorial", authors=["Ana Schoen"], year=2020),
        Paper(id="", key="", title="Editorial", authors=["Ana Schön"], year=2020),
    ])
    assert summary.imported == ["xu2020editorial", "xue2020editorial", "schoen2020editorial"]
    assert summary.present == ["schoen2020editorial"]


def test_one_commit_writes_annotations_history_and_other_tables_at_once(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    pid = library.paper("katzir2021net").id
    library.annotate([pid], AnnotationChange(note="first"))
    ann = library.annotation(pid).copy()
    ann.note = "second"
    writes = library.write_counts()
    history = {pid: {"versions": [{"note": "first", "replaced": "2021-05-03T00:00:00+00:00", "source": "file"}]}}
    library.commit(annotations={pid: ann}, history=history, tables={"sync_base": {pid: {"note": "second"}}})
    assert library.write_counts() == {**writes, "annotations": writes["annotations"] + 1}
    reopened = Library(iclr_library_dir)
    assert reopened.annotation(pid).note == "second"
    assert [v.note for v in reopened.note_history(pid)] == ["first"]
    assert reopened.table("sync_base") == {pid: {"note": "second"}}


@pytest.mark.parametrize("table", ["annotations", "lists", "note_history"])
def test_commit_refuses_the_tables_the_library_writes_itself(iclr_library_dir: Path, table: str) -> None:
    library = Library(iclr_library_dir)
    pid = library.paper("katzir2021net").id
    writes = library.write_counts()
    with pytest.raises(ValueError, match="written through the annotations"):
        library.commit(tables={table: {pid: {"note": "sneaked in"}}})
    assert library.write_counts() == writes
    assert Library(iclr_library_dir).annotation(pid).note == ""
