"""Crash safety proven by killing a real writer process 200 times at random moments."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.sync.syncer import sync
from tests.reliability import killloop


@pytest.mark.slow
def test_two_hundred_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    outcome = killloop.run(200, tmp_path / "library", seed=7)
    assert outcome.kills == 200
    assert outcome.acked > 200  # the writer got real work done between kills
    assert outcome.syncs > 50  # notes syncs ran through the real syncer, and were killed too
    assert outcome.tokens > 50
    assert outcome.corruptions == []
    assert outcome.lost == []


def test_the_checker_sees_a_lost_write(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    library = Library(folder)
    pid = next(iter(library.papers))
    library.annotate([pid], AnnotationChange(note="on disk"))
    expected = killloop.Expectation(notes={pid: "acknowledged but not on disk"}, titles={"Never Imported"})
    corruptions, lost = killloop.check(folder, expected, None)
    assert corruptions == []
    assert len(lost) == 2
    # The one write in flight when the writer died may have landed or not: both are fine.
    in_flight = {"kind": "note", "id": pid, "note": "on disk"}
    _, lost = killloop.check(folder, killloop.Expectation(notes={pid: "older"}), in_flight)
    assert lost == []


def test_the_checker_sees_a_corrupt_store(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    (folder / "annotations.json").write_bytes(b'{"annotations": {"a": {')
    corruptions, _ = killloop.check(folder, killloop.Expectation(), None)
    assert corruptions


def test_the_checker_finds_typed_text_in_the_library_the_notes_file_or_the_history(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    library = Library(folder)
    first, second, third = library.papers
    library.annotate([first], AnnotationChange(note="[tok 1-1] in the library"))
    library.annotate([first], AnnotationChange(note="[tok 1-3] replaced the note"))  # [tok 1-1]: history
    sync(library, killloop.notes_path(folder))
    notes = killloop.notes_path(folder)
    notes.write_text(notes.read_text(encoding="utf-8") + "\n[tok 1-4] typed in the file\n", encoding="utf-8")
    expected = killloop.Expectation(tokens={
        "[tok 1-1]": first, "[tok 1-3]": first, "[tok 1-4]": second,
        "[tok 1-2]": second,  # acknowledged, but nowhere
        "[tok 1-5]": third,  # acknowledged, nowhere, but an edit in flight drops it on purpose
    })
    in_flight = {"kind": "app-note", "id": third, "token": "[tok 1-6]", "note": "[tok 1-6]", "dropped": ["[tok 1-5]"]}

    corruptions, lost = killloop.check(folder, expected, in_flight)

    assert corruptions == []
    assert len(lost) == 1
    assert "[tok 1-2]" in lost[0]
    # Tokens are bracketed: "[tok 1-1]" (only in the first paper's history) is not found in "[tok 1-12]".
    library.annotate([second], AnnotationChange(note="[tok 1-12]"))
    _, lost = killloop.check(folder, killloop.Expectation(tokens={"[tok 1-1]": second}), None)
    assert len(lost) == 1


@pytest.mark.parametrize(
    "damage",
    [b"\xff\xfe not UTF-8", b"## A\n<!-- papershelf:key= -->\n", b"## A\n<!-- papershelf:key=a -->\n\n"
     b"## A again\n<!-- papershelf:key=a -->\n"],
    ids=["not-utf8", "empty-key", "duplicate-section"],
)
def test_the_checker_sees_a_damaged_notes_file(tmp_path: Path, damage: bytes) -> None:
    folder = tmp_path / "library"
    killloop.make_library(folder, papers=3)
    killloop.notes_path(folder).write_bytes(damage)
    corruptions, lost = killloop.check(folder, killloop.Expectation(), None)
    assert len(corruptions) == 1
    assert killloop.notes_path(folder).name in corruptions[0]
    assert lost == []
