"""Markdown reading-list export, read back with markdown-it-py (CommonMark) to check what a renderer sees."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from papershelf.core.model import Annotation, Paper
from papershelf.formats import markdown_export
from papershelf.formats.markdown_export import MarkdownOptions

HOSTILE_TITLES = [
    "Plain title",
    "*Stars* and _underscores_ and __bold__ and `code`",
    "[Brackets](http://not-a-link) and ![image](x.png) and [ref]",
    "Pipes | in | a | table? <b>html</b> <http://auto.link> &amp; &#35;",
    "# Not a heading ## and trailing #",
    "1. Not a list - nor this + that > quote ~~strike~~ \\ backslash \\*",
    "Ends with a backslash \\",
]


@dataclass
class Item:
    checked: str  # "[x]" or "[ ]"
    title: str  # the bold text as a renderer shows it
    link: str
    text: str  # every text of the item, as rendered (without markup)


def items(markdown: str) -> list[Item]:
    """Top-level list items: their checkbox, bold title (with link) and all their text."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    found: list[Item] = []
    for index, token in enumerate(tokens):
        if token.type != "list_item_open" or token.level != 1:
            continue
        inline = next(t for t in tokens[index:] if t.type == "inline")
        children: list[Token] = inline.children or []
        strong = [i for i, c in enumerate(children) if c.type in ("strong_open", "strong_close")]
        inside = children[strong[0] + 1 : strong[1]]
        title = "".join(c.content for c in inside if c.type in ("text", "code_inline"))
        link = next((str(c.attrs.get("href", "")) for c in inside if c.type == "link_open"), "")
        end = next(i for i in range(index, len(tokens)) if tokens[i].type == "list_item_close"
                   and tokens[i].level == 1)
        text = " ".join(
            "".join(c.content if c.type in ("text", "code_inline") else " " if "break" in c.type else ""
                    for c in t.children or [])
            for t in tokens[index:end]
            if t.type == "inline"
        )
        found.append(Item(children[0].content[:3], title, link, text))
    return found


def paper(i: int, title: str, **extra: object) -> Paper:
    return Paper(id=f"p{i}", key=f"key{i}", title=title, authors=[f"Author {i}"], year=2021, venue="ICLR",
                 track="Oral", url=f"https://openreview.net/forum?id={i}", **extra)  # type: ignore[arg-type]


def test_one_item_per_paper_and_titles_intact() -> None:
    papers = [paper(i, t) for i, t in enumerate(HOSTILE_TITLES)]
    anns = {"p0": Annotation(status="read"), "p3": Annotation(status="read")}
    text = markdown_export.render(papers, anns, MarkdownOptions(group_by="none")).text
    found = items(text)
    assert [i.title for i in found] == [" ".join(t.split()) for t in HOSTILE_TITLES]
    assert [i.checked for i in found] == ["[x]", "[ ]", "[ ]", "[x]", "[ ]", "[ ]", "[ ]"]
    assert [i.link for i in found] == [p.url for p in papers]
    tokens = MarkdownIt("commonmark").parse(text)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1"]
    assert not [t for t in tokens if t.type in ("html_block", "html_inline", "code_block", "fence", "hr")]


def test_item_details_authors_venue_track_key() -> None:
    many = paper(1, "Many authors", abstract="An *abstract*\n\n# with a heading-like line")
    many.authors = [f"Author {n}" for n in range(7)]
    ann = Annotation(note="My **note**\n\n- point one\n- point two\n\n<pre>\nunclosed html")
    text = markdown_export.render([many, paper(2, "Next")], {"p1": ann},
                                  MarkdownOptions(group_by="none", abstract=True, notes=True)).text
    first, second = items(text)
    assert "Author 0, Author 1, Author 2, Author 3, Author 4 et al. · ICLR 2021 · Oral · key1" in first.text
    assert "Author 5" not in first.text
    assert "An *abstract*" in first.text
    assert "# with a heading-like line" in first.text
    assert "My note" in first.text  # the note is Markdown, rendered
    assert "point two" in first.text
    assert second.title == "Next"  # the unclosed <pre> in the note stayed inside its item


@pytest.mark.parametrize(
    ("group_by", "headings"),
    [
        ("status", ["To read (2)", "Read (1)"]),
        ("track", ["Oral (2)", "No track (1)"]),
        ("tag", ["deep learning (2)", "rl (1)", "Untagged (1)"]),
        ("list", ["thesis (1)", "In no list (2)"]),
    ],
)
def test_grouping(group_by: str, headings: list[str]) -> None:
    papers = [paper(1, "One"), paper(2, "Two"), paper(3, "Three")]
    papers[2].track = None
    anns = {
        "p1": Annotation(status="to-read", tags=["rl", "deep learning"], lists=["thesis"]),
        "p2": Annotation(status="read", tags=["deep learning"]),
        "p3": Annotation(status="to-read"),
    }
    text = markdown_export.render(papers, anns, MarkdownOptions(group_by=group_by, date="2024-05-01")).text
    tokens = MarkdownIt("commonmark").parse(text)
    found = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert found == headings
    assert "Exported 2024-05-01 · 3 papers" in text


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot group by"):
        markdown_export.render([], {}, MarkdownOptions(group_by="colour"))


def test_heading_and_code_span_escaping() -> None:
    text = markdown_export.render([paper(1, "x")], {}, MarkdownOptions(title="C# *notes* #", group_by="none")).text
    tokens = MarkdownIt("commonmark").parse(text)
    assert tokens[1].children is not None
    assert "".join(c.content for c in tokens[1].children) == "C# *notes* #"
    assert markdown_export.code_span("a`b") == "``a`b``"
    assert markdown_export.code_span("`x") == "`` `x ``"


def test_ten_thousand_papers_render() -> None:
    # How fast is measured by `make bench` (export_markdown_10k_s), not here.
    papers = [paper(i, f"Paper number {i} with *stars*") for i in range(10_000)]
    result = markdown_export.render(papers, {}, MarkdownOptions(abstract=True, notes=True))
    assert result.text.count("\n- [ ] **") == 10_000
