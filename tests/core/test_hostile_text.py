"""Hostile text (markup, script, bidi overrides, NUL bytes, 1 MB fields) is stored and searched as text."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.core.search.index import SearchIndex, filter_papers
from papershelf.core.search.query import parse_query

HOSTILE_TITLE = '<script>alert("x")</script> <img src="http://example.org/t.png"> \u202eevil\u202c \x00 end'
BIG = ("lorem ipsum " * 90_000)[:1_000_000]


def test_hostile_fields_round_trip_and_search(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_papers([
        Paper(id="", key="", title=HOSTILE_TITLE, authors=["<b>Mallory</b>", "Nul\x00Byte"], year=2024,
              abstract=BIG + " needleword", url="javascript:alert(1)"),
        Paper(id="", key="", title="A calm paper", authors=["Alice"], year=2024, abstract="calm"),
    ])
    pid = next(p.id for p in library.papers.values() if p.title == HOSTILE_TITLE)
    library.annotate([pid], AnnotationChange(note="<iframe src='http://x'></iframe>\x00" + BIG, add_tags=("<tag>",)))

    reopened = Library(tmp_path / "lib")
    paper = reopened.papers[pid]
    assert paper.title == HOSTILE_TITLE
    assert paper.authors == ["<b>Mallory</b>", "Nul\x00Byte"]
    assert len(paper.abstract) == len(BIG) + len(" needleword")
    assert reopened.annotation(pid).note.startswith("<iframe src='http://x'></iframe>\x00")

    keys = {reopened.papers[i].key for i in filter_papers(reopened, "needleword")}
    assert keys == {paper.key}
    assert filter_papers(reopened, "tag:<tag>") == [pid]
    assert filter_papers(reopened, '"evil"') == [pid]
    index = SearchIndex(reopened)
    calm = [p for p in reopened.papers if reopened.papers[p].title == "A calm paper"]
    assert index.filter(parse_query("calm")) == calm
