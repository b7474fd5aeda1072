"""Issue 13, loss 2: a duplicate section must not flip the paper, and with no edits N syncs change nothing
(also after git conflict markers and with a conflict copy beside the file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.core.library import Library
from papershelf.core.model import STATUSES
from papershelf.sync import state as sync_state
from papershelf.sync.engines import git_sides
from papershelf.sync.syncer import sync
from tests.sync.helpers import KEYS, annotate, library, note, pid, section_text

A = KEYS[0]


def section(key: str, status: str, tags: str, body: str, block: str | None = None) -> str:
    text = f"## Some title\n<!-- papershelf:key={key} -->\n**Status:** {status} · **Tags:** {tags}\n\n{body}\n"
    if block is not None:
        text += f"\n<!-- papershelf:conflict -->\n**Status:** skipped\n\n{block}\n<!-- papershelf:end-conflict -->\n"
    return text


def state(lib: Library, notes: Path) -> tuple[object, ...]:
    """Everything a sync could change: the file, the annotations, conflicts, histories, the base."""
    reopened = Library(lib.folder)
    return (
        notes.read_bytes(),
        {p: reopened.annotation(p).to_doc() for p in reopened.papers},
        dict(sync_state.conflicts(reopened)),
        {p: [v.note for v in reopened.note_history(p)] for p in reopened.papers},
        dict(sync_state.base(reopened)),
    )


def test_a_stale_duplicate_section_becomes_a_conflict_of_the_first_and_stops_flipping(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    notes = tmp_path / "notes.md"
    annotate(lib, A, note="The current note.", status="read", add_tags=("rl",))
    sync(lib, notes)
    stale = section(A, "to-read", "old", "A stale copy of the note.")
    notes.write_text(notes.read_text(encoding="utf-8") + "\n" + stale, encoding="utf-8")

    report = sync(lib, notes)
    a = lib.annotation(pid(lib, A))
    assert (a.status, a.tags, a.note) == ("read", ["rl"], "The current note.")  # the first section wins
    assert report.conflicts == {pid(lib, A): ("note", "status", "tags")}
    assert any("second section" in p.reason and p.key == A for p in report.problems)
    text = notes.read_text(encoding="utf-8")
    assert text.count(f"papershelf:key={A} ") == 1  # one section left, the copy is its conflict block
    block = section_text(notes, A).split("<!-- papershelf:conflict -->")[1]
    assert "A stale copy of the note." in block
    assert "**Status:** to-read · **Tags:** old" in block

    before = state(lib, notes)
    for _ in range(4):
        again = sync(lib, notes)
        assert (again.written, again.to_library, again.to_file) == (False, [], [])
        assert state(lib, notes) == before


def test_an_identical_duplicate_section_is_dropped_and_reported(tmp_path: Path) -> None:
    lib = library(tmp_path / "lib")
    notes = tmp_path / "notes.md"
    annotate(lib, A, note="Same.", status="read")
    sync(lib, notes)
    notes.write_text(notes.read_text(encoding="utf-8") + "\n" + section_text(notes, A), encoding="utf-8")
    report = sync(lib, notes)
    assert report.conflicts == {}
    assert [p.key for p in report.problems] == [A]
    assert notes.read_text(encoding="utf-8").count(f"papershelf:key={A} ") == 1
    assert note(lib, A) == "Same."


bodies = st.lists(
    st.sampled_from(["Text.", "## heading", "```", "~~~", "```python", "x = 1", "<!-- papershelf:conflict -->",
                     "<!-- papershelf:end-conflict -->", "**Status:** read", "", "> quote", "Müller 😀"]),
    max_size=6,
).map("\n".join)
sections = st.builds(
    section,
    key=st.sampled_from([*KEYS[:4], "zz2020unknown", ""]),
    status=st.sampled_from([*STATUSES, "finished"]),
    tags=st.sampled_from(["", "rl", "rl, theory", "a\\, b"]),
    body=bodies,
    block=st.none() | bodies,
)
git_hunks = st.builds("<<<<<<< HEAD\n{}=======\n{}>>>>>>> 1a2b3c4\n".format, sections, sections)
files = st.tuples(st.sampled_from(["", "# My notes\n\n", "Preamble ```\n\n"]),
                  st.lists(st.one_of(sections, git_hunks), max_size=7))
app_edits = st.lists(st.tuples(st.sampled_from(KEYS[:4]), st.sampled_from(STATUSES), bodies), max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files, app_edits, st.booleans(), st.none() | files)
def test_with_no_edits_n_syncs_change_nothing(
    tmp_path_factory: pytest.TempPathFactory,
    file: tuple[str, list[str]],
    edits: list[tuple[str, str, str]],
    synced_before: bool,
    copy: tuple[str, list[str]] | None,
) -> None:
    folder = tmp_path_factory.mktemp("idempotent")
    lib = library(folder / "lib")
    notes = folder / "notes.md"
    for key, status, body in edits:
        annotate(lib, key, status=status, note=body)
    if synced_before:
        sync(lib, notes)  # the file then differs from a base, as after editing it
    preamble, parts = file
    notes.write_text(preamble + "\n".join(parts), encoding="utf-8")
    if copy is not None:  # and a Syncthing conflict copy beside it
        (folder / "notes.sync-conflict-20261204-101530-7QXK2LM.md").write_text(copy[0] + "\n".join(copy[1]),
                                                                             encoding="utf-8")
    sync(lib, notes)
    after_first = state(lib, notes)
    assert git_sides(notes.read_text(encoding="utf-8")) is None  # no git conflict markers left
    for _ in range(3):
        report = sync(lib, notes)
        assert (report.written, report.to_library, report.to_file) == (False, [], [])
        assert state(lib, notes) == after_first
