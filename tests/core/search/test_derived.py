"""The derived-index base: rows in library order, kept current through edits, imports and work in steps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from papershelf.core.fields import NO_ANNOTATION, TAGS
from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.derived import DerivedIndex


class TagIndex(DerivedIndex):
    """The smallest real kind of derived index: each paper's tags text; it counts the rows it computes."""

    STEP_ROWS = 10

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self.rows: list[str] = []
        self.computed = 0

    def _value(self, pid: str) -> str:
        self.computed += 1
        return TAGS.text(self.library.papers[pid], self.library.stored_annotation(pid) or NO_ANNOTATION)

    def _clear(self) -> None:
        self.rows = []

    def _append_rows(self, ids: Sequence[str]) -> None:
        self.rows.extend(self._value(pid) for pid in ids)

    def _update_row(self, row: int, paper_id: str) -> None:
        self.rows[row] = self._value(paper_id)

    def _adopt(self, fresh: TagIndex) -> None:
        self.rows = fresh.rows

    def tagged(self) -> list[str]:
        """A question, as a real index answers one: brought up to date first."""
        self.sync()
        return [pid for pid, tags in zip(self.row_ids, self.rows, strict=True) if tags]


def papers(count: int, start: int = 0) -> list[Paper]:
    return [Paper(id="", key=f"p{n}", title=f"Paper {n}", authors=["Ana Lee"], year=2020)
            for n in range(start, start + count)]


def make(folder: Path) -> tuple[Library, TagIndex, list[str]]:
    library = Library(folder)
    library.import_papers(papers(25))
    index = TagIndex(library)
    library.events.connect_ids(index.invalidate)
    return library, index, list(library.papers)


def test_rows_follow_edits_and_imports_and_only_new_papers_are_computed(tmp_path: Path) -> None:
    library, index, ids = make(tmp_path / "lib")
    assert index.tagged() == []
    assert index.computed == 25
    library.annotate(ids[3:5], AnnotationChange(add_tags=("rl",)))
    assert index.tagged() == ids[3:5]
    assert index.computed == 27  # the two papers edited
    library.import_papers(papers(3, start=100))
    new = list(library.papers)[25:]
    library.annotate(new[:1], AnnotationChange(add_tags=("new",)))
    assert index.tagged() == [*ids[3:5], new[0]]
    assert index.computed == 30  # the three new papers, once each


def test_catching_up_in_steps_keeps_an_edit_made_between_steps(tmp_path: Path) -> None:
    library, index, ids = make(tmp_path / "lib")
    index.start_catch_up()
    assert not index.step(0.0)  # 10 rows of 25
    library.annotate([ids[0], ids[-1]], AnnotationChange(add_tags=("between",)))  # one row computed, one not
    while not index.step(0.0):
        pass
    assert index.rows[0] == index.rows[-1] == "between"
    assert index.tagged() == [ids[0], ids[-1]]


def test_building_anew_answers_from_the_old_rows_meanwhile_and_adopts_edits(tmp_path: Path) -> None:
    library, index, ids = make(tmp_path / "lib")
    library.annotate(ids[:1], AnnotationChange(add_tags=("old",)))
    assert index.tagged() == ids[:1]
    index.start_rebuild()
    assert not index.step(0.0)
    library.annotate(ids[1:2], AnnotationChange(add_tags=("meanwhile",)))
    assert index.tagged() == ids[:2]  # the old rows answer, with the edit applied
    assert index.ready
    library.import_papers(papers(2, start=100))
    while not index.step(0.0):
        pass
    assert index.rows[:2] == ["old", "meanwhile"]
    assert len(index.rows) == len(library.papers) == 27  # papers imported during the build are caught up


def test_a_question_before_anything_was_built_finishes_the_build(tmp_path: Path) -> None:
    library, index, ids = make(tmp_path / "lib")
    index.start_rebuild()
    assert not index.ready
    library.annotate(ids[7:8], AnnotationChange(add_tags=("x",)))
    assert index.tagged() == ids[7:8]
    assert index.ready
    assert index.step(0.0)  # nothing left to do
