"""Fuzzing the paper-list importer: any text gives papers and problems, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.formats import paperlist

LINES = st.sampled_from([
    "## [Title](#)", "## Plain title", "##", "## []()", "- A, B", "- abstract@[open-review\\(Poster\\)](#): x",
    "- abstract@[x\\(Oral\\)](http://e.org): y", "", "   ", "# Top", "### sub", "text \\(", "\r", "\ufeff",
    "- abstract@[", "## [unclosed(#)", "- , , ,",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(max_size=80)), max_size=40))
def test_any_text_parses_without_raising(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = paperlist.parse(text)
    line_count = max(len(text.splitlines()), 1)
    assert all(1 <= problem.line <= line_count for problem in result.problems)
    assert all(paper.title for paper in result.papers)
    assert len(result.papers) == len(result.lines)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_unicode_never_raises(text: str) -> None:
    result = paperlist.parse(text)
    assert isinstance(result.problems, list)
