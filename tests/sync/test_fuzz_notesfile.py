"""Fuzzing the notes-file parser: any text gives a document with problems, never an exception, in bounded
time, and one render of it is a fixed point (what a sync writes back reads back the same)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.model import STATUSES
from papershelf.core.search.steps import run
from papershelf.sync.notesfile import (
    NotesDocument,
    parse,
    render_document,
    split_bytes_steps,
    split_held_bytes_steps,
    split_steps,
)
from tests.fuzz import broken_by, time_limit

ARBITRARY_EXAMPLES = 600
STRUCTURED_EXAMPLES = 800
BROKEN_EXAMPLES = 800


def check(text: str) -> NotesDocument:
    """Parse and render within the time limit; check what the parser promises about any document."""
    with time_limit():
        doc = parse(text)
        assert_documented(doc)
    return doc


def assert_documented(doc: NotesDocument) -> None:
    """What ``notesfile.parse`` promises for any text (the atheris harness checks the same)."""
    once = render_document(doc)
    again = render_document(parse(once))
    lines = doc.text.count("\n") + 1
    assert all(0 <= problem.line <= lines for problem in doc.problems)
    assert all(problem.reason for problem in doc.problems)
    read = [section for section in doc.sections if not section.verbatim]
    assert len({section.key for section in read}) == len(read)  # one section per key is read; others kept
    for section in read:
        assert section.key
        assert section.status is None or section.status in STATUSES
        assert section.tags is None or all(tag and tag == " ".join(tag.split()) for tag in section.tags)
        assert "\r" not in section.note
    assert once == again


# -- grammar-shaped text ---------------------------------------------------------------------------------

_heading = st.sampled_from([
    "## Paper title", "##", "## ", "   ## Indented three", "    ## Indented four", "### Level three", "# Top",
    "##No space", "## [Link](#) title", "## Müller's ễ paper 😀", "##\tTabbed",
])
_key_line = st.sampled_from([
    "<!-- papershelf:key=smith2020 -->", "<!-- papershelf:key=jones2021 -->", "<!-- papershelf:key= -->",
    "<!--papershelf:key=smith2020-->", "<!-- papershelf:key=a%20b -->", "<!-- papershelf:key=%zz -->",
    "<!--\\ papershelf:key=smith2020 -->", "  <!-- papershelf:key=jones2021 -->  ", "<!-- papershelf:key=x y -->",
    "<!-- papershelf:key=smith2020", "<!-- papershelf:keys=smith2020 -->",
])
_status_line = st.one_of(
    st.builds(lambda s, t: f"**Status:** {s} · **Tags:** {t}", st.sampled_from([*STATUSES, "done", "", "READ"]),
              st.sampled_from(["a, b", "a\\, b", "\\\\", ",,,", "  x  ", "", "ễ, 😀"])),
    st.sampled_from(["**Status:** reading", "Status: read | Tags: x", "status:", "**Status:**", "· **Tags:** a"]),
)
_body_line = st.one_of(
    st.sampled_from([
        "Some note text.", "", "   ", "```", "```python", "~~~", "## heading in a note", "<!-- comment",
        "-->", "<!-- a comment -->", "> [!WARNING]", "> quote", "- item", "\\", "<!-- papershelf:conflict -->",
        "<!-- papershelf:conflict=deleted -->", "<!-- papershelf:end-conflict -->",
        "<!--\\\\ papershelf:end-conflict -->", "\u2028", "\x0c", "\x85", "\ufeff",
    ]),
    st.text(max_size=30),
)
_section = st.builds(
    lambda h, k, s, body: "\n".join([h, k, *s, *body]),
    _heading, _key_line, st.lists(_status_line, max_size=1), st.lists(_body_line, max_size=8),
)
_preamble = st.sampled_from(["", "# Papershelf notes\n\n> Kept in sync.", "\ufeff# Notes", "text\n\n"])
notes_files = st.builds(
    lambda pre, sections, newline: (pre + "\n\n" + "\n\n".join(sections)).replace("\n", newline),
    _preamble, st.lists(_section, max_size=6), st.sampled_from(["\n", "\n", "\r\n", "\r"]),
)

INSERTED = ["\n", "\r", "#", "<!--", "-->", "`", "\\", ",", "·", "*", "\u2028", "\x00"]


broken = broken_by(INSERTED, window=60)


@settings(max_examples=ARBITRARY_EXAMPLES, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    check(text)


@settings(max_examples=STRUCTURED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes_files)
def test_grammar_shaped_files_never_raise(text: str) -> None:
    check(text)


@settings(max_examples=BROKEN_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken(notes_files))
def test_broken_files_never_raise(text: str) -> None:
    check(text)


def test_a_huge_unclosed_conflict_block_and_fence_take_no_time() -> None:
    section = "## T\n<!-- papershelf:key=k -->\n**Status:** read\n\n<!-- papershelf:conflict -->\n```\n"
    doc = check(section + "## not a section\n" * 20_000)
    assert [s.key for s in doc.sections] == ["k"]
    assert doc.sections[0].conflict is not None


# -- the split of a file's bytes (a large file, in the window) is the split of its text -------------------

_key_lines_with_spaces = st.sampled_from([
    "<!-- papershelf:key=a\u00a0b -->", "<!-- papershelf:key=a\x1cb -->", "<!-- papershelf:key=ễ\u2003 -->",
    "<!-- papershelf:key=ễ😀 -->",
])
_odd_section = st.builds(lambda h, k, body: "\n".join([h, k, *body]), _heading, _key_lines_with_spaces,
                         st.lists(_body_line, max_size=4))


def assert_same_split(text: str) -> None:
    data = text.encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return  # (the window splits such a file as text)
    expected = run(split_steps(text))
    got = run(split_bytes_steps(data))
    assert got.preamble == expected.preamble
    assert got.problems == expected.problems
    assert [(s.key, s.raw, s.line, s.verbatim, s.duplicate, s.open_fence) for s in got.sections] == [
        (s.key, s.raw, s.line, s.verbatim, s.duplicate, s.open_fence) for s in expected.sections]
    assert [len(data[: s.start].decode()) for s in got.sections] == [s.start for s in expected.sections]
    # the sections' texts left as UTF-8 for the reader to decode: the same texts, encoded
    as_bytes = run(split_held_bytes_steps([data], lambda start, end: data[start:end], as_bytes=True))
    assert [(s.raw, s.encoded) for s in as_bytes.sections] == [("", s.raw.encode()) for s in expected.sections]
    assert [(s.key, s.line, s.start, s.end) for s in as_bytes.sections] == [
        (s.key, s.line, s.start, s.end) for s in got.sections]


@settings(max_examples=STRUCTURED_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(lambda pre, sections: pre + "\n\n" + "\n\n".join(sections), _preamble,
                 st.lists(st.one_of(_section, _odd_section), max_size=6)))
def test_the_bytes_of_a_file_split_as_its_text(text: str) -> None:
    assert_same_split(text)


@settings(max_examples=BROKEN_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken(notes_files))
def test_the_bytes_of_a_broken_file_split_as_its_text(text: str) -> None:
    assert_same_split(text)


@settings(max_examples=ARBITRARY_EXAMPLES, deadline=None)
@given(st.text())
def test_the_bytes_of_any_text_split_as_the_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # (a lone surrogate: no file holds it)
    assert_same_split(text)
