"""A large notes file reads as the simple, line-by-line reading of it does, in steps as at once."""

from __future__ import annotations

import random
import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.core.search.steps import run
from papershelf.sync.notesfile import (
    STEP_SECTIONS,
    Section,
    canonical_tags,
    normalise_note,
    parse,
    read_section,
    render,
    render_encoded_steps,
    render_steps,
    split,
    split_steps,
)

FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
HEADING = re.compile(r" {0,3}##(?:[ \t].*)?")
KEY_LINE = re.compile(r"[ \t]*<!--[ \t]*papershelf:key=(\S*?)[ \t]*-->[ \t]*")


def reference_sections(text: str) -> list[tuple[int, str]]:
    """(line, key) of each section, found line by line as the module docstring says: a ``## `` line right
    above a key line, outside closed fenced code (a fence never closed hides nothing, and no fence opens
    after it)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    code: set[int] = set()
    i = 0
    while i < len(lines):
        match = FENCE.fullmatch(lines[i])
        if match is None or (match.group(1)[0] == "`" and "`" in match.group(2)):
            i += 1
            continue
        run_ = match.group(1)
        for j in range(i + 1, len(lines)):
            closer = FENCE.fullmatch(lines[j])
            if (closer and closer.group(1)[0] == run_[0] and len(closer.group(1)) >= len(run_)
                    and not closer.group(2).strip(" \t")):
                code.update(range(i, j + 1))
                i = j + 1
                break
        else:
            break
    found = []
    for n in range(len(lines) - 1):
        key = KEY_LINE.fullmatch(lines[n + 1])
        if n not in code and HEADING.fullmatch(lines[n]) and key:
            found.append((n + 1, unquote(key.group(1))))
    return found


PIECES = [
    "A plain sentence about the method.", "Schölkopf’s kernel trick — “quoted”.", "### A heading of the note",
    "## A level-2 heading of the note", "- a list item", "| a | b |\n| --- | --- |\n| 1 | 2 |",
    "```python\n## inside code\n<!-- papershelf:key=fakekey -->\n```",
    "~~~~\n## Hidden title\n<!-- papershelf:key=hiddenkey -->\n```\nstill code\n~~~~",
    "``` inline `code` is not a fence", "````\ncode with ``` inside\n````", "<!-- a comment -->",
    "<!-- papershelf:key=escaped -->", "<<<<<<< HEAD", "**Status:** read", "",
]


def random_note(rng: random.Random, parts: int) -> str:
    return "\n\n".join(rng.choice(PIECES) for _ in range(parts))


def sections(rng: random.Random, count: int, note_parts: int) -> list[Section]:
    return [
        Section(key=f"paper{n:05d}:{rng.choice(['x', 'y%z', 'é'])}", title=f"Paper {n}",
                status=rng.choice(["new", "reading", "read"]), tags=canonical_tags(rng.sample(["a", "b,c", "d"], 2)),
                note=normalise_note(random_note(rng, rng.randint(0, note_parts))))
        for n in range(count)
    ]


def raw_file(rng: random.Random, count: int) -> str:
    """A file written by hand: sections, stray fences (one never closed), a heading on the first line."""
    chunks = []
    for n in range(count):
        chunks.append(f"## Title {n}\n<!-- papershelf:key=k{n} -->\n**Status:** read\n\n{random_note(rng, 4)}")
        if rng.random() < 0.05:
            chunks.append(rng.choice(["```", "~~~", "```\n## Ghost\n<!-- papershelf:key=ghost -->\n```"]))
    return "\n\n".join(chunks)


@pytest.fixture(scope="module")
def big_sections() -> list[Section]:
    return sections(random.Random(13), 3_000, 12)  # ~3 MB, thousands of fences


@pytest.fixture(scope="module")
def big_text(big_sections: list[Section]) -> str:
    return render("", big_sections)


def test_a_large_file_has_the_sections_a_line_by_line_reading_finds(big_text: str) -> None:
    doc = split(big_text)
    assert [(s.line, s.key) for s in doc.sections] == reference_sections(big_text)
    assert len(doc.sections) == 3_000


def test_each_section_of_a_large_file_reads_as_that_section_alone(
    big_text: str, big_sections: list[Section]
) -> None:
    doc = parse(big_text)
    assert not doc.problems
    for read, written in zip(doc.sections, big_sections, strict=True):
        alone = parse(render("", [written])).sections[0]
        assert (read.key, read.title, read.status, read.tags, read.note) == (
            alone.key, alone.title, alone.status, alone.tags, alone.note)
        assert (read.status, read.tags, read.note) == (written.status, written.tags, written.note)
        assert read.raw == big_text[read.start : read.end].rstrip("\n")


@pytest.mark.parametrize("seed", range(20))
def test_files_written_by_hand_have_the_sections_a_line_by_line_reading_finds(seed: int) -> None:
    text = raw_file(random.Random(seed), 300)
    for variant in (text, "\ufeff" + text.replace("\n", "\r\n"), "preamble\n" + text, "```\n" + text):
        assert [(s.line, s.key) for s in split(variant).sections] == reference_sections(variant)


@given(st.lists(st.sampled_from([*PIECES, "## T\n<!-- papershelf:key=k1 -->", "## U\n<!-- papershelf:key=k2 -->",
                                 "```", "~~~", "\r\n", "\n"]), max_size=30).map("\n".join))
@settings(max_examples=300, deadline=None)
def test_any_file_has_the_sections_a_line_by_line_reading_finds(text: str) -> None:
    assert [(s.line, s.key) for s in split(text).sections] == reference_sections(text)


def test_split_and_render_in_steps_pause_and_give_what_at_once_gives(
    big_text: str, big_sections: list[Section]
) -> None:
    steps = split_steps(big_text)
    pauses = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            stepped = done.value
            break
        pauses += 1
    assert pauses >= len(big_sections) // STEP_SECTIONS
    at_once = split(big_text)
    assert [(s.key, s.start, s.end, s.raw) for s in stepped.sections] == [
        (s.key, s.start, s.end, s.raw) for s in at_once.sections]
    for section in stepped.sections:
        read_section(section, stepped.problems)
    assert run(render_steps(stepped.preamble, stepped.sections)) == big_text


def test_a_section_on_the_first_line_and_a_fence_on_the_first_line() -> None:
    first = "## Only\n<!-- papershelf:key=only -->\n**Status:** read\n\nNote."
    assert [s.key for s in parse(first).sections] == ["only"]
    fenced = "```\n" + first + "\n```\n\n" + first.replace("only", "after")
    assert [s.key for s in parse(fenced).sections] == ["after"]  # the first one is code
    assert parse(fenced).preamble.startswith("```\n## Only")


@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", False), ("\n", True), ("\r\n", True)])
def test_rendered_bytes_are_the_rendered_text_encoded(big_sections: list[Section], newline: str, bom: bool) -> None:
    some = big_sections[:500]
    text = render("Preamble — “quoted”.", some, newline=newline, bom=bom)
    assert run(render_encoded_steps("Preamble — “quoted”.", some, newline=newline, bom=bom)) == text.encode("utf-8")
