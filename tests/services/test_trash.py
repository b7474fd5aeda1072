"""Papers in the Trash are not exported (nor kept-updated files) and are offered as no duplicates."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.services import exporting
from papershelf.services.duplicates import possible_duplicates
from papershelf.services.exporting import AutoExport

THESIS = ["mueller2021certify", "neitz2021teacher", "katzir2021net"]


def bib_keys(path: Path) -> list[str]:
    return sorted(e.key for e in bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries)


@pytest.fixture
def library(iclr_library_dir: Path) -> Library:
    lib = Library(iclr_library_dir)
    lib.annotate(lib.ids_for_keys(THESIS), AnnotationChange(add_lists=("thesis",)))
    return lib


def test_an_export_leaves_out_papers_in_the_trash_even_when_named(library: Library) -> None:
    library.trash(library.ids_for_keys(["neitz2021teacher"]))
    assert len(exporting.select(library)) == 859
    assert sorted(p.key for p in exporting.select(library, list_name="thesis")) == ["katzir2021net",
                                                                                    "mueller2021certify"]
    assert exporting.select(library, keys=["neitz2021teacher"]) == []
    assert "neitz2021teacher" not in exporting.list_members(library, "thesis")


def test_kept_updated_files_drop_a_paper_moved_to_the_trash_and_take_it_back_when_restored(
    library: Library, tmp_path: Path
) -> None:
    listed, everything = tmp_path / "thesis.bib", tmp_path / "all.bib"
    auto = AutoExport(library)
    auto.tie(listed, list_name="thesis")
    auto.tie(everything)
    neitz = library.ids_for_keys(["neitz2021teacher"])
    library.trash(neitz)
    assert bib_keys(listed) == ["katzir2021net", "mueller2021certify"]
    assert "neitz2021teacher" not in bib_keys(everything)
    assert len(bib_keys(everything)) == 859
    library.restore_from_trash(neitz)
    assert bib_keys(listed) == sorted(THESIS)
    assert len(bib_keys(everything)) == 860
    library.trash(neitz)
    library.empty_trash()
    assert bib_keys(listed) == ["katzir2021net", "mueller2021certify"]
    assert len(bib_keys(everything)) == 859


def test_a_paper_in_the_trash_is_offered_as_no_duplicate(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_papers([Paper(id="", key="a", title="Sparse Coding", authors=["Wei Xu"], year=2020, doi="10.1/x"),
                           Paper(id="", key="b", title="Sparse coding", authors=["Wei Xu"], year=2021)])
    assert [(p.first.key, p.second.key) for p in possible_duplicates(library)] == [("a", "b")]
    library.trash([library.paper("b").id])
    assert possible_duplicates(library) == []
