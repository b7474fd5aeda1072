"""The conference paper-list Markdown importer, on the real ICLR 2021 list and on awkward input."""

from __future__ import annotations

from collections import Counter

import pytest

from papershelf.core.resources import data_dir
from papershelf.formats import paperlist


@pytest.fixture(scope="module")
def iclr() -> paperlist.ParseResult:
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    return paperlist.parse(text, venue="ICLR", year=2021)


def by_title(result: paperlist.ParseResult, title: str) -> paperlist.Paper:
    (paper,) = [p for p in result.papers if p.title == title]
    return paper


def test_real_list_gives_860_papers_by_track(iclr: paperlist.ParseResult) -> None:
    assert len(iclr.papers) == 860
    assert Counter(p.track for p in iclr.papers) == {"Oral": 53, "Spotlight": 114, "Poster": 693}
    assert iclr.problems == []
    assert all(p.authors and p.abstract for p in iclr.papers)
    assert {(p.venue, p.year, p.entry_type) for p in iclr.papers} == {("ICLR", 2021, "inproceedings")}


def test_multi_paragraph_abstract_is_kept_whole(iclr: paperlist.ParseResult) -> None:
    paper = by_title(iclr, "On the Transfer of Disentangled Representations in Realistic Settings")
    assert paper.track == "Poster"
    assert paper.authors[0] == "Andrea Dittadi"
    assert len(paper.authors) == 8
    assert paper.abstract.startswith("Learning meaningful representations that disentangle")
    assert "with 1M simulated images and\n\nover 1,800 annotated real-world images" in paper.abstract
    assert paper.abstract.endswith("out-of-distribution (OOD) task performance.")


def test_non_ascii_authors(iclr: paperlist.ParseResult) -> None:
    paper = by_title(iclr, "A teacher-student framework to distill future trajectories")
    assert paper.authors == ["Alexander Neitz", "Giambattista Parascandolo", "Bernhard Schölkopf"]
    assert paper.track == "Poster"
    assert paper.url == ""
    assert paper.abstract.startswith("By learning to predict trajectories of dynamical systems")
    assert "\n" not in paper.abstract


def test_plain_heading_without_link(iclr: paperlist.ParseResult) -> None:
    paper = by_title(iclr, "Modeling the Second Player in Distributionally Robust Optimization")
    assert paper.authors == ["Paul Michel", "Tatsunori Hashimoto", "Graham Neubig"]
    assert paper.track == "Poster"
    assert paper.abstract.startswith("Distributionally robust optimization (DRO) provides a framework")
    assert paper.abstract.endswith("more robust than comparable baselines.")


def test_escaped_parentheses_in_titles_are_unescaped(iclr: paperlist.ParseResult) -> None:
    titles = [p.title for p in iclr.papers if "coRNN" in p.title]
    assert titles
    assert all("\\(" not in t and "(coRNN)" in t for t in titles)
    assert not any("\\(" in p.title or "\\)" in p.title for p in iclr.papers)


def test_no_abstract_is_cut_at_a_paragraph_break(iclr: paperlist.ParseResult) -> None:
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    continuation_lines = [
        line for line in text.splitlines() if line and not line.startswith(("## ", "- "))
    ]
    # Compared without backslashes: the importer removes Markdown escapes (\$ \_), the source keeps them.
    abstracts = "\n".join(p.abstract for p in iclr.papers).replace("\\", "")
    assert continuation_lines
    missing = [line for line in continuation_lines if line.strip().replace("\\", "") not in abstracts]
    assert missing == []


def test_markdown_escapes_in_titles_are_undone(iclr: paperlist.ParseResult) -> None:
    titles = {p.title for p in iclr.papers}
    assert "$i$-Mix: A Domain-Agnostic Strategy for Contrastive Representation Learning" in titles
    assert "Improved Estimation of Concentration Under $\\ell_p$ -Norm Distance Metrics Using Half Spaces" in titles
    assert "VA-RED$^2$: Video Adaptive Redundancy Reduction" in titles
    assert not [t for t in titles if "\\$" in t or "\\_" in t]


def test_crlf_trailing_spaces_and_incomplete_entries() -> None:
    text = (
        "# Some Conference 2030\r\n\r\n"
        "## [First \\(paper\\)](https://example.org/1)   \r\n\r\n"
        "- Ann Author, Bob Builder  \r\n"
        "- abstract@[open-review\\(Oral\\)](#): One.  \r\n\r\nTwo.\r\n\r\n"
        "## Only a title\r\n\r\n"
        "## No abstract\r\n"
        "- Carla Coder\r\n"
        "## No authors\r\n"
        "- abstract@[x\\(Spotlight\\)](#): Just this.\r\n"
    )
    result = paperlist.parse(text, venue="SC", year=2030)
    assert [p.title for p in result.papers] == ["First (paper)", "Only a title", "No abstract", "No authors"]
    first, only, no_abstract, no_authors = result.papers
    assert first.url == "https://example.org/1"
    assert first.authors == ["Ann Author", "Bob Builder"]
    assert first.abstract == "One.\n\nTwo."
    assert first.track == "Oral"
    assert (only.authors, only.abstract, only.track) == ([], "", None)
    assert (no_abstract.authors, no_abstract.abstract) == (["Carla Coder"], "")
    assert (no_authors.authors, no_authors.abstract, no_authors.track) == ([], "Just this.", "Spotlight")
    assert result.problems == []


def test_unreadable_lines_are_reported_with_line_numbers() -> None:
    text = (
        "stray text before any entry\n"  # line 1
        "## [Good](#)\n"  # 2
        "- A Person\n"  # 3
        "- a third bullet that is neither authors nor abstract\n"  # 4
        "- abstract@[open-review\\(Workshop\\)](#): Text.\n"  # 5
        "## [](#)\n"  # 6
        "- Orphan Author\n"  # 7
    )
    result = paperlist.parse(text)
    assert [p.title for p in result.papers] == ["Good"]
    assert result.papers[0].abstract == "Text."
    assert result.papers[0].track is None
    lines = {p.line: p for p in result.problems}
    assert set(lines) == {1, 4, 5, 6, 7}
    assert "outside any entry" in lines[1].reason
    assert "unexpected line" in lines[4].reason
    assert "unknown track 'Workshop'" in lines[5].reason
    assert lines[5].severity == "warning"
    assert "without a title" in lines[6].reason
    assert {p.line for p in result.errors} == {1, 4, 6, 7}
