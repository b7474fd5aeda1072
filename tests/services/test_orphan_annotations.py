"""Exporting, and opening, a library that holds an annotation whose paper was set aside as a damaged
record: nothing raises, the annotation is kept, and the notice says it is."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.services import exporting
from papershelf.services.exporting import AutoExport
from tests.helpers.orphans import library_with_orphan


def test_exports_of_everything_a_list_and_a_kept_updated_file_leave_the_orphan_out_and_keep_it(
        tmp_path: Path) -> None:
    found = library_with_orphan(tmp_path / "lib")
    library = found.library
    live = [p.key for p in library.papers.values()]

    everything = exporting.export(library, "bibtex", path=tmp_path / "all.bib")
    in_list = exporting.export(library, "markdown", list_name="L", path=tmp_path / "l.md")
    auto = AutoExport(library)
    auto.tie(tmp_path / "kept.bib", list_name="L")
    library.annotate([library.paper(live[0]).id], AnnotationChange(rating=3))  # rewrites the tied file
    library.rename_list("L", "Read")  # the orphan's annotation too: it stays in the list it was in
    auto.rename_list("L", "Read")
    auto.flush()

    assert everything.count == 15
    assert in_list.count == 3
    assert (tmp_path / "kept.bib").read_text(encoding="utf-8").count("\n@") == 3
    assert not any(tie.error for tie in auto.ties)
    kept = Library(tmp_path / "lib").stored_annotation(found.orphan)
    assert kept is not None
    assert (kept.note, kept.tags, kept.rating, kept.lists) == (found.annotation.note, ["gnn"], 5, ["Read"])


def test_the_notice_says_the_annotation_of_a_paper_set_aside_is_kept(tmp_path: Path) -> None:
    found = library_with_orphan(tmp_path / "lib")
    (notice,) = found.library.notices
    assert "catalogue.json had wrong contents" in notice
    assert "1 of them has an annotation, kept" in notice
