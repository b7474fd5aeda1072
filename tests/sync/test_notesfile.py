"""The notes file format: lossless parse/render, bodies that must not break the structure, determinism."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from papershelf.core.model import STATUSES
from papershelf.sync.engines import git_sides
from papershelf.sync.notesfile import (
    DEFAULT_PREAMBLE,
    ConflictBlock,
    Section,
    canonical_tags,
    fold_duplicate,
    normalise_note,
    paragraphs,
    parse,
    render,
    render_document,
)

# Pieces of Markdown that have bitten parsers: headings of every level, fences with ## inside, comments,
# our own machine lines (escaped or not), status-like lines, CRLF, lone CR, Unicode line breaks, emoji.
TRICKY = [
    "## A heading in the note", "# top", "### sub", "##", "   ## indented", "```", "```python", "~~~",
    "<!--", "-->", "<!-- a comment -->", "<!-- papershelf:key=mueller2021certify -->",
    "<!--\\ papershelf:key=x -->", "<!--\\\\papershelf:conflict -->", "<!-- papershelf:conflict -->",
    "<!-- papershelf:end-conflict -->", "**Status:** read · **Tags:** a", "Status: reading", "> [!WARNING]",
    "> quote", "---", "===", "- item", "1. one", "    indented code", "\\", ",", "·", "|", "Schölkopf",
    "ễ", "😀", "\u2028", "\x0c", "\x85", "\t", "  ", "",
    "<<<<<<< HEAD", "\\<<<<<<< HEAD", "=======", ">>>>>>> 1a2b3c4", "||||||| base",
]
LINE_BREAKS = ["\n", "\n", "\n", "\r\n", "\r", "\n\n"]

pieces = st.one_of(st.sampled_from(TRICKY), st.sampled_from(LINE_BREAKS), st.text(max_size=12))
notes = st.lists(pieces, max_size=40).map("".join)
keys = st.text(alphabet=string.ascii_lowercase + string.digits + ":-_.%é ", min_size=1, max_size=16)
titles = st.text(max_size=40)
tag_lists = st.lists(st.text(max_size=10), max_size=4)
conflicts = st.none() | st.builds(
    ConflictBlock, status=st.sampled_from(STATUSES), tags=tag_lists.map(canonical_tags), note=notes,
    deleted=st.booleans(),
)
sections = st.builds(
    Section, key=keys, title=titles, status=st.sampled_from(STATUSES), tags=tag_lists.map(canonical_tags),
    note=notes.map(normalise_note), conflict=conflicts,
)
section_lists = st.lists(sections, max_size=6, unique_by=lambda s: s.key)
preambles = st.sampled_from(["", "# My reading notes\n\nSome text.\n\n", "\n\n# Notes ##\n"])


def values(section: Section) -> tuple[object, ...]:
    block = section.conflict
    return (section.key, section.status, section.tags, section.note,
            None if block is None else (block.status, block.tags, normalise_note(block.note)))


@settings(max_examples=300, deadline=None)
@given(section_lists, preambles, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_parse_gives_back_what_was_rendered_and_render_is_a_fixed_point(
    given_sections: list[Section], preamble: str, newline: str, bom: bool
) -> None:
    text = render(preamble, given_sections, newline=newline, bom=bom)
    doc = parse(text)
    assert doc.problems == []
    assert [values(s) for s in doc.sections] == [values(s) for s in sorted(given_sections, key=lambda s: s.key)]
    assert [s.title for s in doc.sections] == [
        " ".join(s.title.split()) or " ".join(s.key.split()) for s in sorted(given_sections, key=lambda s: s.key)
    ]
    assert render_document(doc) == text  # render(parse(render(x))) == render(x)


@settings(max_examples=300, deadline=None)
@given(notes)
def test_any_note_body_survives_a_round_trip(note: str) -> None:
    section = Section(key="k2021x", title="T", status="reading", tags=("a",), note=note)
    neighbour = Section(key="z2021y", title="Z", status="read", note="after")
    text = render("", [section, neighbour])
    assert git_sides(text) is None  # no note can pass for git's conflict markers
    doc = parse(text)
    assert [s.key for s in doc.sections] == ["k2021x", "z2021y"]
    assert doc.sections[0].note == normalise_note(note)
    assert doc.sections[1].note == "after"


file_texts = st.lists(
    st.one_of(pieces, st.sampled_from(["## Title\n<!-- papershelf:key=a1 -->\n", "## T\n<!-- papershelf:key=b -->\n",
                                       "\n**Status:** reading\n", "\n<!-- papershelf:conflict -->\n"])),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(file_texts)
def test_any_file_text_reaches_a_fixed_point_after_one_render(text: str) -> None:
    once = render_document(parse(text))
    assert render_document(parse(once)) == once


def test_a_section_keeps_its_note_with_fences_headings_and_lookalike_lines() -> None:
    note = (
        "Intro line\n\n## My own heading\n\n```markdown\n## Not a section\n<!-- papershelf:key=other -->\n```\n"
        "<!-- papershelf:conflict -->\n### Level three"
    )
    text = render("", [Section(key="a2021b", title="Paper A", note=note), Section(key="c2021d", title="C")])
    assert "<!--\\ papershelf:key=other -->" in text  # escaped, still an invisible comment
    doc = parse(text)
    assert [(s.key, s.note) for s in doc.sections] == [("a2021b", note), ("c2021d", "")]


def test_a_heading_typed_into_the_file_stays_in_the_note() -> None:
    text = (
        "# Notes\n\n## Paper A\n<!-- papershelf:key=a2021b -->\n**Status:** reading\n\nFirst.\n\n"
        "## Typed by hand\nMore text.\n\n## Paper C\n<!-- papershelf:key=c2021d -->\n**Status:** new\n\nC.\n"
    )
    doc = parse(text)
    assert [s.key for s in doc.sections] == ["a2021b", "c2021d"]
    assert doc.sections[0].note == "First.\n\n## Typed by hand\nMore text."
    assert doc.preamble == "# Notes"


def test_an_unclosed_fence_does_not_swallow_later_sections() -> None:
    text = render("", [Section(key="a", title="A", note="```python\nx = 1"), Section(key="b", title="B", note="b")])
    assert [s.note for s in parse(text).sections] == ["```python\nx = 1", "b"]


def test_crlf_and_bom_files_are_read_and_written_back_in_kind() -> None:
    lf = render("", [Section(key="a", title="A", status="read", tags=("x",), note="one\ntwo")])
    crlf = "\ufeff" + lf.replace("\n", "\r\n")
    doc = parse(crlf)
    assert (doc.newline, doc.bom) == ("\r\n", True)
    assert doc.sections[0].note == "one\ntwo"
    assert render_document(doc) == crlf


def test_status_and_tags_line_is_lenient_and_reports_an_unknown_status() -> None:
    text = (
        "## A\n<!-- papershelf:key=a -->\nstatus: Reading | tags: rl, a\\, b, rl\n\nNote\n\n"
        "## B\n<!-- papershelf:key=b -->\n**Status:** finished\n\nB note\n\n"
        "## C\n<!-- papershelf:key=c -->\nJust a note, no status line\n"
    )
    a, b, c = parse(text).sections
    assert (a.status, a.tags, a.note) == ("reading", ("a, b", "rl"), "Note")
    assert (b.status, b.tags, b.note) == (None, (), "B note")
    assert (c.status, c.tags, c.note) == (None, None, "Just a note, no status line")
    [problem] = parse(text).problems
    assert problem.key == "b"
    assert "finished" in problem.reason
    assert problem.line == 9


def test_duplicate_and_keyless_sections_are_kept_verbatim_and_reported() -> None:
    text = (
        "## A\n<!-- papershelf:key=a -->\n**Status:** new\n\nfirst\n\n"
        "## A again\n<!-- papershelf:key=a -->\n  odd   layout\n\n\n"
        "## No key\n<!-- papershelf:key= -->\nx\n"
    )
    doc = parse(text)
    assert [(s.key, s.verbatim) for s in doc.sections] == [("a", False), ("a", True), ("", True)]
    assert [p.line for p in doc.problems] == [7, 12]
    out = render_document(doc)
    assert "## No key\n<!-- papershelf:key= -->\nx\n\n## A\n" in out  # ordered by key: "" < "a"
    assert out.endswith("first\n\n## A again\n<!-- papershelf:key=a -->\n  odd   layout\n")
    assert out.index("first") < out.index("odd")


def test_conflict_block_is_read_apart_from_the_note() -> None:
    section = Section(
        key="a", title="A", status="read", tags=("x",), note="> app version starts with a quote",
        conflict=ConflictBlock(status="skipped", tags=("y",), note="> file version\n\nmore", deleted=True),
    )
    text = render("", [section])
    assert "> [!WARNING]" in text
    assert "deleted from this file" in text
    [back] = parse(text).sections
    assert back.note == "> app version starts with a quote"
    assert back.conflict == section.conflict
    typed_after = text.rstrip("\n") + "\n\nTyped after the block.\n"
    [after] = parse(typed_after).sections
    assert after.note == "> app version starts with a quote\n\nTyped after the block."


def test_order_is_by_key_and_one_change_changes_one_section() -> None:
    many = [Section(key=f"k{i:03}", title=f"Paper {i}", note=f"note {i}") for i in range(50)]
    before = render("", list(reversed(many)))
    assert before == render("", many)
    many[17] = Section(key="k017", title="Paper 17", note="changed\nnote")
    after = render("", many)
    old_lines, new_lines = before.split("\n"), after.split("\n")
    changed = [line for line in new_lines if line not in old_lines]
    assert changed == ["changed", "note"]
    assert after.startswith(DEFAULT_PREAMBLE)


def test_it_renders_as_markdown_with_one_h2_per_paper_and_hidden_key_lines() -> None:
    text = render("", [
        Section(key="a", title="Paper A", status="reading", tags=("rl",), note="```\n## code\n```\n### Sub"),
        Section(key="b", title="Paper B", note="text", conflict=ConflictBlock("read", (), "theirs")),
    ])
    tokens = MarkdownIt("commonmark").parse(text)
    h2 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert h2 == ["Paper A", "Paper B"]
    html = MarkdownIt("commonmark").render(text)
    assert "papershelf:key=a" in html
    assert "<!-- papershelf:key=a -->" in html
    assert "<blockquote>" in html
    assert "<strong>Sync conflict:</strong>" in html
    assert "<code>## code\n</code>" in html


# -- fences (issue 13, loss 3): inside a fenced code block nothing is structure -------------------------------

PASTED_EXAMPLE = (
    "How my notes file looks:\n\n````markdown\n## Some paper\n<!-- papershelf:key=zz2020other -->\n"
    "**Status:** read\n\n```\n## Still inside the outer fence\n<!-- papershelf:key=yy2020inner -->\n```\n"
    "````\n\nAfter the code."
)


def test_a_key_line_typed_inside_a_fence_stays_in_the_note() -> None:
    text = (
        "## Paper A\n<!-- papershelf:key=a2021b -->\n**Status:** reading\n\n" + PASTED_EXAMPLE + "\n\n"
        "## Paper C\n<!-- papershelf:key=c2021d -->\n**Status:** new\n\n~~~\n## x\n<!-- papershelf:key=q -->\n~~~\n"
    )
    doc = parse(text)
    assert [s.key for s in doc.sections] == ["a2021b", "c2021d"]
    assert doc.sections[0].note == PASTED_EXAMPLE
    assert doc.sections[1].note == "~~~\n## x\n<!-- papershelf:key=q -->\n~~~"
    assert doc.problems == []
    # Written back, the pasted key lines are escaped (still invisible comments) and read back the same.
    again = parse(render_document(doc))
    assert [(s.key, s.note) for s in again.sections] == [(s.key, s.note) for s in doc.sections]


def test_a_fence_closes_only_with_its_own_kind_and_length() -> None:
    note = "```\n~~~\n## h\n<!-- papershelf:key=b -->\n``\n```` still closes it"
    text = "## A\n<!-- papershelf:key=a -->\n\n" + note + "\n"
    # "```` still closes it" has text after the run: not a closing fence, so the fence is never closed
    # and, never closed, hides nothing (a half-typed fence must not swallow the sections after it).
    assert [s.key for s in parse(text).sections] == ["a", "b"]
    closed = "## A\n<!-- papershelf:key=a -->\n\n```\n~~~\n## h\n<!-- papershelf:key=b -->\n````\n"
    assert [s.key for s in parse(closed).sections] == ["a"]


def test_a_note_ending_inside_a_fence_is_written_so_that_it_cannot_swallow_the_next_section() -> None:
    sections = [Section(key="a", title="A", note="```\nhalf typed"),
                Section(key="b", title="B", note="```python\nx = 1\n```"),
                Section(key="c", title="C", note="c")]
    text = render("", sections)
    tokens = MarkdownIt("commonmark").parse(text)
    h2 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert h2 == ["A", "B", "C"]  # a CommonMark reader sees every section too
    assert [(s.key, s.note) for s in parse(text).sections] == [(s.key, s.note) for s in sections]


# -- folding versions into a conflict block ------------------------------------------------------------------

versions = st.lists(st.tuples(notes, st.one_of(st.none(), notes)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(note=notes, folded=versions)
def test_folding_any_versions_keeps_every_paragraph_once(note: str, folded: list[tuple[str, str | None]]) -> None:
    first = Section(key="k", note=normalise_note(note))
    for version, block_note in folded:
        block = None if block_note is None else ConflictBlock(status=None, tags=None, note=normalise_note(block_note))
        fold_duplicate(first, Section(key="k", note=normalise_note(version), conflict=block))
    kept = paragraphs(first.conflict.note) if first.conflict else []
    assert len(kept) == len(set(kept))
    everything = set(paragraphs(first.note)) | set(kept)
    for version, block_note in folded:
        for paragraph in paragraphs(version) + paragraphs(block_note or ""):
            assert paragraph in everything
    # The block is read back from the file as the same paragraphs (the next sync folds the same text).
    if first.conflict is not None:
        read = parse(render(DEFAULT_PREAMBLE, [first])).sections[0].conflict
        assert read is not None
        assert paragraphs(read.note) == kept


@settings(max_examples=300, deadline=None)
@given(note=notes)
def test_paragraphs_joined_by_blank_lines_split_back_the_same(note: str) -> None:
    parts = paragraphs(note)
    assert paragraphs("\n\n".join(parts)) == parts
    text = normalise_note(note)
    for part in parts:  # each is a piece of the note (a fence it left open gets its closing line)
        assert part in text or part.rsplit("\n", 1)[0] in text


def test_a_fenced_block_with_blank_lines_is_one_paragraph_and_repeats_fold_once() -> None:
    code = "```python\nx = 1\n\n\ny = 2\n```"
    assert paragraphs(f"Intro\n\n{code}\n\n  \nEnd") == ["Intro", code, "End"]
    first = Section(key="k", note="Intro")
    for _ in range(3):
        fold_duplicate(first, Section(key="k", note=f"Intro\n\n{code}\n\nOther"))
        theirs = ConflictBlock(None, None, "More\n\nOther")
        fold_duplicate(first, Section(key="k", note="Other\n\nMore", conflict=theirs))
    assert first.conflict is not None
    assert first.conflict.note == f"{code}\n\nOther\n\nMore"


def test_a_block_that_already_repeats_itself_is_folded_to_one_copy_of_each_paragraph() -> None:
    first = Section(key="k", note="Ours", conflict=ConflictBlock("read", ("a",), "Theirs\n\nOld\n\nTheirs\n\nOld"))
    fold_duplicate(first, Section(key="k", note="Ours\n\nNew"))
    assert first.conflict == ConflictBlock("read", ("a",), "Theirs\n\nOld\n\nNew")


def test_blanks_at_a_paragraph_s_end_do_not_make_it_another_paragraph() -> None:
    first = Section(key="k", note="")
    fold_duplicate(first, Section(key="k", note=normalise_note("x y\n\nx y\t\n\nx y")))
    assert first.conflict is not None
    assert paragraphs(first.conflict.note) == ["x y"]
